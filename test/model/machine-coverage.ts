/**
 * Coverage of a machine by paths, computed from the machine definition itself: every state
 * node, and every transition candidate (each entry of each node's `on` and `always`, in order).
 * Adding a state or a transition to the machine adds it here, so one that no generated path
 * reaches fails the coverage test.
 *
 * Which candidate fired is what the actor itself reports: each step is replayed in an actor
 * restored from the step's snapshot, and its `@xstate.microstep` inspection events name the
 * transitions taken (eventless ones included). Which guarded candidates were refused follows
 * from XState's selection order: from the deepest active state outwards, each node's
 * candidates in order until one is enabled, so every candidate before the one taken was
 * evaluated and found false; likewise for the `always` candidates of a state the step passed
 * through (`attemptEnded`), which no snapshot ever rests in: it counts as entered when a
 * transition taken targets it.
 */
import { createActor, type AnyStateNode, type AnyTransitionDefinition } from 'xstate';
import type { ConnectionEvent } from '../../machines/connection.types.js';
import {
  MODEL_INPUT,
  planPath,
  type LifecycleMachine,
  type MachineSnapshot,
  type ModelPath,
} from '../../src/testing/model/lifecycle-model.js';

export interface Coverage {
  /** Every state node but the root, by id. */
  readonly states: Map<string, boolean>;
  /** Every transition candidate, by label: whether some step took it. */
  readonly taken: Map<string, boolean>;
  /** Every guarded candidate, by label: whether some step evaluated its guard and found it false. */
  readonly refused: Map<string, boolean>;
}

function stateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(stateNodes)];
}

/** Candidates of `node`, in XState's order for an event type (`always` under the type ''). */
function candidates(node: AnyStateNode): [string, AnyTransitionDefinition[]][] {
  return [...node.transitions.entries(), ...(node.always?.length ? [['', node.always] as [string, AnyTransitionDefinition[]]] : [])];
}

function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  // `and([...])` and friends are functions named after the combinator, listing their guards.
  const { type, name, guards } = guard as { type?: string; name?: string; guards?: unknown[] };
  return guards ? `${name}(${guards.map(guardName).join(', ')})` : (type ?? 'inline');
}

/** `connection.connecting on user.send #1 [queueHasRoom]`: stable, readable in a failure, and numbered from 1 as the diagrams number `always` candidates. */
export function transitionLabel(transition: AnyTransitionDefinition): string {
  const list = transition.source.transitions.get(transition.eventType as string) ?? transition.source.always ?? [];
  const on = transition.eventType === '' ? 'always' : `on ${transition.eventType}`;
  const guard = transition.guard === undefined ? '' : ` [${guardName(transition.guard)}]`;
  return `${transition.source.id} ${on} #${list.indexOf(transition) + 1}${guard}`;
}

/** The transitions the actor takes for `event` from `snapshot`, eventless ones included. */
function taken(machine: LifecycleMachine, snapshot: MachineSnapshot, event: ConnectionEvent): AnyTransitionDefinition[] {
  const fired: AnyTransitionDefinition[] = [];
  let listening = false;
  const actor = createActor(machine, {
    snapshot,
    input: MODEL_INPUT,
    inspect: (inspection) => {
      if (listening && inspection.type === '@xstate.microstep')
        fired.push(...(inspection as unknown as { _transitions: AnyTransitionDefinition[] })._transitions);
    },
  });
  actor.start();
  listening = true;
  actor.send(event);
  actor.stop();
  return fired;
}

/** Guarded candidates evaluated and refused for `event` in `snapshot`, given what was taken. */
function refused(snapshot: MachineSnapshot, event: ConnectionEvent, fired: readonly AnyTransitionDefinition[]): AnyTransitionDefinition[] {
  // An eventless transition taken was chosen after every `always` candidate before it refused.
  const eventless = fired.filter((t) => t.eventType === '').flatMap((t) => t.source.always!.slice(0, t.source.always!.indexOf(t)));
  const atomic = snapshot._nodes.filter((node) => node.type === 'atomic');
  const evaluated: AnyTransitionDefinition[] = [];
  for (const leaf of atomic) {
    for (let node: AnyStateNode | undefined = leaf; node !== undefined; node = node.parent) {
      for (const candidate of node.transitions.get(event.type) ?? []) {
        if (fired.includes(candidate)) return [...evaluated, ...eventless];
        evaluated.push(candidate);
      }
    }
  }
  return [...evaluated, ...eventless];
}

/** The state nodes a transition enters: its targets and their ancestors. */
function entered(transition: AnyTransitionDefinition): AnyStateNode[] {
  return (transition.target ?? []).flatMap((target) => {
    const nodes: AnyStateNode[] = [];
    for (let node: AnyStateNode | undefined = target; node !== undefined; node = node.parent) nodes.push(node);
    return nodes;
  });
}

/** Every transition candidate of `machine`, by label. */
export function transitionLabels(machine: LifecycleMachine): string[] {
  return stateNodes(machine.root).flatMap((node) => candidates(node).flatMap(([, list]) => list.map(transitionLabel)));
}

/** What `paths` cover of `machine`. */
export function coverageOf(machine: LifecycleMachine, paths: readonly ModelPath[]): Coverage {
  const nodes = stateNodes(machine.root).filter((node) => node !== machine.root);
  const all = nodes.flatMap((node) => candidates(node).flatMap(([, list]) => list));
  const coverage: Coverage = {
    states: new Map(nodes.map((node) => [node.id, false])),
    taken: new Map(all.map((t) => [transitionLabel(t), false])),
    refused: new Map(all.filter((t) => t.guard !== undefined).map((t) => [transitionLabel(t), false])),
  };
  for (const path of paths) {
    const { start, steps } = planPath(machine, path);
    const enter = (nodes: readonly AnyStateNode[]) => {
      for (const node of nodes) if (coverage.states.has(node.id)) coverage.states.set(node.id, true);
    };
    enter(start.machine._nodes);
    for (const { event, before, after } of steps) {
      const fired = taken(machine, before.machine, event);
      for (const transition of fired) coverage.taken.set(transitionLabel(transition), true);
      for (const transition of refused(before.machine, event, fired)) coverage.refused.set(transitionLabel(transition), true);
      enter([...fired.flatMap(entered), ...after.machine._nodes]);
    }
  }
  return coverage;
}

/** The keys of `map` whose value is false. */
export function missing(map: ReadonlyMap<string, boolean>): string[] {
  return [...map].filter(([, covered]) => !covered).map(([label]) => label);
}
