/**
 * Connection options, declared once: the type with TSDoc defaults, the `DEFAULTS` constant the
 * table in docs/options.md is checked against, and `resolveOptions()`, which validates every option and
 * throws a `TypeError` naming it, the value, and what was expected.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { CloseInfo } from '../machines/connection.types.js';
import { isRetryableClose } from '../machines/reconnect-policy.js';
import { checkHeader, describeValue, normalizeProtocols } from './validation.js';
import { systemClock, type BackoffOptions, type Clock } from './time.js';
import type { BinaryType, NodeClientOptions, PerMessageDeflateOptions, Transport } from './transports/transport.js';
import { nativeTransport, type WebSocketConstructor } from './transports/native-transport.js';

export interface ConnectionOptions {
  /** Subprotocols to offer, most preferred first; `protocol` tells which the server chose. @default [] */
  readonly protocols?: string | readonly string[];
  /** A `WebSocket` constructor to use instead of the default transport (`ws` in Node, the native one elsewhere). */
  readonly WebSocket?: WebSocketConstructor;
  /** A transport to use instead of the default; `./testing` has an in-memory one. Wins over `WebSocket`. */
  readonly transport?: Transport;
  /** What binary messages arrive as. @default 'arraybuffer' */
  readonly binaryType?: BinaryType;
  /** The most messages `send()` queues while connecting; more are reported undelivered (`queue-full`). @default 10000 */
  readonly maxQueuedMessages?: number;
  /** The most bytes (UTF-8 for strings) queued while connecting. @default 16777216 (16 MiB) */
  readonly maxQueuedBytes?: number;
  /**
   * The most bytes the open socket may hold (handed to it, not yet written out) for `send()` to
   * accept another message; one that would take it past this is reported undelivered
   * (`buffer-full`). `Infinity`, the default, accepts everything, as `WebSocket.send()` does:
   * set it for a peer that may stop reading, so that memory stays bounded.
   * @default Infinity
   */
  readonly maxBufferedBytes?: number;
  /**
   * The high watermark on `bufferedAmount` (queued plus not yet written out), in bytes: a send
   * that takes it to this or above emits `backpressure`, and `ready` stays pending until it is
   * back below (then a `ready` event). Advisory: `send()` still accepts past it. `Infinity` turns
   * it off. @default 1048576 (1 MiB)
   */
  readonly highWaterMark?: number;
  /** How long the opening handshake may take, in ms, before the attempt fails with `connect-timeout`. @default 10000 */
  readonly connectTimeout?: number;
  /** How long `close()` waits for buffered data to be written out, in ms, before dropping it (`drain-timeout`). @default 30000 */
  readonly drainTimeout?: number;
  /** How long the closing handshake may take, in ms, before the socket is dropped (`close-timeout`). @default 5000 */
  readonly closeTimeout?: number;
  /**
   * Refuse `ws:` URLs to hosts other than loopback with a `SecurityError`: `localhost`,
   * 127.0.0.0/8 and `[::1]` (in a browser also `*.localhost`, which browsers resolve themselves). @default false
   */
  readonly secureOnly?: boolean;
  /**
   * The largest inbound message, in bytes, after decompression; a larger one closes the
   * connection with 1009 (`message-too-big`), which is not retried (`ws` transport only). 16 MiB,
   * where `ws` allows 100 MiB: a hostile or broken server's one message then costs at most that
   * much (and about as much again while it is assembled), not hundreds of MiB; it is the same
   * bound as `maxQueuedBytes`, well above chat, JSON and state snapshots, and an app that moves
   * files over the socket can raise it. Browsers set their own limit. @default 16777216 (16 MiB)
   */
  readonly maxPayload?: number;
  /**
   * Offer permessage-deflate (RFC 7692) to the server: `true`, `false`, or `ws`'s options object
   * for it (window bits, context takeover, thresholds). On by default, as in browsers and `ws`:
   * it saves bandwidth on text protocols, and decompression stops at `maxPayload`, so a
   * compression bomb (a small frame inflating to gigabytes) ends with 1009 instead of taking the
   * memory. `false` spares the zlib work and memory per socket (`ws` transport only; browsers
   * always offer it). @default true
   */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Extra HTTP headers for the opening handshake, such as `Authorization` (`ws` transport only). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** The `Origin` header to send (`ws` transport only). @default undefined */
  readonly origin?: string;
  /** Certificate authorities to trust for `wss:` (`ws` transport only). @default undefined (the system's) */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** An `http.Agent`/`https.Agent`, for proxies (`ws` transport only). @default undefined */
  readonly agent?: object;
  /** Passed to XState's `createActor` to observe the machine (see docs/inspecting.md). @default undefined */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The source of time for every timeout; `./testing` has a simulated one. @default the platform's timers */
  readonly clock?: Clock;
  /** Open a new socket after one ends without `close()` (see docs/reconnection.md). @default true (`ManagedWebSocket`: false) */
  readonly reconnect?: boolean;
  /**
   * When a socket drops with messages it had not confirmed written and a reconnect follows, queue
   * them again, first, for the next socket, instead of reporting them `connection-lost`: at-least-once
   * delivery, so the peer may see one twice (see docs/delivery-guarantees.md). @default false
   */
  readonly resendUnconfirmed?: boolean;
  /** Reconnects in a row that may fail before the connection gives up (`giveup`); `Infinity` never gives up. @default Infinity */
  readonly maxRetries?: number;
  /**
   * The ceiling of the first reconnect wait, in ms; each wait is drawn below its ceiling (full
   * jitter). At least 1: from 0 the ceiling would never grow, and reconnects would follow each
   * other with no wait. @default 1000
   */
  readonly minReconnectDelay?: number;
  /** The highest ceiling of a reconnect wait, in ms. @default 30000 */
  readonly maxReconnectDelay?: number;
  /** How much the ceiling grows per reconnect. @default 2 */
  readonly reconnectFactor?: number;
  /** Draw each wait uniformly below its ceiling; `false` waits the ceiling itself (every client in step). @default true */
  readonly reconnectJitter?: boolean;
  /** How long a connection must stay open before the retry count starts again from 0, in ms. @default 5000 */
  readonly minStableTime?: number;
  /** Whether an attempt that ended this way is worth another; replaces the default close-code policy. @default isRetryableClose */
  readonly shouldReconnect?: (close: CloseInfo) => boolean;
  /** Ping the open socket after this much quiet, in ms; 0 turns the heartbeat off. @default 30000 (`ManagedWebSocket`: 0) */
  readonly heartbeatInterval?: number;
  /** How long a ping may go unanswered before the socket is dropped as dead (`heartbeat-timeout`), in ms. @default 10000 */
  readonly heartbeatTimeout?: number;
  /** For transports without protocol pings (browsers): a message to send as the ping; any message received after it is the pong. @default undefined */
  readonly pingMessage?: string;
  /** Where `online`, `offline` and `visibilitychange` events come from; `null` ignores them. @default globalThis where it is an EventTarget (browsers, workers) */
  readonly environment?: EventTarget | null;
  /** Aborting it closes the connection, as `close()` does, and stops any reconnect. @default undefined */
  readonly signal?: AbortSignal;
  /** The source of jitter: returns a number in [0, 1), like `Math.random`. @default Math.random */
  readonly random?: () => number;
}

