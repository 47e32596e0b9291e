// @ts-check
import { shared } from './stryker.shared.mjs';

/**
 * Mutation testing of the machine, `machines/` (`npm run mutation:machines`).
 *
 * The command runner, a fresh vitest process per mutant: the machine definition is built when
 * its module loads, so every mutant in it is "static", and StrykerJS's vitest runner, which
 * reuses loaded modules between mutants, reports false survivors here (a mutant that empties
 * the machine's `id` and breaks every test "survives"). `--bail=1` ends a run at its first
 * failing test, and the fastest files run first (`vitest.mutation.config.ts`, one worker).
 *
 * The test files are the smallest set that kills the machines' mutants: the connection
 * machine's unit tests (`test/machine/`; measured against the other candidates, the generated
 * paths and the in-memory properties, every mutant those kill the unit tests kill too), and for
 * the session machine its send plans, the client and session suites on the in-memory world,
 * and its generated paths (fastest first, as `vitest.mutation.config.ts` orders them).
 *
 * Not incremental: with the command runner StrykerJS knows no test coverage, so it would reuse
 * every earlier result whose code did not change, a survivor included after a test that kills
 * it was added. A full run takes about 21 minutes here (`--concurrency 2`, 2 cores).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  ...shared('machines'),
  testRunner: 'command',
  // StrykerJS marks sources `// @ts-nocheck` in its sandbox by default; the diagrams test
  // compares the generated src/inspector/connection-diagram.ts byte for byte, and vitest checks no types.
  disableTypeChecks: false,
  commandRunner: {
    command: [
      'npx vitest run --config vitest.mutation.config.ts --maxWorkers=1 --bail=1 test/machine/',
      'test/reliable/runner.test.ts test/reliable/session.test.ts test/reliable/client.test.ts test/model/session-paths.test.ts',
    ].join(' '),
  },
};
