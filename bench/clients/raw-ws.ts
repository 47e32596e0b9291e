/**
 * Raw `ws`, the reference: once with its `EventEmitter` API (`on`), the baseline for
 * `Connection.on`, and once with its `addEventListener` API, the baseline for
 * `ManagedWebSocket` and the peer libraries, which all expose (or wrap) the event-target shape.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { idleWebSocket, ignore, socketHandle, webSocketHandle, type Adapter, type ClientHandle } from './adapter.js';

/** The names the report keys on. */
export const RAW = 'ws.on';
export const RAW_EVENT_TARGET = 'ws.addEventListener';
export const CONTROL = 'ws.on (noise control)';

export function rawWsOn(name: string): Adapter {
  return {
    name,
    kind: 'on',
    queuesBeforeOpen: false,
    connect(url, handlers) {
      const ws = new WebSocket(url);
      ws.on('open', () => handlers.open());
      // Text arrives as a Buffer; an app wanting the string converts it, as the other APIs do.
      ws.on('message', (data: Buffer, isBinary) => handlers.message(isBinary ? data : data.toString()));
      ws.on('close', () => handlers.close());
      ws.on('error', ignore);
      return socketHandle(ws, pollingProducer(ws));
    },
    idle(url, handlers) {
      const ws = new WebSocket(url);
      ws.on('open', handlers.open);
      ws.on('message', handlers.message);
      ws.on('close', handlers.close);
      ws.on('error', ignore);
      return ws;
    },
  };
}

/** What an app does with raw `ws` to bound its memory: poll `bufferedAmount`, which has no event. */
function pollingProducer(ws: WebSocket): ClientHandle['produce'] {
  return async (chunk, count, highWaterMark, afterEach) => {
    for (let i = 0; i < count; i++) {
      while (ws.bufferedAmount >= highWaterMark) await sleep(1);
      ws.send(chunk);
      afterEach();
    }
  };
}

export function rawWsEventTarget(name: string): Adapter {
  return {
    name,
    kind: 'event-target',
    queuesBeforeOpen: false,
    connect(url, handlers) {
      const ws = new WebSocket(url);
      return webSocketHandle(ws, handlers, pollingProducer(ws));
    },
    idle: (url, handlers) => idleWebSocket(new WebSocket(url), handlers),
  };
}