/** Every option's default. The table in docs/options.md is checked against this. */
export const DEFAULTS = {
  protocols: [] as readonly string[],
  binaryType: 'arraybuffer' as BinaryType,
  maxQueuedMessages: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxBufferedBytes: Infinity,
  highWaterMark: 1024 * 1024,
  connectTimeout: 10_000,
  drainTimeout: 30_000,
  closeTimeout: 5_000,
  secureOnly: false,
  maxPayload: 16 * 1024 * 1024,
  perMessageDeflate: true as boolean | PerMessageDeflateOptions,
  headers: {} as Readonly<Record<string, string>>,
  origin: undefined,
  ca: undefined,
  agent: undefined,
  inspect: undefined,
  clock: systemClock,
  WebSocket: undefined,
  transport: undefined,
  reconnect: true,
  resendUnconfirmed: false,
  maxRetries: Infinity,
  minReconnectDelay: 1_000,
  maxReconnectDelay: 30_000,
  reconnectFactor: 2,
  reconnectJitter: true,
  minStableTime: 5_000,
  shouldReconnect: isRetryableClose,
  heartbeatInterval: 30_000,
  heartbeatTimeout: 10_000,
  pingMessage: undefined,
  environment: undefined,
  signal: undefined,
  random: Math.random,
} as const;

