/**
 * `scripts/check-advisories.mjs`, as CI runs it: the repository's own lockfile passes, and a
 * lockfile that installs a production package below a fix, or one the table has no entry for,
 * fails with a line naming the package, the advisory and the fix. Dev-only packages are not its
 * business. Lockfiles are written to a fresh temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-advisories.mjs', import.meta.url));
const realLock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, Record<string, unknown>>;
};
const directory = mkdtempSync(join(tmpdir(), 'check-advisories-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs the script on the repository's lockfile with `packages` replaced or added. */
function check(packages: Record<string, Record<string, unknown>> = {}): { status: number | null; output: string } {
  const lock = { ...realLock, packages: { ...realLock.packages, ...packages } };
  const file = join(directory, `lock-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(lock));
  const run = spawnSync(process.execPath, [script, '--lockfile', file], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('check-advisories', () => {
  it("passes the repository's own lockfile", () => {
    const { status, output } = check();
    expect(output).toMatch(/2 production packages, each at or above every fix/);
    expect(status).toBe(0);
  });

  it('fails a lockfile with ws below 8.17.1, naming the advisory and the fix', () => {
    const { status, output } = check({ 'node_modules/ws': { ...realLock.packages['node_modules/ws'], version: '8.17.0' } });
    expect(status).toBe(1);
    expect(output).toContain('ws@8.17.0 (node_modules/ws) is affected by GHSA-3h5v-q93c-6h6q');
    expect(output).toContain('fixed in 8.17.1');
  });

  it('accepts the fix on an older major line, and finds a nested copy below it', () => {
    const older = check({ 'node_modules/ws': { ...realLock.packages['node_modules/ws'], version: '7.5.10' } });
    expect(older.status).toBe(0);
    const nested = check({ 'node_modules/xstate/node_modules/ws': { version: '7.5.9' } });
    expect(nested.status).toBe(1);
    expect(nested.output).toContain('ws@7.5.9 (node_modules/xstate/node_modules/ws) is affected by GHSA-3h5v-q93c-6h6q');
  });

  it('fails a production package that has no entry in the table, and ignores dev-only ones', () => {
    const unknown = check({ 'node_modules/left-pad': { version: '1.3.0' } });
    expect(unknown.status).toBe(1);
    expect(unknown.output).toContain('left-pad@1.3.0 (node_modules/left-pad) has no entry in security/advisories.json');
    expect(check({ 'node_modules/left-pad': { version: '1.3.0', dev: true } }).status).toBe(0);
  });
});
