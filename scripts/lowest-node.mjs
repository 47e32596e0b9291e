// Runs the package on the lowest Node its `engines.node` admits (`>=20.19` → 20.19.0), so that
// the range it states is one that is tested: the built package's smoke test, and the shell and
// integration suites. That Node comes from the npm registry (`node-<platform>-<arch>`, the
// binary packages the `node` package installs), into a temporary folder; nothing else changes.
// Needs `npm run build` first (the smoke test imports the built package).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lowest = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(engines.node);
if (lowest === null) throw new Error(`engines.node is ${JSON.stringify(engines.node)}; expected a lower bound such as ">=20.19"`);
const version = `${lowest[1]}.${lowest[2]}.${lowest[3] ?? 0}`;

const work = mkdtempSync(join(tmpdir(), 'statesock-node-'));
try {
  const binaryPackage = `node-${process.platform}-${process.arch}`;
  execFileSync(
    'npm',
    ['install', '--prefix', work, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${binaryPackage}@${version}`],
    {
      stdio: 'inherit',
    },
  );
  const node = join(work, 'node_modules', binaryPackage, 'bin', 'node');
  const run = (...args) => execFileSync(node, args, { cwd: root, stdio: 'inherit' });
  console.log(`Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}, the lowest engines.node admits:`);
  run('scripts/smoke-dist.mjs');
  run('node_modules/vitest/vitest.mjs', 'run', 'test/shell', 'test/integration');
} finally {
  rmSync(work, { recursive: true, force: true });
}
