/**
 * The README stays a short page for users, and keeps the two commands that set everything up on
 * a fresh machine, which CI runs too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('is a short page: guides live in docs/', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_000);
  });

  it('keeps, under Develop, the two commands that people and CI run', () => {
    const develop = readme.split('\n## Develop\n')[1]?.split('\n## ')[0] ?? '';
    expect(develop).toMatch(/^npm ci && npm start\b/m);
    expect(develop).toMatch(/^npm test\b/m);
    expect(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')).toMatch(/^npm test$/m);
  });
});
