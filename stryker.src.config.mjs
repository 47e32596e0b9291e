// @ts-check
import { shared } from './stryker.shared.mjs';
import { SHARDS } from './stryker.src.shards.mjs';

/**
 * Mutation testing of the shell, `src/` (`npm run mutation:src`): StrykerJS's vitest runner,
 * which runs for each mutant only the tests that cover it (perTest coverage), fastest layer
 * first (`vitest.mutation.config.ts`).
 *
 * In shards, one StrykerJS run each (`stryker.src.shards.mjs`, chosen by the `STRYKER_SHARD` environment
 * variable, which `scripts/mutation.mjs` sets): `src/` has over 5,000 mutants, hours of work on
 * two cores, and StrykerJS writes its results only when a run completes. A shard's results
 * survive an interrupted run of the others, and each shard reads only the test files that
 * exercise its code. `scripts/mutation.mjs` merges the shards' reports into one and scores it.
 *
 * Not mutated: `src/testing/model/`, the generator, oracle and invariant checks behind the
 * generated paths. No test of behaviour can tell a weakened check from the real one while the
 * code it checks is right; only the planted-variant suites (`test/model/mutants.test.ts`,
 * `test/properties/mutants.test.ts`) can, and they run every generated path once per planted
 * variant, about two minutes a run here: too slow to repeat for each of its ~1,300 mutants.
 * Those suites are what shows those checks can fail; they are left out of the suites below for
 * the same reason. The rest of the kit (`statesock/testing`: the in-memory transport, the
 * simulated clock, `lifecyclePaths`) is mutated.
 *
 * Incremental: a later run reuses a mutant's result while neither its code nor the tests that
 * covered it changed (the runner reports per-test coverage, so the reuse is sound). The files
 * are a cache of the last runs on this machine, not a record: git ignores them (`reports/`),
 * since a committed copy would change with every change to `src/` or its tests and conflict
 * between branches. Delete them, or pass `--force`, for a full run.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */

const name = process.env['STRYKER_SHARD'] ?? '';
if (!(name in SHARDS)) throw new Error(`STRYKER_SHARD is ${JSON.stringify(name)}: expected one of ${Object.keys(SHARDS).join(', ')}`);
const shard = SHARDS[/** @type {keyof typeof SHARDS} */ (name)];
const base = shared('src');

export default {
  ...base,
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: shard.mutate,
  testFiles: shard.testFiles,
  htmlReporter: { fileName: `reports/mutation/src/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/src/${name}.json` },
  // The first run, which measures each test's coverage, runs every file above instrumented: more
  // than StrykerJS's default 5 minutes on a busy machine.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: `reports/mutation/src/${name}.incremental.json`,
};
