/**
 * Run counts and replay for every property file. A failing run prints `{ seed, path }` and, in
 * the counterexample, `replayPath="..."`; set them as `FC_SEED`, `FC_PATH` and `FC_REPLAY` and
 * rerun the one property (`-t '<its name>'`) to replay exactly that run, shrunk.
 */
import fc from 'fast-check';

const seed = process.env['FC_SEED'];
const path = process.env['FC_PATH'];
const replayPath = process.env['FC_REPLAY'];
/** Scales every property's run count, e.g. `FC_RUNS_FACTOR=10` for a long soak. */
const factor = Number(process.env['FC_RUNS_FACTOR'] ?? '1');

/** Options for `fc.assert`: `numRuns` normally; the recorded seed and path when replaying. */
export function assertOptions<Ts>(numRuns: number): fc.Parameters<Ts> {
  const runs = Math.max(1, Math.round(numRuns * factor));
  if (seed === undefined) return { numRuns: runs };
  return { seed: Number(seed), ...(path === undefined ? {} : { path }), endOnFailure: true, numRuns: runs };
}

/** Constraints for `fc.commands`: the replay path too when replaying (fast-check needs all three). */
export function commandsOptions(maxCommands: number): fc.CommandsContraints {
  return { maxCommands, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) };
}