export interface ResolvedOptions {
  readonly protocols: readonly string[];
  readonly transport: Transport | undefined;
  readonly binaryType: BinaryType;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly maxBufferedBytes: number;
  readonly highWaterMark: number;
  readonly connectTimeout: number;
  readonly drainTimeout: number;
  readonly closeTimeout: number;
  readonly secureOnly: boolean;
  readonly maxPayload: number;
  readonly node: NodeClientOptions;
  readonly inspect: ConnectionOptions['inspect'];
  readonly clock: Clock;
  readonly reconnect: boolean;
  readonly resendUnconfirmed: boolean;
  readonly maxRetries: number;
  readonly backoff: BackoffOptions;
  readonly minStableTime: number;
  /** Set only when it replaces the default policy. */
  readonly shouldReconnect: ((close: CloseInfo) => boolean) | undefined;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly pingMessage: string | undefined;
  readonly environment: EventTarget | undefined;
  readonly signal: AbortSignal | undefined;
  readonly random: () => number;
}

const KNOWN = new Set(Object.keys(DEFAULTS));

/**
 * Validates `options` and fills in defaults. Subprotocol errors are `SyntaxError`s, as
 * `new WebSocket()` throws.
 *
 * Connections share their defaults instead of copying them: the result holds only what differs
 * from the defaults, which it reads through its prototype (tens of thousands of connections made
 * with the same options would otherwise each carry thirty copies of them).
 */
export function resolveOptions(options: ConnectionOptions = {}): ResolvedOptions {
  // Typed for TypeScript callers; a JavaScript caller may pass anything.
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) {
    throw new TypeError(`Expected options to be an object, got ${describeValue(options)}`);
  }
  const keys = Object.keys(options);
  for (const key of keys) {
    if (!KNOWN.has(key)) {
      // Not its value: a misplaced option is as likely as not a credential (`authorization`).
      throw new TypeError(`Unknown option \`${key}\` (its value is not shown); expected one of ${[...KNOWN].join(', ')}`);
    }
  }
  if (keys.length === 0) return RESOLVED_DEFAULTS;
  const resolved = resolveEach(options);
  const own = Object.create(RESOLVED_DEFAULTS) as Partial<Record<keyof ResolvedOptions, unknown>>;
  for (const key of Object.keys(resolved) as (keyof ResolvedOptions)[]) {
    if (resolved[key] !== RESOLVED_DEFAULTS[key]) own[key] = resolved[key];
  }
  return own as ResolvedOptions;
}

function resolveEach(o: ConnectionOptions): ResolvedOptions {
  const transport = o.transport ?? (o.WebSocket === undefined ? undefined : nativeTransport(o.WebSocket));
  if (o.transport !== undefined && typeof o.transport !== 'function') fail('transport', o.transport, 'a transport function');
  if (o.WebSocket !== undefined && typeof o.WebSocket !== 'function') fail('WebSocket', o.WebSocket, 'a WebSocket constructor');
  const given =
    o.headers !== undefined || o.origin !== undefined || o.ca !== undefined || o.agent !== undefined || o.perMessageDeflate !== undefined;
  if (typeof o.origin === 'string') checkHeader('`origin`', 'Origin', o.origin);
  const node: NodeClientOptions = !given
    ? DEFAULT_NODE_OPTIONS
    : {
        headers: headers(o.headers),
        ...optional('origin', o.origin, (v) => typeof v === 'string', 'a string'),
        ...optional(
          'ca',
          o.ca,
          (v) => typeof v === 'string' || v instanceof Uint8Array || Array.isArray(v),
          'a string, a Uint8Array or an array of them',
        ),
        ...optional('agent', o.agent, (v) => typeof v === 'object' && v !== null, 'an http.Agent'),
        ...(o.perMessageDeflate === undefined ? {} : { perMessageDeflate: perMessageDeflate(o.perMessageDeflate) }),
      };
  const protocols = normalizeProtocols(protocolList(o.protocols ?? DEFAULTS.protocols));
  return {
    protocols: protocols.length === 0 ? DEFAULTS.protocols : protocols,
    transport,
    binaryType: oneOf('binaryType', o.binaryType ?? DEFAULTS.binaryType, ['blob', 'arraybuffer'] as const),
    maxQueuedMessages: count('maxQueuedMessages', o.maxQueuedMessages ?? DEFAULTS.maxQueuedMessages),
    maxQueuedBytes: count('maxQueuedBytes', o.maxQueuedBytes ?? DEFAULTS.maxQueuedBytes),
    maxBufferedBytes: countOrInfinity('maxBufferedBytes', o.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes),
    highWaterMark: positiveOrInfinity('highWaterMark', o.highWaterMark ?? DEFAULTS.highWaterMark),
    connectTimeout: duration('connectTimeout', o.connectTimeout ?? DEFAULTS.connectTimeout),
    drainTimeout: duration('drainTimeout', o.drainTimeout ?? DEFAULTS.drainTimeout),
    closeTimeout: duration('closeTimeout', o.closeTimeout ?? DEFAULTS.closeTimeout),
    secureOnly: flag('secureOnly', o.secureOnly ?? DEFAULTS.secureOnly),
    maxPayload: positive('maxPayload', o.maxPayload ?? DEFAULTS.maxPayload),
    node,
    inspect:
      o.inspect === undefined || typeof o.inspect === 'function' || typeof o.inspect === 'object'
        ? o.inspect
        : fail('inspect', o.inspect, 'an observer or a function'),
    clock: clock(o.clock ?? DEFAULTS.clock),
    reconnect: flag('reconnect', o.reconnect ?? DEFAULTS.reconnect),
    resendUnconfirmed: flag('resendUnconfirmed', o.resendUnconfirmed ?? DEFAULTS.resendUnconfirmed),
    maxRetries: countOrInfinity('maxRetries', o.maxRetries ?? DEFAULTS.maxRetries),
    backoff: backoff(o),
    minStableTime: duration('minStableTime', o.minStableTime ?? DEFAULTS.minStableTime),
    shouldReconnect:
      o.shouldReconnect === undefined
        ? undefined
        : (callable('shouldReconnect', o.shouldReconnect, 'a function of the close') as (close: CloseInfo) => boolean),
    heartbeatInterval: duration('heartbeatInterval', o.heartbeatInterval ?? DEFAULTS.heartbeatInterval),
    heartbeatTimeout: duration('heartbeatTimeout', o.heartbeatTimeout ?? DEFAULTS.heartbeatTimeout),
    pingMessage:
      o.pingMessage === undefined || typeof o.pingMessage === 'string' ? o.pingMessage : fail('pingMessage', o.pingMessage, 'a string'),
    environment: environment(o.environment),
    signal: signal(o.signal),
    random: callable('random', o.random ?? DEFAULTS.random, 'a function returning a number in [0, 1)') as () => number,
  };
}

