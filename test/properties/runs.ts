/**
 * How many generated runs each property gets, in one place so that the docs quoting them are
 * checked against what the tests do (`test/docs/figures.test.ts`). `FC_RUNS_FACTOR` scales
 * them for a long soak (`replay.ts`).
 */

/** Per property on the in-memory transport, where a run takes about a millisecond. */
export const MEMORY_RUNS = 300;

/** Per transport against a real `ws` server through the fault proxy, where a run takes real sockets. */
export const WS_RUNS = 50;
