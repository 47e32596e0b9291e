/**
 * `statesock/reliable` for browsers and workers: reliable sessions over the platform's
 * `WebSocket`. See `docs/reliable-sessions.md`.
 */
export { createReliableSession, ReliableSession } from './session.js';
export { SESSION_DEFAULTS, type ReliableSessionOptions, type SessionOptions } from './options.js';
export type {
  ReliableSessionEventMap,
  SessionBegun,
  SessionFallback,
  SessionLost,
  SessionStateName,
  SessionUndelivered,
} from './events.js';
export { CLOSE_CODES, SESSION_PROTOCOL, PROTOCOL_VERSION, type ProtocolCause } from './protocol.js';
export { sessionMachine, type SessionMachine } from '../../machines/session.machine.js';
export type {
  FallbackReason,
  SessionContext,
  SessionEvent,
  SessionInput,
  SessionLossReason,
  SessionConnectionEvent,
  SessionServerEvent,
  SessionTimerEvent,
  SessionTimerName,
  SessionUndeliveredReason,
  SessionUserEvent,
} from '../../machines/session.types.js';