const DEFAULT_NODE_OPTIONS: NodeClientOptions = { headers: DEFAULTS.headers };

function countOrInfinity(name: string, value: unknown): number {
  return value === Infinity
    ? Infinity
    : Number.isSafeInteger(value) && (value as number) >= 0
      ? (value as number)
      : fail(name, value, 'a non-negative integer or Infinity');
}

function positiveOrInfinity(name: string, value: unknown): number {
  return value === Infinity
    ? Infinity
    : Number.isSafeInteger(value) && (value as number) > 0
      ? (value as number)
      : fail(name, value, 'a positive integer or Infinity');
}

function backoff(o: ConnectionOptions): BackoffOptions {
  if (
    o.minReconnectDelay === undefined &&
    o.maxReconnectDelay === undefined &&
    o.reconnectFactor === undefined &&
    o.reconnectJitter === undefined
  ) {
    return DEFAULT_BACKOFF;
  }
  return backoffFrom(o);
}

function backoffFrom(o: ConnectionOptions): BackoffOptions {
  const minDelay = duration('minReconnectDelay', o.minReconnectDelay ?? DEFAULTS.minReconnectDelay);
  // The ceiling grows as minDelay * factor^n: from 0 it never grows, and a server that accepts
  // and drops at once gets hundreds of connections a second. Any positive start grows to
  // maxReconnectDelay within a few failures.
  if (minDelay < 1)
    fail(
      'minReconnectDelay',
      minDelay,
      'a number of milliseconds between 1 and 2147483647 (with 0 the backoff never grows: reconnects follow each other with no wait)',
    );
  const maxDelay = duration('maxReconnectDelay', o.maxReconnectDelay ?? DEFAULTS.maxReconnectDelay);
  if (maxDelay < minDelay) fail('maxReconnectDelay', maxDelay, `at least \`minReconnectDelay\` (${minDelay})`);
  const factor = o.reconnectFactor ?? DEFAULTS.reconnectFactor;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1)
    fail('reconnectFactor', factor, 'a finite number of at least 1');
  return { minDelay, maxDelay, factor, jitter: flag('reconnectJitter', o.reconnectJitter ?? DEFAULTS.reconnectJitter) };
}

function callable(name: string, value: unknown, expected: string): (...args: never[]) => unknown {
  return typeof value === 'function' ? (value as (...args: never[]) => unknown) : fail(name, value, expected);
}

/** The platform's own global where it is an event target (a window or a worker), else nothing. */
function environment(value: unknown): EventTarget | undefined {
  if (value === null) return undefined;
  if (value === undefined) {
    const global = globalThis as Partial<EventTarget>;
    return typeof global.addEventListener === 'function' ? (global as EventTarget) : undefined;
  }
  const target = value as Partial<EventTarget>;
  return typeof target === 'object' && typeof target.addEventListener === 'function' && typeof target.removeEventListener === 'function'
    ? (target as EventTarget)
    : fail('environment', value, 'an EventTarget or null');
}

