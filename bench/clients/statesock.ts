/**
 * This library, through both of its APIs: `Connection` (`on`) and `ManagedWebSocket`
 * (`addEventListener`), with their defaults; the queue bounds are raised only for the
 * million-message queued workload.
 */
import type { ConnectionOptions } from '../../src/index.js';
import { statesock, streams } from '../built.js';
import { idleWebSocket, webSocketHandle, type Adapter } from './adapter.js';

const { createConnection, ManagedWebSocket } = statesock;
const { connectionStreams } = streams;

const QUEUE_LIMITS = { maxQueuedMessages: 2_000_000, maxQueuedBytes: 1024 * 1024 * 1024 } as const;

export const connectionOn: Adapter = {
  name: 'Connection.on',
  kind: 'on',
  queuesBeforeOpen: true,
  connect(url, handlers, options) {
    const given: ConnectionOptions = {
      ...(options?.queueMany ? QUEUE_LIMITS : {}),
      ...(options?.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    };
    const connection = Object.keys(given).length === 0 ? createConnection(url) : createConnection(url, given);
    connection.on('open', () => handlers.open());
    connection.on('message', (data) => handlers.message(data));
    connection.on('close', () => handlers.close());
    return {
      send: (data) => void connection.send(data),
      close: () => void connection.close(),
      get bufferedAmount() {
        return connection.bufferedAmount;
      },
      // The streams adapter: the writable waits for connection.ready before each chunk.
      async produce(chunk, count, _highWaterMark, afterEach) {
        const writer = connectionStreams(connection).writable.getWriter();
        for (let i = 0; i < count; i++) {
          await writer.ready;
          void writer.write(chunk);
          afterEach();
        }
        await writer.ready;
        writer.releaseLock();
      },
    };
  },
  idle(url, handlers) {
    const connection = createConnection(url);
    connection.on('open', handlers.open);
    connection.on('message', handlers.message);
    connection.on('close', handlers.close);
    return connection;
  },
};

export const managedWebSocket: Adapter = {
  name: 'ManagedWebSocket',
  kind: 'event-target',
  queuesBeforeOpen: true,
  connect(url, handlers, options) {
    const socket = options?.queueMany ? new ManagedWebSocket(url, [], QUEUE_LIMITS) : new ManagedWebSocket(url);
    return webSocketHandle(socket, handlers);
  },
  idle: (url, handlers) => idleWebSocket(new ManagedWebSocket(url), handlers),
};
