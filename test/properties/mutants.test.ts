/**
 * The properties can fail: for each invariant, a deliberately broken variant of the shell or
 * the machine (`mutants.ts`) makes the property that states it fail within its runs. Each
 * variant replaces one module in the whole module graph (`vi.doMock`), so the connection under
 * test runs it exactly as if that file had been broken.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { plantEffects, plantEvents, plantMachine, unplantAll } from '../support/plant.js';
import { plantedBugs } from './mutants.js';
import { MEMORY_RUNS } from './runs.js';

/** As many runs as the properties make in CI: a planted bug must be found within them. */

afterEach(unplantAll);

describe('the properties catch a broken connection', () => {
  for (const bug of plantedBugs) {
    it(`fails "${bug.invariant}" when ${bug.name}`, async () => {
      vi.resetModules();
      bug.plant();
      const { holds } = await import('./memory-property.js');
      const invariants = { ...(await import('./invariants.js')), ...(await import('./lifetime-invariants.js')) } as Record<string, unknown>;
      const { reconnectingConfigs, worldConfigs } = await import('./world-config.js');
      const invariant = invariants[bug.invariant] as Parameters<typeof holds>[0];
      const result = await fc.check(holds(invariant, bug.reconnecting ? reconnectingConfigs : worldConfigs), {
        numRuns: MEMORY_RUNS,
        endOnFailure: true,
      });
      expect(result.failed, `${bug.invariant} held over ${result.numRuns} runs`).toBe(true);
      expect(String(result.errorInstance)).toMatch(bug.says);
    }, 120_000);
  }
});

describe('the same replacement, faithful, breaks nothing', () => {
  const faithful: [string, string, () => void][] = [
    ['effects', 'nothingLost', plantEffects(() => ({}))],
    ['connection-events', 'readyStateFollowsMachine', plantEvents(() => ({}))],
    ['machine', 'queueWithinBounds', plantMachine((machine) => machine)],
  ];
  for (const [module, invariantName, plant] of faithful) {
    it(`holds "${invariantName}" with the ${module} module replaced by itself`, async () => {
      vi.resetModules();
      plant();
      const { holds } = await import('./memory-property.js');
      const invariants = (await import('./invariants.js')) as Record<string, unknown>;
      const { worldConfigs } = await import('./world-config.js');
      const result = await fc.check(holds(invariants[invariantName] as Parameters<typeof holds>[0], worldConfigs), { numRuns: 60 });
      expect(result.failed, String(result.errorInstance)).toBe(false);
    }, 120_000);
  }
});
