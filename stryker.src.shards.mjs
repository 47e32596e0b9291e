// @ts-check
/**
 * The shards of `src/` for mutation testing (`stryker.src.config.mjs`, `scripts/mutation.mjs`):
 * each the files it mutates and the test files that exercise them.
 */

/**
 * The suites that drive a connection: the shell's, against real `ws` servers, the reconnect
 * policy's (which runs the machine through the shell), and the generated paths. Not `test/model/app-kit.example.test.ts`: it makes its tests from `lifecyclePaths()`
 * while vitest collects the file, so the mutants of `src/testing/lifecycle-paths.ts` would count
 * as static (run with every test, and reported survived by the vitest runner, which does not
 * load the mutated module again for them); `test/model/lifecycle-paths.test.ts` calls it from
 * inside its tests.
 */
const CONNECTION_TESTS = [
  'test/shell/**/*.test.ts',
  'test/integration/**/*.test.ts',
  'test/machine/policy.test.ts',
  'test/model/lifecycle-paths.test.ts',
  'test/model/coverage.test.ts',
  'test/model/lifecycle.memory.test.ts',
  'test/model/lifecycle.ws.test.ts',
];

/** Reliable sessions, client and server: the wire format, each side's unit suite, the properties, the generated paths, and against real `ws` servers. */
const SESSION_TESTS = [
  'test/reliable/protocol.test.ts',
  'test/reliable/outbound-log.test.ts',
  'test/reliable/runner.test.ts',
  'test/reliable/client.test.ts',
  'test/reliable/options.test.ts',
  'test/reliable/server.test.ts',
  'test/reliable/session.test.ts',
  'test/reliable/session.properties.test.ts',
  'test/integration/reliable.ws.test.ts',
  'test/model/session-paths.test.ts',
];

/** The options' parsing and checks, with the clocks they configure. */
const OPTIONS = ['src/options.ts', 'src/validation.ts', 'src/url-source.ts', 'src/environment.ts', 'src/time.ts'];
/** The shell's interpreter of the machine: the engine, its effects, and the events it emits. */
const ENGINE = [
  'src/engine.ts',
  'src/effects.ts',
  'src/machine-runner.ts',
  'src/sequencer.ts',
  'src/connection.ts',
  'src/connection-events.ts',
  'src/connection-internals.ts',
  'src/emitter.ts',
  'src/public-api.ts',
];

/**
 * By the directories of `src/`, its top level in three (each shard must complete in one sitting:
 * StrykerJS records nothing of an interrupted run). `core` is the rest of the top level, the
 * socket facade and the send path, so a new file there is mutated without being listed. The
 * React hooks and the inspector element have suites on happy-dom beside their Chromium ones,
 * where StrykerJS cannot switch mutants on.
 */
export const SHARDS = {
  options: { mutate: OPTIONS, testFiles: CONNECTION_TESTS },
  engine: { mutate: ENGINE, testFiles: CONNECTION_TESTS },
  core: { mutate: ['src/*.ts', ...[...OPTIONS, ...ENGINE].map((file) => `!${file}`)], testFiles: CONNECTION_TESTS },
  transports: { mutate: ['src/transports/**/*.ts'], testFiles: CONNECTION_TESTS },
  kit: { mutate: ['src/testing/*.ts'], testFiles: CONNECTION_TESTS },
  channels: { mutate: ['src/json/**/*.ts', 'src/streams/**/*.ts'], testFiles: CONNECTION_TESTS },
  reliable: { mutate: ['src/reliable/**/*.ts'], testFiles: SESSION_TESTS },
  server: { mutate: ['src/server/**/*.ts'], testFiles: SESSION_TESTS },
  react: {
    mutate: ['src/react/**/*.ts'],
    testFiles: ['test/react/shared.test.ts', 'test/react/server-render.test.ts', 'test/react/hooks.dom.test.ts'],
  },
  inspector: { mutate: ['src/inspector/**/*.ts'], testFiles: ['test/inspector/record.test.ts', 'test/inspector/element.dom.test.ts'] },
};
