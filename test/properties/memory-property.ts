/**
 * One memory property: generated options, steps and interleavings run against a world whose
 * invariant is checked after every settled step and once the connection has ended.
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { step } from './commands.js';
import { finish } from './finish.js';
import { assertOptions, commandsOptions } from './replay.js';
import { MemoryWorld, type Invariant, type WorldConfig } from './world.js';

/** Generous: a property takes a few seconds here, but CI machines are slower and shared. */
const TIMEOUT = 180_000;

/** The property that `invariant` holds in every generated world from `configs`, through its steps and to its end. */
export function holds(invariant: Invariant, configs: fc.Arbitrary<WorldConfig>) {
  return fc.asyncProperty(configs, fc.scheduler(), fc.commands([step], commandsOptions(60)), async (config, scheduler, commands) => {
    const world = new MemoryWorld(config, scheduler, invariant);
    await world.start();
    await fc.scheduledModelRun(scheduler, () => ({ model: world, real: world }), commands);
    await finish(world);
    await invariant.final?.(world);
  });
}

/** A test named `name` that `invariant` holds over `runs` generated runs of worlds from `configs`. */
export function itHolds(name: string, invariant: Invariant, configs: fc.Arbitrary<WorldConfig>, runs: number): void {
  it(
    name,
    async () => {
      await fc.assert(holds(invariant, configs), assertOptions(runs));
    },
    TIMEOUT,
  );
}
