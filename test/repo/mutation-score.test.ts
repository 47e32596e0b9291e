/**
 * How `scripts/mutation.mjs` scores a StrykerJS report, as CONTRIBUTING.md states it: a
 * `// Stryker disable` comment counts as equivalent only with a reason, one without counts as
 * survived, static mutants left out are not run; and which shard's report a file's results come
 * from when reports are merged.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, without types
import * as mutationScript from '../../scripts/mutation.mjs';
// @ts-expect-error: a plain ES module, without types
import * as shardList from '../../stryker.src.shards.mjs';

type Mutant = { status: string; statusReason?: string };
type Report = { files: Record<string, { mutants: Mutant[] }> };
const { mutates, notMutated, score } = mutationScript as {
  mutates: (patterns: readonly string[], file: string) => boolean;
  notMutated: (files: readonly string[], report: Report) => string[];
  score: (report: Report) => Record<string, number>;
};
const { SHARDS } = shardList as { SHARDS: Record<string, { mutate: readonly string[] }> };
const report = (...mutants: Mutant[]): Report => ({ files: { 'src/a.ts': { mutants } } });

describe('the score', () => {
  it('is detected (killed or timed out) over detected, survived, uncovered and disabled without a reason', () => {
    const s = score(
      report(
        { status: 'Killed' },
        { status: 'Killed' },
        { status: 'Timeout' },
        { status: 'Survived' },
        { status: 'NoCoverage' },
        { status: 'Ignored', statusReason: 'Ignored using a comment' },
        { status: 'Ignored', statusReason: 'equivalent. The cache saves the work.' },
        { status: 'Ignored', statusReason: 'Static mutant (and "ignoreStatic" was enabled)' },
        { status: 'CompileError' },
      ),
    );
    expect(s).toEqual({
      killed: 2,
      timedOut: 1,
      survived: 1,
      noCoverage: 1,
      equivalent: 1,
      unexplained: 1,
      notRun: 1,
      errors: 1,
      score: 50,
    });
  });

  it('is 100 with no valid mutant', () => {
    expect(score(report({ status: 'CompileError' })).score).toBe(100);
  });
});

describe("a shard's files", () => {
  it.each([
    ['core', 'src/queue.ts', true],
    ['core', 'src/time.ts', false], // the options shard's
    ['core', 'src/json/channel.ts', false], // a subdirectory
    ['options', 'src/time.ts', true],
    ['engine', 'src/engine.ts', true],
    ['channels', 'src/streams/deep/er.ts', true],
    ['kit', 'src/testing/simulated-clock.ts', true],
    ['kit', 'src/testing/model/oracle.ts', false],
    ['transports', 'src/transports/ws-transport.ts', true],
  ])('%s mutates %s: %s', (shard, file, expected) => {
    expect(mutates(SHARDS[shard]!.mutate, file)).toBe(expected);
  });

  it('are each mutated by exactly one shard', () => {
    const files = ['src/queue.ts', 'src/time.ts', 'src/engine.ts', 'src/json/channel.ts', 'src/reliable/engine.ts', 'src/react/index.ts'];
    for (const file of files) {
      const owners = Object.entries(SHARDS).filter(([, shard]) => mutates(shard.mutate, file));
      expect(owners, file).toHaveLength(1);
    }
  });
});

describe('the machines/ report', () => {
  it('lacks a machine added since it was made, not a file of types', () => {
    const machinesRun = { files: { 'machines/connection.machine.ts': { mutants: [] } } };
    const files = ['machines/connection.machine.ts', 'machines/connection.types.ts', 'machines/session.machine.ts', 'machines/README.md'];
    expect(notMutated(files, machinesRun)).toEqual(['machines/session.machine.ts']);
  });
});
