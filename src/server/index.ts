/**
 * `statesock/server` (Node only): reliable sessions on a `ws` `WebSocketServer`, the server side
 * of `statesock/reliable`. See `docs/reliable-sessions.md` and, for the wire format,
 * `docs/protocol.md`.
 */
export {
  attachSessions,
  createSessionServer,
  offersSession,
  SERVER_DEFAULTS,
  type LinkSocket,
  type SessionServer,
  type SessionServerEventMap,
  type SessionServerOptions,
} from './session-server.js';
export type {
  ServerIncomingData,
  ServerOutgoingData,
  ServerSession,
  ServerSessionEndReason,
  ServerSessionEventMap,
  ServerSessionState,
  ServerUndeliveredReason,
} from './server-session.js';
export {
  memorySessionStore,
  type MaybePromise,
  type MemorySessionStoreOptions,
  type SessionClaim,
  type SessionRecord,
  type SessionStore,
} from './store.js';
export { CLOSE_CODES, SESSION_PROTOCOL, PROTOCOL_VERSION, type ProtocolCause } from '../reliable/protocol.js';
