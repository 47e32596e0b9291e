// Checks the package as npm would install it: `npm pack` (which builds through `prepack`), then
//
// 1. every import in the packed JavaScript and declarations resolves: a relative one to a file
//    in the tarball, a bare one to a runtime dependency or a Node builtin (never to a
//    devDependency, which users do not install);
// 2. the small applications in test/consumers/ compile against it with `skipLibCheck: false`,
//    so that every declaration file shipped is checked under that consumer's settings (Node-only
//    without the DOM lib; a bundler app with it).
//
// The tarball is unpacked into each consumer's node_modules, and the package's dependencies (and
// @types/node) are linked from this repository's node_modules: nothing is downloaded, and they
// are the versions the lockfile pins.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const consumers = join(root, 'test', 'consumers');
const { dependencies = {}, peerDependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const runtime = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies)]);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const work = mkdtempSync(join(tmpdir(), 'statesock-tarball-'));
const problems = [];
try {
  const [{ filename, files }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const tarball = join(work, filename);
  const unpacked = join(work, 'package');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);

  const shipped = files.map(({ path }) => path).filter((path) => /\.(js|d\.ts)$/.test(path));
  for (const path of shipped) {
    for (const specifier of importsOf(readFileSync(join(unpacked, path), 'utf8'))) {
      const problem = checkImport(path, specifier, unpacked);
      if (problem) problems.push(`${path}: ${problem}`);
    }
  }
  console.log(`${problems.length === 0 ? '✓' : '✗'} the imports of the ${shipped.length} modules and declarations in ${filename}`);

  for (const name of readdirSync(consumers)) {
    const app = join(work, name);
    cpSync(join(consumers, name), app, { recursive: true });
    cpSync(unpacked, join(app, 'node_modules', 'statesock'), { recursive: true });
    // React's types come with @types/react, which an application that uses `statesock/react` has;
    // `ws`'s with @types/ws, which one that gives `statesock/server` a `ws` server has.
    for (const dependency of [...runtime, '@types/node', '@types/react', '@types/ws']) {
      const link = join(app, 'node_modules', dependency);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(root, 'node_modules', dependency), link, 'dir');
    }
    try {
      execFileSync(process.execPath, [tsc, '-p', app], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      console.log(`✓ test/consumers/${name} compiles against ${filename}`);
    } catch (error) {
      problems.push(`test/consumers/${name} does not compile against ${filename}:\n${error.stdout}${error.stderr}`);
      console.log(`✗ test/consumers/${name}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}

/** The module specifiers of static and dynamic imports and re-exports, and `import("…")` types in declarations. */
function importsOf(source) {
  const specifiers = new Set();
  for (const [, specifier] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) specifiers.add(specifier);
  return specifiers;
}

/** Why `specifier`, imported by the shipped file `path`, would fail for a user; `undefined` if it would not. */
function checkImport(path, specifier, unpacked) {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(join(unpacked, path)), specifier);
    // A declaration imports `./x.js`, which TypeScript reads as `./x.d.ts`.
    const candidates = path.endsWith('.d.ts') ? [target, target.replace(/\.js$/, '.d.ts')] : [target];
    return candidates.some((candidate) => existsSync(candidate))
      ? undefined
      : `imports ${specifier}, which is not in the tarball (${relative(unpacked, target)})`;
  }
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const name = specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
  return runtime.has(name) ? undefined : `imports ${specifier}, but ${name} is not a dependency (users do not install devDependencies)`;
}
