/**
 * Shared by the integration suites: connections and servers a test opens are closed after it
 * (connections first, then servers, which unblocks any close still waiting on a peer), so no
 * test leaves a socket behind for the next.
 */
import { afterEach } from 'vitest';
import { createConnection, type Connection, type ConnectionEventMap, type ConnectionOptions } from '../../src/index.js';

export interface Harness {
  /** Registers `server` to be closed after the test; returns it. */
  readonly serve: <T extends { close(): Promise<void> }>(server: T) => T;
  /** Opens a connection that is closed after the test. */
  readonly connect: (url: string, options?: ConnectionOptions) => Connection;
}

/** Call once at the top of a test file. */
export function useHarness(): Harness {
  const connections: Connection[] = [];
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    const open = connections.splice(0);
    for (const connection of open) if (connection.readyState < 2) void connection.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await Promise.all(open.map((connection) => connection.closed));
  });
  return {
    serve: (server) => {
      servers.push(server);
      return server;
    },
    connect: (url, options) => {
      const connection = createConnection(url, options);
      connections.push(connection);
      return connection;
    },
  };
}

/** The next `type` event the connection emits. */
export function nextEvent<K extends keyof ConnectionEventMap>(connection: Connection, type: K): Promise<ConnectionEventMap[K]> {
  return new Promise((resolve) => {
    const off = connection.on(type, (payload) => {
      off();
      resolve(payload);
    });
  });
}
