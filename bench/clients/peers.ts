/**
 * The libraries people pick instead, given `ws` as their `WebSocket` constructor as their
 * docs say to in Node. Both queue before open without bound by default, and both are driven
 * through `addEventListener`. Their reconnection is irrelevant here: every connection is
 * closed by the client, which stops it.
 */
import WebSocket from 'ws';
import PartySocket from 'partysocket/ws';
import ReconnectingWebSocketModule from 'reconnecting-websocket';
import { idleWebSocket, webSocketHandle, type Adapter } from './adapter.js';

/** reconnecting-websocket ships CommonJS (`module.exports = Class`) under an ES-module `export default` typing. */
type ReconnectingWebSocketClass = typeof ReconnectingWebSocketModule.default;
const ReconnectingWebSocket = ((ReconnectingWebSocketModule as unknown as { default?: unknown }).default ??
  ReconnectingWebSocketModule) as ReconnectingWebSocketClass;

/** Neither library should give up on a slow open while 10,000 connections are being made. */
const PATIENT = { connectionTimeout: 120_000, maxRetries: 0 } as const;

export const partysocket = peer('partysocket', (url) => new PartySocket(url, [], { WebSocket, ...PATIENT }));

export const reconnectingWebSocket = peer('reconnecting-websocket', (url) => new ReconnectingWebSocket(url, [], { WebSocket, ...PATIENT }));

/** Either library, driven the same way: it takes `addEventListener` listeners and `WebSocket`'s own members. */
type PeerSocket = PartySocket | InstanceType<ReconnectingWebSocketClass>;

function peer(name: string, open: (url: string) => PeerSocket): Adapter {
  return {
    name,
    kind: 'event-target',
    queuesBeforeOpen: true,
    connect: (url, handlers) => webSocketHandle(open(url), handlers),
    idle: (url, handlers) => idleWebSocket(open(url), handlers),
  };
}
