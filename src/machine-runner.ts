/**
 * Steps connections' machines without an actor per connection.
 *
 * A started XState actor weighs about 4 KB, more than the `ws` socket it would manage, and a
 * connection needs none of what an actor adds (a mailbox, a system, observers) unless someone
 * inspects it. So each connection keeps only its machine snapshot, and every connection is
 * stepped by XState's own `machine.transition()` with one scope shared by all: the same
 * function the actor calls, with the actions it asks for handed to the connection being
 * stepped. (XState's exported `transition()` does the same, but creates an actor per call to
 * get a scope: ten times the CPU of `actor.send`.)
 *
 * The connection turns into an actor when one is asked for (`inspect`, or reading
 * `connection.actor`): from then on the actor steps it, with the same effects.
 */
import { createActor, fromTransition, type AnyActorScope, type ExecutableActionObject, type SnapshotFrom } from 'xstate';
import type { ConnectionMachine } from '../machines/connection.machine.js';
import type { ConnectionEvent, ConnectionInput } from '../machines/connection.types.js';

export type MachineSnapshot = SnapshotFrom<ConnectionMachine>;

/** Whoever performs the effects of the machine being stepped. */
export interface EffectPerformer {
  perform(action: ExecutableActionObject): void;
}

/** The connection whose machine is being stepped: the shared scope hands it the actions. */
let stepping: EffectPerformer | undefined;

/** Stands in for the actor: only XState's built-in actions (spawning, sending to others) would use it, and the machine has none. */
// Stryker disable next-line ArrowFunction: equivalent. The inert actor is never started, so its logic never runs.
const inert = createActor(fromTransition((state: undefined) => state, undefined));

/** The scope every machine stepped this way shares: the connection's, and a reliable session's (`src/reliable/runner.ts`). */
export const inertScope: AnyActorScope = {
  self: inert,
  // Stryker disable next-line StringLiteral: equivalent. XState reads a scope's id only to name a child it cannot find; the machine spawns none.
  id: '',
  // Stryker disable next-line StringLiteral: equivalent. XState reads the scope's sessionId nowhere on a step; actors read their own.
  sessionId: '',
  system: inert.system,
  logger: () => {},
  defer: () => {},
  emit: () => {},
  stopChild: () => {},
  actionExecutor: (action) => stepping!.perform(action),
};

/** The one scope every connection is stepped with. */
const scope = inertScope as Parameters<ConnectionMachine['transition']>[2];

/** Runs `run` with `performer` receiving the actions; steps never nest, but a throwing effect must not leave the scope pointing at it. */
export function steppedBy<T>(performer: EffectPerformer, run: () => T): T {
  const outer = stepping;
  stepping = performer;
  try {
    return run();
  } finally {
    stepping = outer;
  }
}

/** The machine's initial snapshot for `input`, its entry actions performed by `performer`. */
export function initialSnapshot(machine: ConnectionMachine, input: ConnectionInput, performer: EffectPerformer): MachineSnapshot {
  return steppedBy(performer, () => machine.getInitialSnapshot(scope, input));
}

/** The snapshot after `event` (eventless transitions included), its actions performed by `performer`. */
export function step(snapshot: MachineSnapshot, event: ConnectionEvent, performer: EffectPerformer): MachineSnapshot {
  return steppedBy(performer, () => (snapshot.machine as ConnectionMachine).transition(snapshot, event, scope));
}

/**
 * The snapshot of `machine` in leaf state `state` (`closing.draining`) with `context`. A
 * snapshot is mostly what every connection in that state shares (its state nodes, its value,
 * its tags); a connection keeps only its state's name and its context, and gets its snapshot
 * back from the state's template when it is stepped, which is rare next to sending.
 */
export function snapshotOf(machine: ConnectionMachine, state: string, context: MachineSnapshot['context']): MachineSnapshot {
  const templates = cachedIn(templatesByMachine, machine, () => new Map<string, MachineSnapshot>());
  const template = cachedIn(templates, state, () => {
    const [parent, child] = state.split('.');
    const value = child === undefined ? parent! : { [parent!]: child };
    return machine.resolveState({ value: value, context: {} as never });
  });
  return { ...template, context };
}

const templatesByMachine = new WeakMap<ConnectionMachine, Map<string, MachineSnapshot>>();

interface Cache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** `cache`'s value for `key`, made by `make` the first time it is asked for. */
export function cachedIn<K, V>(cache: Cache<K, V>, key: K, make: () => V): V {
  return cache.get(key) ?? remember(cache, key, make());
}

function remember<K, V>(cache: Cache<K, V>, key: K, value: V): V {
  cache.set(key, value);
  return value;
}
