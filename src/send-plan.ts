/**
 * What `send()` does in each state, read from the machine's own definition.
 *
 * Every `user.send` transition is targetless and assigns nothing: it only names effects (queue
 * the message, write it, report it undelivered). Stepping the machine for it would change
 * nothing in the machine, and costs about a third of a `ws` send, so the shell performs such a
 * transition itself: for each state, the `user.send` candidates XState would consider (the
 * state's own, then its ancestors', in order), their guards evaluated with the machine's guard
 * implementations, the first enabled one's effects performed. The machine still decides: change
 * a `user.send` transition and `send()` changes with it. A transition this cannot perform
 * faithfully (one with a target, an `assign`, an inline guard, or a state whose sends could
 * fall through unanswered) is refused when the module loads, not met at run time.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { ConnectionContext, ConnectionEvent } from '../machines/connection.types.js';

type SendEvent = Extract<ConnectionEvent, { type: 'user.send' }>;

/** What a guard or a parameter function is given, as XState gives it. */
export interface SendArgs {
  readonly context: ConnectionContext;
  readonly event: SendEvent;
}

/** One effect of a `user.send` transition, with its params as the definition gives them (a value, or a function of the step). */
export interface SendEffect {
  readonly type: string;
  readonly params: unknown;
}

/** One `user.send` transition: its guard, its effects, and whether the message is accepted (written or queued) rather than reported undelivered. */
export interface SendCandidate {
  readonly guard: ((args: SendArgs) => boolean) | undefined;
  readonly effects: readonly SendEffect[];
  readonly accepts: boolean;
}

/** The `user.send` candidates of one state, in the order XState tries them; the last is always enabled. */
export type SendPlan = readonly SendCandidate[];

/**
 * The send plan of every leaf state of `machine`, by its flattened name (`open`,
 * `closing.draining`). `effects` names the effects the shell implements; an action that is not
 * one of them (an `assign`) is refused.
 */
export function compileSendPlans(machine: AnyStateMachine, effects: ReadonlySet<string>): ReadonlyMap<string, SendPlan> {
  const plans = new Map<string, SendPlan>();
  for (const node of leaves(machine.root)) {
    const plan: SendCandidate[] = [];
    for (let state: AnyStateNode | undefined = node; state !== undefined; state = state.parent) {
      for (const transition of state.transitions.get('user.send') ?? []) plan.push(candidate(machine, transition, state.id, effects));
    }
    // A state with no unguarded send would drop what no candidate takes, with no report.
    if (!node.always?.length && (plan.length === 0 || plan.at(-1)!.guard !== undefined)) {
      throw new Error(`The state ${node.id} leaves some user.send unanswered: its last candidate must have no guard`);
    }
    plans.set(node.path.join('.'), plan);
  }
  return plans;
}

/**
 * Performs `plan` for a send: the first enabled candidate's effects, each through
 * `perform(target, type, params, args, message)`. Returns whether the message was accepted.
 * On the path of every `send()`: no closure, no iterator.
 */
export function performSend<T, M>(
  plan: SendPlan,
  args: SendArgs,
  target: T,
  message: M,
  perform: (target: T, type: string, params: unknown, args: SendArgs, message: M) => void,
): boolean {
  // The last candidate is unguarded (compileSendPlans checks it): one always answers.
  for (let i = 0; ; i++) {
    const { guard, effects, accepts } = plan[i]!;
    if (guard !== undefined && !guard(args)) continue;
    for (let j = 0; j < effects.length; j++) {
      const { type, params } = effects[j]!;
      perform(target, type, typeof params === 'function' ? (params as (args: SendArgs) => unknown)(args) : params, args, message);
    }
    return accepts;
  }
}

function leaves(node: AnyStateNode): AnyStateNode[] {
  const children = Object.values(node.states) as AnyStateNode[];
  return children.length === 0 ? [node] : children.flatMap(leaves);
}

function candidate(
  machine: AnyStateMachine,
  transition: AnyStateNode['transitions'] extends Map<string, (infer T)[]> ? T : never,
  source: string,
  effects: ReadonlySet<string>,
): SendCandidate {
  const where = `the user.send transition of ${source}`;
  if (transition.target !== undefined && transition.target.length > 0)
    throw new Error(`${where} has a target: the shell performs sends without stepping the machine`);
  const list: SendEffect[] = [];
  for (const action of transition.actions as unknown[]) {
    const { type, params } =
      typeof action === 'string' ? { type: action, params: undefined } : (action as { type?: unknown; params?: unknown });
    if (!isEffect(type, effects))
      throw new Error(`${where} performs ${String(type ?? action)}, which is not an effect the shell implements`);
    list.push({ type, params });
  }
  // A candidate that reports the message undelivered does not accept it.
  const accepts = !list.some((effect) => effect.type === 'rejectMessage');
  return { guard: guardOf(machine, transition.guard, where), effects: list, accepts };
}

/** Whether `type` names one of `effects` (a set of strings: anything else is not one). */
function isEffect(type: unknown, effects: ReadonlySet<string>): type is string {
  return effects.has(type as string);
}

function guardOf(machine: AnyStateMachine, guard: unknown, where: string): SendCandidate['guard'] {
  if (guard === undefined) return undefined;
  const { type, params } = typeof guard === 'string' ? { type: guard, params: undefined } : (guard as { type?: unknown; params?: unknown });
  const implementation =
    typeof type === 'string'
      ? (machine.implementations.guards[type] as ((args: SendArgs, params: unknown) => boolean) | undefined)
      : undefined;
  if (implementation === undefined)
    throw new Error(`${where} has a guard the shell cannot evaluate (a named guard of the machine is required)`);
  return (args) => implementation(args, typeof params === 'function' ? (params as (args: SendArgs) => unknown)(args) : params);
}
