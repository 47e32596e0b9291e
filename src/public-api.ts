/**
 * Everything the package exports, shared by the Node and browser entry points (which differ
 * only in the default transport they register).
 */
export { Connection, createConnection } from './connection.js';
export type {
  CloseEventInfo,
  ConnectionEventMap,
  ConnectionStateName,
  GiveUpInfo,
  OpenInfo,
  ReconnectInfo,
  ReadyState,
  StateChange,
  UndeliveredMessage,
} from './connection-events.js';
export { DEFAULTS, type ConnectionOptions } from './options.js';
export type { Clock } from './time.js';
export type { OutgoingData } from './byte-length.js';
export {
  nativeTransport,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketLikeEventMap,
} from './transports/native-transport.js';
export type { ConnectionActor } from './engine.js';
export type { AddListenerOptions, Listener, ListenerOptions, MessageEventOf } from './dom-types.js';
export type {
  BinaryType,
  IncomingData,
  NodeClientOptions,
  PerMessageDeflateOptions,
  Transport,
  TransportHandlers,
  TransportRequest,
  TransportSocket,
} from './transports/transport.js';
export { connectionMachine, ABNORMAL_CLOSURE, type ConnectionMachine } from '../machines/connection.machine.js';
export { isRetryableClose, RETRYABLE_CLOSE_CODES } from '../machines/reconnect-policy.js';
export type { UrlSource } from './url-source.js';
export type {
  CloseCause,
  CloseInfo,
  ConnectionContext,
  ConnectionEvent,
  ConnectionInput,
  EnvironmentEvent,
  SocketEvent,
  TimerEvent,
  UserEvent,
  GiveUpReason,
  TimerName,
  TransportFailure,
  UndeliveredReason,
} from '../machines/connection.types.js';
export {
  ManagedWebSocket,
  type ManagedWebSocketEventMap,
  type ManagedWebSocketHandler,
  type ManagedWebSocketOptions,
} from './managed-websocket.js';
export { CloseEventImpl as CloseEvent, type CloseEventConstructor, type CloseEventInit } from './close-event.js';
export { UndeliveredEvent, type UndeliveredEventInit } from './undelivered-event.js';
export {
  jsonChannel,
  type JsonChannel,
  type JsonChannelOptions,
  type JsonParseError,
  type JsonParseErrorReason,
  type MessageValidator,
  type TypedMessage,
} from './json/index.js';
