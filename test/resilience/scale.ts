/**
 * The sizes of the resilience suites' scenes, in one place so that the docs quoting them are
 * checked against what the tests run (`test/docs/figures.test.ts`).
 */

/** The soak: this many clients, a random fault every `SOAK_FAULT_EVERY_MS` for `SOAK_FAULT_PHASE_MS` of wall-clock time. */
export const SOAK_CLIENTS = 200;
export const SOAK_FAULT_EVERY_MS = 50;
export const SOAK_FAULT_PHASE_MS = 15_000;

/** The storm: this many clients behind one backend, waiting out backoff windows from `STORM_MIN_RECONNECT_DELAY` up. */
export const STORM_CLIENTS = 500;
export const STORM_MIN_RECONNECT_DELAY = 8_000;

/** The overflow scene: what the client sends beyond what a hop can hold, enough that forgetting it cannot hide in the bound. */
export const BEYOND_CAPACITY = 20 * 1024 * 1024;
