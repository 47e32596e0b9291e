// @ts-check
import { shared } from './stryker.shared.mjs';

/**
 * Mutation testing of the shell, `src/` (`npm run mutation:src`): StrykerJS's vitest runner,
 * which runs for each mutant only the tests that cover it (perTest coverage), fastest layer
 * first (`vitest.mutation.config.ts`), over the shell, integration and model suites.
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
 * covered it changed (the runner reports per-test coverage, so the reuse is sound). The file is
 * a cache of the last run on this machine, not a record: git ignores it (`reports/`), since a
 * committed copy would change with every change to `src/` or its tests and conflict between
 * branches. Delete it, or pass `--force`, for a full run.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  ...shared('src'),
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: ['src/**/*.ts', '!src/testing/model/**'],
  testFiles: [
    'test/shell/**/*.test.ts',
    'test/integration/**/*.test.ts',
    'test/model/lifecycle-paths.test.ts',
    'test/model/coverage.test.ts',
    'test/model/lifecycle.memory.test.ts',
    'test/model/lifecycle.ws.test.ts',
    'test/model/app-kit.example.test.ts',
  ],
  // The first run, which measures each test's coverage, runs every file above instrumented: more
  // than StrykerJS's default 5 minutes on a busy machine.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'reports/mutation/src.incremental.json',
};
