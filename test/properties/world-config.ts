/**
 * The options a memory property runs a connection with, generated. Bounds, timeouts, backoff
 * and heartbeat are small, so that within 40 steps queues fill, every timer fires, reconnects
 * run out of retries and connections stay open long enough to count as stable, or not.
 */
import fc from 'fast-check';
import { isRetryableClose, type CloseInfo } from '../../src/index.js';
import { payload, type PayloadSpec } from './arbitraries.js';

/** The reconnect policy: the default close-code policy, or a `shouldReconnect` that always or never says yes. */
export type Policy = 'default' | 'always' | 'never';

/** Everything a memory world is generated with: the connection's options and how the application and the peer behave. */
export interface WorldConfig {
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly connectTimeout: number;
  readonly drainTimeout: number;
  readonly closeTimeout: number;
  readonly binaryType: 'arraybuffer' | 'blob';
  /** The transport fails a connecting socket synchronously inside `close()`, as undici's does. */
  readonly eagerAbort: boolean;
  /** What listeners do from inside events: call back into the connection mid-delivery. */
  readonly onOpen: 'nothing' | 'send' | 'close';
  readonly onMessage: 'nothing' | 'echo' | 'close';
  /** Send each reported message once more, as an app wanting at-least-once delivery does. */
  readonly resendUndelivered: boolean;
  /** The connection queues again what a dropped socket never confirmed (at-least-once), instead of reporting it. */
  readonly resendUnconfirmed: boolean;
  readonly sendOnClose: boolean;
  readonly reactionPayload: PayloadSpec;
  readonly reconnect: boolean;
  readonly maxRetries: number;
  readonly minReconnectDelay: number;
  readonly maxReconnectDelay: number;
  readonly reconnectFactor: number;
  readonly reconnectJitter: boolean;
  /** What `random()` returns, in turn, round and round: the shell and the oracle each draw from their own copy. */
  readonly randoms: readonly number[];
  readonly minStableTime: number;
  /** Whether the transport has protocol pings; without them (and no `pingMessage`) the heartbeat stays off. */
  readonly pings: boolean;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly policy: Policy;
  /** The URL is a function called before every attempt, each time giving a new one. */
  readonly urlFunction: boolean;
  /** After the generated steps: the application closes, or the network stays down until the connection gives up. */
  readonly ending: 'close' | 'network-down';
  /** At the end, the peer completes what the client asks (a write-out, a closing handshake), or only timeouts end it. */
  readonly peerCooperates: boolean;
}

const fraction = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  fc.constant(1 - Number.EPSILON / 2),
);

/** Worlds of every kind; most reconnect, some do not. */
export const worldConfigs: fc.Arbitrary<WorldConfig> = fc
  .record({
    // Small bounds and timeouts, so queue-full and every timeout are reached often.
    maxQueuedMessages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 }), fc.constant(10_000)),
    maxQueuedBytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 }), fc.constant(16 * 1024 * 1024)),
    connectTimeout: fc.integer({ min: 0, max: 400 }),
    drainTimeout: fc.integer({ min: 0, max: 400 }),
    closeTimeout: fc.integer({ min: 0, max: 400 }),
    binaryType: fc.constantFrom('arraybuffer' as const, 'blob' as const),
    eagerAbort: fc.boolean(),
    onOpen: fc.constantFrom('nothing' as const, 'send' as const, 'close' as const),
    onMessage: fc.constantFrom('nothing' as const, 'echo' as const, 'close' as const),
    resendUndelivered: fc.boolean(),
    resendUnconfirmed: fc.boolean(),
    sendOnClose: fc.boolean(),
    reactionPayload: payload,
    reconnect: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    maxRetries: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 2, arbitrary: fc.constant(Infinity) }),
    minReconnectDelay: fc.integer({ min: 1, max: 30 }),
    reconnectSpread: fc.integer({ min: 0, max: 100 }),
    reconnectFactor: fc.constantFrom(1, 1.5, 2, 3),
    reconnectJitter: fc.boolean(),
    randoms: fc.array(fraction, { minLength: 1, maxLength: 4 }),
    minStableTime: fc.integer({ min: 0, max: 60 }),
    pings: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    heartbeatInterval: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 50 }) }),
    heartbeatTimeout: fc.integer({ min: 0, max: 40 }),
    policy: fc.constantFrom<Policy>('default', 'default', 'default', 'always', 'always', 'never'),
    urlFunction: fc.boolean(),
    ending: fc.constantFrom('close' as const, 'network-down' as const),
    peerCooperates: fc.boolean(),
  })
  .map(({ reconnectSpread, ...config }) => ({
    ...config,
    maxReconnectDelay: config.minReconnectDelay + reconnectSpread,
    // A connect timeout and a reconnect wait of 0 with no limit on retries would loop forever
    // inside one clock advance; a real app with that setup spins too, but a test must end.
    connectTimeout: config.maxRetries === Infinity ? Math.max(1, config.connectTimeout) : config.connectTimeout,
  }));

/** The same worlds, always reconnecting: for the properties about reconnects. */
export const reconnectingConfigs: fc.Arbitrary<WorldConfig> = worldConfigs.map((config) => ({ ...config, reconnect: true }));

export { cycle } from '../../src/testing/model/lifecycle-model.js';

/** The `shouldReconnect` option for a policy: none for the default one. */
export function policyOf(policy: Policy): ((close: CloseInfo) => boolean) | undefined {
  if (policy === 'default') return undefined;
  return policy === 'always' ? () => true : () => false;
}

/** Whether the policy retries after `close`, as the connection must decide. */
export function isRetryableUnder(policy: Policy, close: CloseInfo): boolean {
  return policyOf(policy)?.(close) ?? isRetryableClose(close);
}

/** Whether the heartbeat runs: the interval is on and the transport has protocol pings. */
export function heartbeatOn(config: WorldConfig): boolean {
  return config.heartbeatInterval > 0 && config.pings;
}

/**
 * The ceiling of the wait before the `retry`-th reconnect (1-based), from the backoff formula
 * (min delay times the factor per earlier retry, capped), written out here rather than taken
 * from `src/backoff.ts`, so that a wrong formula there shows.
 */
export function waitCeiling(config: WorldConfig, retry: number): number {
  return Math.min(config.maxReconnectDelay, config.minReconnectDelay * config.reconnectFactor ** (retry - 1));
}
