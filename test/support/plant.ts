/**
 * Plants a broken variant of one module of the connection in the module graph (`vi.doMock`),
 * as if that file had been broken, for the suites that show their checks able to fail. Nothing
 * changes production code. Call a plant after `vi.resetModules()` and before importing what
 * runs the connection; `unplantAll()` (in `afterEach`) takes every plant back.
 */
import { vi } from 'vitest';
import type * as EventsModule from '../../src/connection-events.js';
import type * as EffectsModule from '../../src/effects.js';
import type { Effects } from '../../src/effects.js';
import type * as MachineModule from '../../machines/connection.machine.js';

const EFFECTS = '../../src/effects.js';
const EVENTS = '../../src/connection-events.js';
const MACHINE = '../../machines/connection.machine.js';

/** A plant in place of some of the shell's effects: `broken` is given the real ones. */
export function plantEffects(broken: (original: Effects) => Partial<Effects>): () => void {
  return () =>
    vi.doMock(EFFECTS, async (importOriginal) => {
      const original = await importOriginal<typeof EffectsModule>();
      return { ...original, effects: { ...original.effects, ...broken(original.effects) } };
    });
}

/** A plant in place of the functions that name the machine's states to the outside (`stateName`, `readyStateOfName`). */
export function plantEvents(broken: (original: typeof EventsModule) => Partial<typeof EventsModule>): () => void {
  return () =>
    vi.doMock(EVENTS, async (importOriginal) => {
      const original = await importOriginal<typeof EventsModule>();
      return { ...original, ...broken(original) };
    });
}

/** A plant of a machine built from the production one by `revise`. */
export function plantMachine(
  revise: (machine: typeof MachineModule.connectionMachine) => typeof MachineModule.connectionMachine,
): () => void {
  return () =>
    vi.doMock(MACHINE, async (importOriginal) => {
      const original = await importOriginal<typeof MachineModule>();
      return { ...original, connectionMachine: revise(original.connectionMachine) };
    });
}

/** Takes back every plant, and the modules imported with one. */
export function unplantAll(): void {
  vi.doUnmock(EFFECTS);
  vi.doUnmock(EVENTS);
  vi.doUnmock(MACHINE);
  vi.resetModules();
}
