/**
 * `useConnection`: a connection's state for a component, over `useSyncExternalStore`.
 */
import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { OutgoingData } from '../byte-length.js';
import { Connection, createConnection } from '../connection.js';
import { readyStateOfName, type ConnectionStateName, type ReadyState } from '../connection-events.js';
import type { ConnectionOptions } from '../options.js';
import type { UrlSource } from '../url-source.js';
import { sharingKey } from './key.js';
import { shareConnection, holdShared, type SharedConnection } from './shared.js';

/** What `useConnection` gives a component. */
export interface UseConnectionResult {
  /**
   * The connection: shared with every component that asked for the same URL and options, or the
   * one given. `undefined` during server rendering and hydration, when nothing is opened.
   */
  readonly connection: Connection | undefined;
  /** The machine's state (`connecting` while there is no connection yet). The component re-renders when it changes. */
  readonly state: ConnectionStateName;
  /** The `WebSocket` ready state of that state: 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: ReadyState;
  /**
   * `connection.send(data)`: queued before the socket opens, written once it is, or reported as
   * `undelivered`. Stable while the connection is the same. Throws an `InvalidStateError` where
   * there is no connection (during server rendering and hydration: send from an effect or an
   * event handler).
   */
  readonly send: (data: OutgoingData) => boolean;
}

const subscribeToNothing = () => () => {};
const onClient = () => true;
const onServer = () => false;

/**
 * The connection to `url` with `options`, shared by every component of the page that asks for the
 * same URL and options (compared by value; functions and other objects in the options by identity,
 * so keep them the same from render to render). It is opened on the first client render that asks
 * for it, and closed `RELEASE_DELAY` ms after the last component using it unmounts, so that a
 * remount (StrictMode's, in development) reuses it: the server sees one upgrade. During server
 * rendering and hydration nothing is opened: `connection` is `undefined` and `state` `connecting`.
 *
 * Given a connection instead, it follows that one, and never closes it.
 *
 * A shared connection that is over (closed, or gave up) stays the component's until it unmounts or
 * asks for another URL or other options; components that ask afterwards get a new one.
 */
export function useConnection(url: UrlSource, options?: ConnectionOptions): UseConnectionResult;
export function useConnection(connection: Connection): UseConnectionResult;
export function useConnection(source: UrlSource | Connection, options?: ConnectionOptions): UseConnectionResult {
  const given = source instanceof Connection ? source : undefined;
  if (given !== undefined && options !== undefined) {
    throw new TypeError('Expected no options with a connection given to useConnection: options apply to a connection it creates');
  }
  // False during server rendering and hydration, true from the first client render on.
  const client = useSyncExternalStore(subscribeToNothing, onClient, onServer);
  const key = given === undefined ? sharingKey(source as UrlSource, options) : undefined;
  const held = useRef<SharedConnection | undefined>(undefined);
  if (client && key !== undefined && held.current?.key !== key) {
    // Taking is idempotent and costs no use: a render React throws away leaves a connection that
    // closes after the delay, unless a component subscribes to it first.
    held.current = shareConnection(key, () => createConnection(source as UrlSource, options));
  }
  const shared = key === undefined ? undefined : held.current;
  const connection = given ?? shared?.connection;

  const subscribe = useCallback(
    (changed: () => void) => {
      if (connection === undefined) return () => {};
      const stopUsing = shared === undefined ? undefined : holdShared(shared);
      const stopListening = connection.on('state', changed);
      return () => {
        stopListening();
        stopUsing?.();
      };
    },
    [connection, shared],
  );
  const state = useSyncExternalStore(
    subscribe,
    () => connection?.state ?? 'connecting',
    () => given?.state ?? 'connecting',
  );
  const send = useCallback(
    (data: OutgoingData): boolean => {
      if (connection === undefined) {
        throw new DOMException(
          'useConnection has no connection during server rendering or hydration: send from an effect or an event handler',
          'InvalidStateError',
        );
      }
      return connection.send(data);
    },
    [connection],
  );
  return { connection, state, readyState: readyStateOfName(state), send };
}
