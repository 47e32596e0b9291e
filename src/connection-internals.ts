/**
 * Keys of the `Connection` members that the package's own layers use and applications cannot
 * reach: the symbols are not exported from the package. A module holding only these keys lets an
 * optional layer (the JSON channel) use them without pulling `Connection` into a bundle that
 * does not otherwise need it.
 */

/** `connection[observe](observer)`: `observer` hears every event, before the listeners (`ManagedWebSocket`). */
export const observe: unique symbol = Symbol('statesock.observe');

/**
 * `connection[clock]()`: the clock the connection runs on, for layers whose timing must follow
 * it (the JSON channel's warnings), so that tests on a simulated clock drive them too.
 */
export const clock: unique symbol = Symbol('statesock.clock');
