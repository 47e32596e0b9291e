/**
 * The machine's states as an application sees them, for the oracles: the flattened name of a
 * snapshot's state and the `readyState` each reads. Written here from the WHATWG WebSockets
 * Standard's readyState values and the README's table of states, not taken from the shell, so
 * that a shell that maps a state wrongly disagrees with the oracle instead of agreeing with it.
 */
import type { StateValue } from 'xstate';
import type { ConnectionStateName, ReadyState } from '../../connection-events.js';

/** `readyState` by state: the wait to reconnect reads CONNECTING, as `send()` queues there. */
export const READY_STATE_OF: Readonly<Record<ConnectionStateName, ReadyState>> = {
  connecting: 0,
  reconnecting: 0,
  open: 1,
  'closing.draining': 2,
  'closing.handshake': 2,
  'closing.aborting': 2,
  closed: 3,
  gaveUp: 3,
};

/** The flattened name of a state value: `open`, or `closing.draining` for `{ closing: 'draining' }`. */
export function nameOf(value: StateValue): ConnectionStateName {
  if (typeof value === 'string') return value as ConnectionStateName;
  const entries = Object.entries(value);
  if (entries.length !== 1) throw new Error(`Expected one active state, got ${JSON.stringify(value)}`);
  const [parent, child] = entries[0]!;
  return `${parent}.${nameOf(child as StateValue)}` as ConnectionStateName;
}

/** The flattened state name of a machine snapshot. */
export function stateOf(snapshot: { readonly value: StateValue }): ConnectionStateName {
  return nameOf(snapshot.value);
}
