/**
 * The generated tests can fail: each deliberately broken variant in `mutants.ts` makes at least
 * one generated path fail on the in-memory transport, for the reason it names: because the
 * connection no longer does what the machine says (shell faults), or because it breaks a
 * property that holds whatever the machine says (machine faults: a broken machine is its own
 * oracle). Machine faults include the reconnection rules: a reconnect after `close()`, a queue
 * dropped on reconnect, a retry count that never resets or resets too soon.
 *
 * A machine variant replaces the production machine in the whole module graph
 * (`vi.doMock`), so the paths are generated from it, the oracle follows it and the `Connection`
 * runs it, exactly as if `machines/connection.machine.ts` had been broken.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LifecycleMachine } from '../../src/testing/model/lifecycle-model.js';
import type { RunOptions } from '../../src/testing/model/lifecycle-runner.js';
import type { StepView } from '../../src/testing/model/lifecycle-oracle.js';
import { plantMachine, unplantAll } from '../support/plant.js';
import { faithfulWrap, fieldMutants, machineMutants, openBeforeFlushInMachine, shellMutants } from './mutants.js';

afterEach(unplantAll);

/**
 * Runs every generated path with `machine` in place of the production one, or with the
 * transport wrapped; returns those that fail (for a reason that names `caughtBy`, if given),
 * up to `limit`.
 */
async function failingPaths(options: {
  machine?: LifecycleMachine;
  wrap?: RunOptions['wrap'];
  /** A module of the shell to break (`test/support/plant.ts`). */
  plant?: () => void;
  caughtBy?: string;
  /** Counts only paths whose first stray step differs in this field of the view. */
  field?: keyof StepView;
  limit: number;
}): Promise<string[]> {
  vi.resetModules();
  options.plant?.();
  const machine = options.machine;
  if (machine) plantMachine(() => machine)();
  const { generateLifecyclePaths } = await import('../../src/testing/model/lifecycle-walk.js');
  const { lifecyclePath } = await import('../../src/testing/lifecycle-paths.js');
  const { runPath, sameView } = await import('../../src/testing/model/lifecycle-runner.js');
  const { memoryDriver } = await import('../../src/testing/model/memory-driver.js');
  const { connectionMachine } = await import('../../machines/connection.machine.js');
  const failing: string[] = [];
  for (const path of generateLifecyclePaths()) {
    const run = await runPath(path, memoryDriver(), options.wrap ? { wrap: options.wrap } : {});
    // The connection really runs the variant (`provide()` keeps the config).
    if (options.machine) expect(run.connection.actor.logic.config).toBe(options.machine.config);
    const strayAt = run.observed.findIndex((view, i) => !sameView(view, run.expected[i]!));
    const differing = strayAt < 0 ? [] : fieldsThatDiffer(run.observed[strayAt]!, run.expected[strayAt]!);
    const reasons = [
      ...(strayAt < 0 ? [] : [`strays from the machine at ${run.observed[strayAt]!.step} in ${differing.join(', ')}`]),
      ...run.violations,
    ];
    if (
      options.field !== undefined ? differing.includes(options.field) : reasons.some((reason) => reason.includes(options.caughtBy ?? ''))
    ) {
      failing.push(`${lifecyclePath(connectionMachine, path).description}: ${reasons.join('; ')}`);
      if (failing.length >= options.limit) break;
    }
  }
  return failing;
}

/** The fields in which two views of one step differ. */
function fieldsThatDiffer(observed: StepView, expected: StepView): (keyof StepView)[] {
  return (Object.keys(expected) as (keyof StepView)[]).filter((key) => JSON.stringify(observed[key]) !== JSON.stringify(expected[key]));
}

describe('the generated tests catch a broken shell', () => {
  it('passes every path when the transport is wrapped as the mutants wrap it, but unchanged', async () => {
    expect(await failingPaths({ wrap: faithfulWrap, limit: Infinity })).toEqual([]);
  });

  for (const mutant of shellMutants) {
    it(`fails some path when the shell ${mutant.name}, caught by "${mutant.caughtBy}"`, async () => {
      expect(await failingPaths({ wrap: mutant.wrap, caughtBy: mutant.caughtBy, limit: 1 })).toHaveLength(1);
    });
  }
});

describe('each field the generated tests compare at every step catches a broken shell', () => {
  for (const mutant of fieldMutants) {
    it(`fails some path in ${mutant.field} when the shell ${mutant.name}`, async () => {
      expect(await failingPaths({ plant: mutant.plant, field: mutant.field, limit: 1 })).toHaveLength(1);
    });
  }

  it('lists every field of the view', () => {
    const view: Record<keyof StepView, null> = {
      step: null,
      state: null,
      readyState: null,
      queuedMessages: null,
      bufferedAmount: null,
      pendingTimers: null,
      nextTimerIn: null,
      pings: null,
      settled: null,
      events: null,
    };
    expect(fieldMutants.map((mutant) => mutant.field).sort()).toEqual(
      Object.keys(view)
        .filter((key) => key !== 'step')
        .sort(),
    );
  });
});

describe('the generated tests catch a broken machine', () => {
  for (const mutant of machineMutants) {
    it(`fails some path when the machine ${mutant.name}, caught by "${mutant.caughtBy}"`, async () => {
      expect(await failingPaths({ machine: mutant.machine, caughtBy: mutant.caughtBy, limit: 1 })).toHaveLength(1);
    });
  }

  it('passes every path when the machine only emits open before flushing, which listeners cannot tell', async () => {
    expect(await failingPaths({ machine: openBeforeFlushInMachine, limit: Infinity })).toEqual([]);
  });
});
