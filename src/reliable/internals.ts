/**
 * Keys of the `ReliableSession` members that the package's tests use and applications cannot
 * reach: the symbol is not exported from the package.
 */

/** `session[leafState]()`: the session machine's dotted leaf state (`resuming.awaitingHello`), for the generated paths. */
export const leafState: unique symbol = Symbol('statesock.session.leafState');
