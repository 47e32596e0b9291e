/**
 * Steps a session's machine without an actor, and performs `send()` without stepping it: the
 * same two techniques the connection uses (`machine-runner.ts`, `send-plan.ts`), for the
 * session machine's types.
 *
 * - A step is XState's own `machine.transition()` with one scope shared by every session, its
 *   actions handed to the session being stepped: a session keeps a snapshot, not a 4 KB actor.
 * - Every `user.send` transition is targetless and assigns nothing, so stepping for it would
 *   change nothing: for each leaf state, the candidates XState would try (the state's own, then
 *   its ancestors') are compiled once, with the machine's guard implementations, and `send()`
 *   performs the first enabled one's effects. A transition that could not be performed that way
 *   is refused when the module loads.
 */
import type { AnyStateNode, SnapshotFrom } from 'xstate';
import { inertScope, steppedBy, type EffectPerformer } from '../machine-runner.js';
import type { SessionMachine } from '../../machines/session.machine.js';
import type { SessionContext, SessionEvent, SessionInput } from '../../machines/session.types.js';

export type SessionSnapshot = SnapshotFrom<SessionMachine>;

/** The one scope every machine stepped without an actor shares (`machine-runner.ts`). */
const scope = inertScope as unknown as Parameters<SessionMachine['transition']>[2];

/** The initial snapshot for `input`, its entry actions performed by `performer`. */
export function initialSession(machine: SessionMachine, input: SessionInput, performer: EffectPerformer): SessionSnapshot {
  return steppedBy(performer, () => machine.getInitialSnapshot(scope, input));
}

/** The snapshot after `event`, its actions performed by `performer`. */
export function stepSession(snapshot: SessionSnapshot, event: SessionEvent, performer: EffectPerformer): SessionSnapshot {
  return steppedBy(performer, () => snapshot.machine.transition(snapshot, event, scope));
}

/** The leaf state of a snapshot, dotted: `negotiating.awaitingHello`. */
export function leafOf(snapshot: SessionSnapshot): string {
  let value: unknown = snapshot.value;
  const path: string[] = [];
  while (typeof value === 'object' && value !== null) {
    const [key, child] = Object.entries(value as Record<string, unknown>)[0]!;
    path.push(key);
    value = child;
  }
  path.push(value as string);
  return path.join('.');
}

type SendEvent = Extract<SessionEvent, { type: 'user.send' }>;

/** What a guard or a params function of a `user.send` transition is given. */
export interface SendArgs {
  readonly context: SessionContext;
  readonly event: SendEvent;
}

/** One `user.send` candidate: its guard and its effects, each with its params as the definition gives them. */
export interface SendCandidate {
  readonly guard: ((args: SendArgs) => boolean) | undefined;
  readonly effects: readonly { readonly type: string; readonly params: unknown }[];
}

/** Each leaf state's `user.send` candidates, in XState's order, by dotted name. */
export function compileSendPlans(machine: SessionMachine, effects: ReadonlySet<string>): ReadonlyMap<string, readonly SendCandidate[]> {
  const plans = new Map<string, readonly SendCandidate[]>();
  for (const leaf of leaves(machine.root)) {
    const plan: SendCandidate[] = [];
    for (let node: AnyStateNode | undefined = leaf; node !== undefined; node = node.parent) {
      for (const transition of node.transitions.get('user.send') ?? []) {
        const where = `the user.send transition of ${node.id}`;
        if (transition.target !== undefined && transition.target.length > 0) throw new Error(`${where} has a target`);
        const list = (transition.actions as unknown[]).map((action) => {
          const { type, params } =
            typeof action === 'string' ? { type: action, params: undefined } : (action as { type?: unknown; params?: unknown });
          if (typeof type !== 'string' || !effects.has(type)) throw new Error(`${where} performs ${String(type)}, which is not an effect`);
          return { type, params };
        });
        plan.push({ guard: guardOf(machine, transition.guard, where), effects: list });
      }
    }
    if (plan.length === 0 || plan.at(-1)!.guard !== undefined) {
      throw new Error(`The state ${leaf.id} leaves some user.send unanswered: its last candidate must have no guard`);
    }
    plans.set(leaf.path.join('.'), plan);
  }
  return plans;
}

function guardOf(machine: SessionMachine, guard: unknown, where: string): SendCandidate['guard'] {
  if (guard === undefined) return undefined;
  const implementation =
    typeof guard === 'string' ? (machine.implementations.guards[guard] as ((args: SendArgs) => boolean) | undefined) : undefined;
  if (implementation === undefined) throw new Error(`${where} has a guard the shell cannot evaluate (a named guard is required)`);
  return implementation;
}

function leaves(node: AnyStateNode): AnyStateNode[] {
  const children = Object.values(node.states) as AnyStateNode[];
  return children.length === 0 ? [node] : children.flatMap(leaves);
}
