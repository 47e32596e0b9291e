/**
 * The page's live connections, as the inspector sees them: recorded from creation once
 * `trackConnections()` has set the core's creation hook (importing `statesock/inspector` does),
 * and let go when they end. Nothing here exists, and no connection pays anything, until then.
 */
import type { Connection } from '../connection.js';
import { onConnectionCreated } from '../connection-internals.js';
import { ConnectionRecord } from './record.js';

/** Every record made, by connection: one per connection, shared by every element that shows it. */
const records = new WeakMap<Connection, ConnectionRecord>();
/** The records of connections not yet over, oldest first. */
const live = new Set<ConnectionRecord>();
/** Who hears of each new connection. */
const watchers = new Set<(record: ConnectionRecord) => void>();

/**
 * Records every connection created from now on, and tells the watchers. The record listens at
 * once, inside the constructor, so it hears the connection's first `state` event; the watchers
 * hear of it in a microtask, once `createConnection` has returned, so that nothing they do (an
 * element drawing it) runs inside the application's call or can make it throw.
 */
export function trackConnections(): void {
  onConnectionCreated((connection) => {
    let record: ConnectionRecord;
    try {
      record = recordOf(connection);
    } catch (error) {
      // The inspector's failure is not the application's: createConnection must still return.
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    live.add(record);
    void connection.closed.then(() => live.delete(record));
    queueMicrotask(() => {
      for (const watcher of watchers) watcher(record);
    });
  });
}

/** The record of `connection`, made now if it has none (a connection created before tracking started, given to an element). */
export function recordOf(connection: Connection): ConnectionRecord {
  let record = records.get(connection);
  if (record === undefined) records.set(connection, (record = new ConnectionRecord(connection)));
  return record;
}

/** The records of the connections not yet over, oldest first. */
export function liveRecords(): ConnectionRecord[] {
  return [...live];
}

/** Calls `watcher` with the record of each connection created from now on; returns a function that stops. */
export function watchConnections(watcher: (record: ConnectionRecord) => void): () => void {
  const once = (record: ConnectionRecord): void => watcher(record);
  watchers.add(once);
  return () => watchers.delete(once);
}
