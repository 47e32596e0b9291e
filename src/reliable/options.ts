/**
 * A reliable session's options, declared once: the session's own (type with TSDoc defaults,
 * `SESSION_DEFAULTS`, validation that throws a `TypeError` naming the option, the value and
 * what was expected), beside the connection's, which pass through to `createConnection`.
 */
import type { CloseInfo } from '../../machines/connection.types.js';
import { isRetryableClose } from '../../machines/reconnect-policy.js';
import type { ConnectionOptions } from '../options.js';
import type { BinaryType } from '../transports/transport.js';
import { describeValue, integerOption, normalizeProtocols } from '../validation.js';
import { CLOSE_CODES, SESSION_PROTOCOL } from './protocol.js';

/** The session's own options; the connection's (`ConnectionOptions`) may be given beside them. */
export interface SessionOptions {
  /**
   * The most messages held until the server acknowledges them (sent and unacknowledged, or
   * waiting for a session); `send()` refuses more, reporting them `buffer-full`, and `ready`
   * says when there is room. @default 10000
   */
  readonly maxUnackedMessages?: number;
  /** The most bytes (UTF-8 for strings) held until acknowledged. @default 16777216 (16 MiB) */
  readonly maxUnackedBytes?: number;
  /**
   * How long after a socket opens the server's hello may take, in ms; without one the session
   * falls back to a plain connection (a `fallback` event). @default 5000
   */
  readonly helloTimeout?: number;
  /** How long a received message may wait for its acknowledgement to ride on an outgoing one, in ms, before it is sent alone. @default 100 */
  readonly ackDelay?: number;
  /** How long `close()` waits for the server's bye, in ms, before closing anyway and reporting what it did not acknowledge. @default 5000 */
  readonly byeTimeout?: number;
}

export interface ReliableSessionOptions extends SessionOptions, Omit<ConnectionOptions, 'resendUnconfirmed' | 'pingMessage'> {
  /**
   * Not available: a ping message would reach the session server as a frame of no session, which
   * it answers by closing with a protocol error. The heartbeat uses protocol pings (`ws`).
   */
  readonly pingMessage?: undefined;
  /**
   * Not available: the session replays what the server did not acknowledge itself, after its
   * resume frame; a connection resending frames on its own would send them before it.
   */
  readonly resendUnconfirmed?: false;
}

/** Every session option's default. */
export const SESSION_DEFAULTS = {
  maxUnackedMessages: 10_000,
  maxUnackedBytes: 16 * 1024 * 1024,
  helloTimeout: 5_000,
  ackDelay: 100,
  byeTimeout: 5_000,
} as const;

export type ResolvedSessionOptions = { readonly [K in keyof SessionOptions]-?: number } & {
  /** What the application receives binary messages as (the connection itself always reads them as `ArrayBuffer`s). */
  readonly binaryType: BinaryType;
};

/**
 * Splits `options` into the session's, validated, and the connection's, adjusted for a session:
 * the session subprotocol offered last (after the application's own, so that a plain server
 * that picks the first offered still picks the application's), binary messages read as
 * `ArrayBuffer`s so their headers can be read at once, and a reconnect after the server says it
 * lost the session (the next socket starts a new one).
 */
export function resolveSessionOptions(options: ReliableSessionOptions = {}): {
  session: ResolvedSessionOptions;
  connection: ConnectionOptions;
} {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) throw new TypeError(`Expected options to be an object, got ${describeValue(options)}`);
  const {
    maxUnackedMessages,
    maxUnackedBytes,
    helloTimeout,
    ackDelay,
    byeTimeout,
    resendUnconfirmed,
    protocols,
    binaryType,
    shouldReconnect,
    pingMessage,
    ...rest
  } = options;
  // Checked as the untyped values they may be at run time (JavaScript callers, spread objects).
  const givenResend: unknown = resendUnconfirmed;
  const givenBinaryType: unknown = binaryType;
  const givenPolicy: unknown = shouldReconnect;
  const givenPing: unknown = pingMessage;
  if (givenPing !== undefined) {
    throw new TypeError(
      `Expected \`pingMessage\` to be absent in a reliable session (the session server takes a ping message for a malformed frame), got ${describeValue(givenPing)}`,
    );
  }
  if (givenResend !== undefined && givenResend !== false) {
    throw new TypeError(
      `Expected \`resendUnconfirmed\` to be false or absent in a reliable session (the session replays what the server did not acknowledge), got ${describeValue(resendUnconfirmed)}`,
    );
  }
  if (givenBinaryType !== undefined && givenBinaryType !== 'blob' && givenBinaryType !== 'arraybuffer') {
    throw new TypeError(`Expected \`binaryType\` to be "blob" or "arraybuffer", got ${describeValue(binaryType)}`);
  }
  if (givenPolicy !== undefined && typeof givenPolicy !== 'function') {
    throw new TypeError(`Expected \`shouldReconnect\` to be a function, got ${describeValue(shouldReconnect)}`);
  }
  const session: ResolvedSessionOptions = {
    maxUnackedMessages: integerOption('maxUnackedMessages', maxUnackedMessages, SESSION_DEFAULTS.maxUnackedMessages, 1),
    maxUnackedBytes: integerOption('maxUnackedBytes', maxUnackedBytes, SESSION_DEFAULTS.maxUnackedBytes, 1),
    helloTimeout: integerOption('helloTimeout', helloTimeout, SESSION_DEFAULTS.helloTimeout, 1),
    ackDelay: integerOption('ackDelay', ackDelay, SESSION_DEFAULTS.ackDelay, 0),
    byeTimeout: integerOption('byeTimeout', byeTimeout, SESSION_DEFAULTS.byeTimeout, 1),
    binaryType: binaryType ?? 'arraybuffer',
  };
  const offered = [...normalizeProtocols(protocols).filter((protocol) => protocol !== SESSION_PROTOCOL), SESSION_PROTOCOL];
  return {
    session,
    connection: {
      ...rest,
      protocols: offered,
      binaryType: 'arraybuffer',
      shouldReconnect: withLostCodes(shouldReconnect ?? isRetryableClose),
    },
  };
}

/**
 * The policy that also retries after the lost-session codes, one per application policy: a
 * connection with a policy of its own runs a machine provided with it, which is shared by every
 * connection given the same function, and a new function per session would cost a machine each.
 */
function withLostCodes(policy: (close: CloseInfo) => boolean): (close: CloseInfo) => boolean {
  let composed = composedPolicies.get(policy);
  if (composed === undefined) {
    composed = (close) => isLostSession(close.code) || policy(close);
    composedPolicies.set(policy, composed);
  }
  return composed;
}

/** Whether the server closed with a code saying it lost the session: the connection must try again, and the next socket starts a new session. */
function isLostSession(code: number): boolean {
  return code === CLOSE_CODES['unknown-session'] || code === CLOSE_CODES['expired-session'];
}

const composedPolicies = new WeakMap<(close: CloseInfo) => boolean, (close: CloseInfo) => boolean>();
