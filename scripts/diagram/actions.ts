/**
 * Names a state's entry and exit actions for a diagram: `startTimer(connect)`, with the string
 * params a reader needs (which timer, which reason) and nothing else.
 *
 * An `enqueueActions` block decides at run time what to enqueue, so its list is found by
 * running it once against a context in which every field reads truthy and every `check`
 * passes, and each action it can enqueue is drawn with a `?` (it runs only under a condition).
 * Params computed from the context are read the same way, which keeps their constant strings.
 */
import type { AnyStateNode } from 'xstate';

type Action = AnyStateNode['entry'][number];

/** What `?` after an action name means, for a diagram's legend. */
export const CONDITIONAL_MARK = '?';

/** The actions of a state's entry or exit, named, with repeats of one action merged: `cancelTimer(stable, ping)`. */
export function describeActions(actions: readonly Action[]): string[] {
  const named = actions.flatMap((action) => describeAction(action));
  const merged: { name: string; args: string[]; mark: string }[] = [];
  for (const { name, args, mark } of named) {
    const last = merged.at(-1);
    // Conditional ones stay apart: each has a condition of its own.
    if (last !== undefined && last.name === name && mark === '' && last.mark === '' && last.args.length > 0 && args.length > 0)
      last.args.push(...args);
    else merged.push({ name, args: [...args], mark });
  }
  return merged.map(({ name, args, mark }) => `${name}${args.length === 0 ? '' : `(${args.join(', ')})`}${mark}`);
}

interface NamedAction {
  readonly name: string;
  readonly args: readonly string[];
  readonly mark: string;
}

function describeAction(action: unknown, mark = ''): NamedAction[] {
  if (typeof action === 'string') return [{ name: action, args: [], mark }];
  const { type, params, collect } = action as { type?: unknown; params?: unknown; collect?: unknown };
  if (type === 'xstate.enqueueActions' && typeof collect === 'function') {
    return enqueued(collect as (...args: unknown[]) => void).flatMap((enqueuedAction) => describeAction(enqueuedAction, CONDITIONAL_MARK));
  }
  const name = typeof type === 'string' ? type.replace(/^xstate\./, '') : typeof action === 'function' ? action.name || 'inline' : 'inline';
  return [
    {
      name,
      args: stringParams(typeof params === 'function' ? safely(() => (params as (args: unknown) => unknown)(probeArgs())) : params),
      mark,
    },
  ];
}

/** The string values among `params`: the constants that tell one use of an action from another. */
function stringParams(params: unknown): string[] {
  if (typeof params !== 'object' || params === null) return [];
  return Object.values(params).filter((value): value is string => typeof value === 'string');
}

/** Every action an `enqueueActions` block can enqueue, found by running it with all conditions true. */
function enqueued(collect: (...args: unknown[]) => void): unknown[] {
  const actions: unknown[] = [];
  const enqueue = Object.assign((action: unknown) => void actions.push(action), {
    assign: () => void actions.push('assign'),
    raise: () => void actions.push('raise'),
    emit: () => void actions.push('emit'),
    sendTo: () => void actions.push('sendTo'),
    cancel: () => void actions.push('cancel'),
    spawnChild: () => void actions.push('spawnChild'),
    stopChild: () => void actions.push('stopChild'),
  });
  return safely(() => (collect({ ...probeArgs(), enqueue, check: () => true }, undefined), actions)) ?? ['enqueueActions'];
}

/** Arguments for a params function or an `enqueueActions` block: every context field reads `true`. */
function probeArgs(): { context: unknown; event: unknown } {
  const truthy = new Proxy({}, { get: () => true });
  return { context: truthy, event: { type: '' } };
}

function safely<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
