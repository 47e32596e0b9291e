/**
 * `statesock/react`: React hooks over a connection. `useConnection` gives a component the
 * connection's state and `send`, re-rendering when the state changes and never for a message;
 * components that ask for the same URL and options share one connection; nothing is opened
 * during server rendering. `useConnectionEvent` and `useJsonMessage` hand messages (and any
 * other event) to a callback, which may set state when the component should render them.
 *
 * React 18 and 19 are peer dependencies; nothing here is imported unless this entry is.
 */
export { useConnection, type UseConnectionResult } from './use-connection.js';
export { useConnectionEvent, useJsonChannel, useJsonMessage } from './use-events.js';
export { RELEASE_DELAY } from './shared.js';