function signal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const candidate: Partial<AbortSignal> | null = typeof value === 'object' ? value : null;
  return typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.aborted === 'boolean' &&
    typeof candidate.addEventListener === 'function'
    ? (candidate as AbortSignal)
    : fail('signal', value, 'an AbortSignal');
}

function fail(name: string, value: unknown, expected: string): never {
  throw new TypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

function count(name: string, value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : fail(name, value, 'a non-negative integer');
}

function positive(name: string, value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : fail(name, value, 'a positive integer');
}

/** Timer delays: finite, non-negative, and within what `setTimeout` can represent. */
function duration(name: string, value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 2 ** 31 - 1
    ? value
    : fail(name, value, 'a number of milliseconds between 0 and 2147483647');
}

function flag(name: string, value: unknown): boolean {
  return typeof value === 'boolean' ? value : fail(name, value, 'a boolean');
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  return allowed.includes(value as T) ? (value as T) : fail(name, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
}

function headers(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return DEFAULTS.headers;
  // Not `fail`, which shows the value: one given whole (`headers: 'Bearer …'`) is likely a secret.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
    throw new TypeError(
      `Expected \`headers\` to be an object of header names to strings, got ${kind} (not shown: header values may be secrets)`,
    );
  }
  for (const [key, entry] of Object.entries(value)) checkHeader(`\`headers[${JSON.stringify(key)}]\``, key, entry);
  return value as Readonly<Record<string, string>>;
}

/** `ws`'s permessage-deflate options, by name: what each must be. */
const DEFLATE_OPTIONS: Readonly<Record<keyof PerMessageDeflateOptions, (value: unknown) => boolean>> = {
  serverNoContextTakeover: (v) => typeof v === 'boolean',
  clientNoContextTakeover: (v) => typeof v === 'boolean',
  serverMaxWindowBits: (v) => typeof v === 'boolean' || (Number.isInteger(v) && (v as number) >= 8 && (v as number) <= 15),
  clientMaxWindowBits: (v) => typeof v === 'boolean' || (Number.isInteger(v) && (v as number) >= 8 && (v as number) <= 15),
  zlibDeflateOptions: (v) => typeof v === 'object' && v !== null,
  zlibInflateOptions: (v) => typeof v === 'object' && v !== null,
  threshold: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  concurrencyLimit: (v) => Number.isSafeInteger(v) && (v as number) >= 1,
};

function perMessageDeflate(value: unknown): boolean | PerMessageDeflateOptions {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('perMessageDeflate', value, "a boolean or ws's permessage-deflate options object");
  for (const [key, entry] of Object.entries(value)) {
    const valid = Object.hasOwn(DEFLATE_OPTIONS, key) ? DEFLATE_OPTIONS[key as keyof PerMessageDeflateOptions] : undefined;
    if (valid === undefined)
      fail('perMessageDeflate', value, `ws's options object (${Object.keys(DEFLATE_OPTIONS).join(', ')}), not one with \`${key}\``);
    if (!valid(entry))
      fail(
        `perMessageDeflate.${key}`,
        entry,
        key.endsWith('WindowBits') ? 'a boolean or an integer from 8 to 15' : 'a valid value (see the ws documentation)',
      );
  }
  return value;
}

function optional<K extends string>(
  name: K,
  value: unknown,
  valid: (value: unknown) => boolean,
  expected: string,
): Partial<Record<K, never>> {
  if (value === undefined) return {};
  if (!valid(value)) fail(name, value, expected);
  return { [name]: value } as Record<K, never>;
}

function protocolList(value: unknown): string | readonly string[] {
  return typeof value === 'string' || (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))
    ? value
    : fail('protocols', value, 'a string or an array of strings');
}

function clock(value: unknown): Clock {
  const candidate = value as Partial<Clock> | null;
  return typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.now === 'function' &&
    typeof candidate.setTimeout === 'function' &&
    typeof candidate.clearTimeout === 'function'
    ? (candidate as Clock)
    : fail('clock', value, 'an object with now(), setTimeout() and clearTimeout()');
}

const DEFAULT_BACKOFF: BackoffOptions = backoffFrom({});

/** What a connection created without options reads, and what every other one reads through for the options it was not given. */
const RESOLVED_DEFAULTS: ResolvedOptions = resolveEach({});
