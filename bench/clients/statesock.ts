/**
 * This library, through both of its APIs: `Connection` (`on`) and `ManagedWebSocket`
 * (`addEventListener`), with their defaults; the queue bounds are raised only for the
 * million-message queued workload.
 */
import { createConnection, ManagedWebSocket } from '../../src/index.js';
import type { Adapter } from './adapter.js';

const QUEUE_LIMITS = { maxQueuedMessages: 2_000_000, maxQueuedBytes: 1024 * 1024 * 1024 } as const;

export const connectionOn: Adapter = {
  name: 'Connection.on',
  kind: 'on',
  queuesBeforeOpen: true,
  connect(url, handlers, options) {
    const connection = options?.queueMany ? createConnection(url, QUEUE_LIMITS) : createConnection(url);
    connection.on('open', () => handlers.open());
    connection.on('message', (data) => handlers.message(data));
    connection.on('close', () => handlers.close());
    return { send: (data) => void connection.send(data), close: () => void connection.close() };
  },
};

export const managedWebSocket: Adapter = {
  name: 'ManagedWebSocket',
  kind: 'event-target',
  queuesBeforeOpen: true,
  connect(url, handlers, options) {
    const socket = options?.queueMany ? new ManagedWebSocket(url, [], QUEUE_LIMITS) : new ManagedWebSocket(url);
    socket.addEventListener('open', () => handlers.open());
    socket.addEventListener('message', (event) => handlers.message(event.data));
    socket.addEventListener('close', () => handlers.close());
    socket.addEventListener('error', () => {});
    return { send: (data) => socket.send(data), close: () => socket.close() };
  },
};
