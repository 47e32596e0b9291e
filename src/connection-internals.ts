/**
 * Keys of the `Connection` members that the package's own layers use and applications cannot
 * reach: the symbols are not exported from the package. A module holding only these keys lets an
 * optional layer (the JSON channel) use them without pulling `Connection` into a bundle that
 * does not otherwise need it; and the one hook an optional layer may set to hear connections
 * being created.
 */
import type { Connection } from './connection.js';

/** `connection[observe](observer)`: `observer` hears every event, before the listeners (`ManagedWebSocket`). */
export const observe: unique symbol = Symbol('statesock.observe');

/**
 * `connection[clock]()`: the clock the connection runs on, for layers whose timing must follow
 * it (the JSON channel's warnings), so that tests on a simulated clock drive them too.
 */
export const clock: unique symbol = Symbol('statesock.clock');

/**
 * Hears each `Connection` at the end of its constructor, once an optional layer has set it with
 * `onConnectionCreated` (`statesock/inspector` does, so that its element can show connections
 * created before it). Unset, which it stays unless that layer is imported, a connection pays one
 * read of this binding when created and holds nothing for it.
 */
export let connectionCreated: ((connection: Connection) => void) | undefined;

/** Sets the one `connectionCreated` hook (`undefined` removes it). */
export function onConnectionCreated(hook: ((connection: Connection) => void) | undefined): void {
  connectionCreated = hook;
}

/**
 * `connection[pauseReads](paused)`: stops (or resumes) reading from the network, on this socket
 * and every later attempt's, for a slow reader (the streams adapter). Returns whether the
 * transport can pause; where it cannot (browsers), nothing changes.
 */
export const pauseReads: unique symbol = Symbol('statesock.pauseReads');
