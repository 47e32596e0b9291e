/**
 * Callbacks for what a connection hears: any of its events (`message` first), and the typed
 * messages of a JSON channel. A callback runs for each event and renders nothing by itself: a
 * component that should show a message sets its state there.
 */
import { useEffect, useInsertionEffect, useRef } from 'react';
import type { Connection } from '../connection.js';
import type { ConnectionEventMap } from '../connection-events.js';
import { jsonChannel, type JsonChannel } from '../json/channel.js';
import type { TypedMessage } from '../json/parse.js';

/**
 * The newest `callback`, for a listener that stays subscribed across renders. Put in place by an
 * insertion effect, which runs at each commit before any other effect and event, and which server
 * rendering skips without a warning (a layout effect draws one from React 18 there).
 */
function useLatest<T>(callback: T): { readonly current: T } {
  const latest = useRef(callback);
  useInsertionEffect(() => {
    latest.current = callback;
  });
  return latest;
}

/**
 * Calls `listener` with each `type` event of `connection` (`message`, `open`, `close`,
 * `undelivered`...) while the component is mounted. The newest `listener` is called: it need not
 * be memoized, and a new one does not resubscribe. Does nothing while `connection` is undefined.
 */
export function useConnectionEvent<K extends keyof ConnectionEventMap>(
  connection: Connection | undefined,
  type: K,
  listener: (payload: ConnectionEventMap[K]) => void,
): void {
  const latest = useLatest(listener);
  useEffect(() => connection?.on(type, (payload) => latest.current(payload)), [connection, type, latest]);
}

const channels = new WeakMap<Connection, JsonChannel<TypedMessage, TypedMessage>>();

/**
 * The JSON channel of `connection`, one per connection however many components ask, so each
 * message is parsed once (`undefined` while `connection` is). For a channel with a `validate`
 * function, call `jsonChannel` yourself, once per connection, and pass it to `useJsonMessage`.
 */
export function useJsonChannel<Incoming extends TypedMessage, Outgoing extends TypedMessage = TypedMessage>(
  connection: Connection | undefined,
): JsonChannel<Incoming, Outgoing> | undefined {
  if (connection === undefined) return undefined;
  let channel = channels.get(connection);
  if (channel === undefined) channels.set(connection, (channel = jsonChannel(connection)));
  return channel as unknown as JsonChannel<Incoming, Outgoing>;
}

/**
 * Calls `listener` with each message of `type` on `channel` while the component is mounted, as
 * `useConnectionEvent` does for a connection's events.
 */
export function useJsonMessage<Incoming extends TypedMessage, Outgoing extends TypedMessage, T extends Incoming['type']>(
  channel: JsonChannel<Incoming, Outgoing> | undefined,
  type: T,
  listener: (message: Extract<Incoming, { type: T }>) => void,
): void {
  const latest = useLatest(listener);
  useEffect(() => channel?.on(type, (message) => latest.current(message)), [channel, type, latest]);
}
