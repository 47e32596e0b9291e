/**
 * A connection's options, option by option: what each refuses (with the exact message the
 * caller reads), the boundary values it takes, what it resolves to by default (the values
 * `docs/options.md` documents, written out here), and how a resolved set shares the defaults.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions, type ConnectionOptions } from '../../src/options.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';
import { systemClock } from '../../src/time.js';
import { thrown } from '../support/thrown.js';

const resolve = (options: Record<string, unknown>) => resolveOptions(options);
const refusal = (options: unknown): string => thrown(() => resolveOptions(options as ConnectionOptions));

const MS = 'a number of milliseconds between 0 and 2147483647';
const fakeSignal = { aborted: false, addEventListener: () => {} };
const fakeTarget = { addEventListener: () => {}, removeEventListener: () => {} };

describe('connection options', () => {
  it.each([
    [null, 'TypeError: Expected options to be an object, got null'],
    ['ws', 'TypeError: Expected options to be an object, got "ws" (string)'],
    [{ transport: 'ws' }, 'TypeError: Expected `transport` to be a transport function, got "ws" (string)'],
    [{ WebSocket: {} }, 'TypeError: Expected `WebSocket` to be a WebSocket constructor, got an object of type Object'],
    [{ binaryType: 'nodebuffer' }, 'TypeError: Expected `binaryType` to be one of "blob", "arraybuffer", got "nodebuffer" (string)'],
    [{ maxQueuedMessages: -1 }, 'TypeError: Expected `maxQueuedMessages` to be a non-negative integer, got -1 (number)'],
    [{ maxQueuedBytes: 1.5 }, 'TypeError: Expected `maxQueuedBytes` to be a non-negative integer, got 1.5 (number)'],
    [{ maxQueuedMessages: Infinity }, 'TypeError: Expected `maxQueuedMessages` to be a non-negative integer, got Infinity (number)'],
    [{ maxBufferedBytes: -1 }, 'TypeError: Expected `maxBufferedBytes` to be a non-negative integer or Infinity, got -1 (number)'],
    [{ maxRetries: '3' }, 'TypeError: Expected `maxRetries` to be a non-negative integer or Infinity, got "3" (string)'],
    [{ highWaterMark: 0 }, 'TypeError: Expected `highWaterMark` to be a positive integer or Infinity, got 0 (number)'],
    [{ highWaterMark: 2.5 }, 'TypeError: Expected `highWaterMark` to be a positive integer or Infinity, got 2.5 (number)'],
    [{ maxPayload: 0 }, 'TypeError: Expected `maxPayload` to be a positive integer, got 0 (number)'],
    [{ connectTimeout: -1 }, `TypeError: Expected \`connectTimeout\` to be ${MS}, got -1 (number)`],
    [{ drainTimeout: 2 ** 31 }, `TypeError: Expected \`drainTimeout\` to be ${MS}, got 2147483648 (number)`],
    [{ closeTimeout: Infinity }, `TypeError: Expected \`closeTimeout\` to be ${MS}, got Infinity (number)`],
    [{ minStableTime: '5' }, `TypeError: Expected \`minStableTime\` to be ${MS}, got "5" (string)`],
    [{ heartbeatInterval: NaN }, `TypeError: Expected \`heartbeatInterval\` to be ${MS}, got NaN (number)`],
    [{ heartbeatTimeout: -0.5 }, `TypeError: Expected \`heartbeatTimeout\` to be ${MS}, got -0.5 (number)`],
    [{ secureOnly: 1 }, 'TypeError: Expected `secureOnly` to be a boolean, got 1 (number)'],
    [{ reconnect: 'yes' }, 'TypeError: Expected `reconnect` to be a boolean, got "yes" (string)'],
    [{ reconnectJitter: 0 }, 'TypeError: Expected `reconnectJitter` to be a boolean, got 0 (number)'],
    [{ inspect: 'yes' }, 'TypeError: Expected `inspect` to be an observer or a function, got "yes" (string)'],
    [
      { clock: {} },
      'TypeError: Expected `clock` to be an object with now(), setTimeout() and clearTimeout(), got an object of type Object',
    ],
    [
      { clock: { now: () => 0, setTimeout: () => 0 } },
      'TypeError: Expected `clock` to be an object with now(), setTimeout() and clearTimeout(), got an object of type Object',
    ],
    [{ shouldReconnect: true }, 'TypeError: Expected `shouldReconnect` to be a function of the close, got true (boolean)'],
    [{ random: 0.5 }, 'TypeError: Expected `random` to be a function returning a number in [0, 1), got 0.5 (number)'],
    [{ pingMessage: 7 }, 'TypeError: Expected `pingMessage` to be a string, got 7 (number)'],
    [{ environment: {} }, 'TypeError: Expected `environment` to be an EventTarget or null, got an object of type Object'],
    [
      { environment: { addEventListener: () => {} } },
      'TypeError: Expected `environment` to be an EventTarget or null, got an object of type Object',
    ],
    [{ environment: 'window' }, 'TypeError: Expected `environment` to be an EventTarget or null, got "window" (string)'],
    [{ signal: {} }, 'TypeError: Expected `signal` to be an AbortSignal, got an object of type Object'],
    [
      { signal: { aborted: 'no', addEventListener: () => {} } },
      'TypeError: Expected `signal` to be an AbortSignal, got an object of type Object',
    ],
    [{ signal: { aborted: false } }, 'TypeError: Expected `signal` to be an AbortSignal, got an object of type Object'],
    [{ signal: null }, 'TypeError: Expected `signal` to be an AbortSignal, got null'],
    [{ protocols: 7 }, 'TypeError: Expected `protocols` to be a string or an array of strings, got 7 (number)'],
    [{ protocols: ['chat', 7] }, 'TypeError: Expected `protocols` to be a string or an array of strings, got an object of type Array'],
    [
      { headers: [] },
      'TypeError: Expected `headers` to be an object of header names to strings, got an array (not shown: header values may be secrets)',
    ],
    [
      { headers: 'a: b' },
      'TypeError: Expected `headers` to be an object of header names to strings, got a value of type string (not shown: header values may be secrets)',
    ],
    [
      { headers: null },
      'TypeError: Expected `headers` to be an object of header names to strings, got null (not shown: header values may be secrets)',
    ],
    [{ origin: 7 }, 'TypeError: Expected `origin` to be a string, got 7 (number)'],
    [{ ca: 7 }, 'TypeError: Expected `ca` to be a string, a Uint8Array or an array of them, got 7 (number)'],
    [{ agent: 'proxy' }, 'TypeError: Expected `agent` to be an http.Agent, got "proxy" (string)'],
    [{ agent: null }, 'TypeError: Expected `agent` to be an http.Agent, got null'],
  ])('refuses %j', (options, message) => {
    expect(refusal(options)).toBe(message);
  });

  it.each([
    [{ minReconnectDelay: 0 }, 'minReconnectDelay', '0 (number)'],
    [{ minReconnectDelay: 2_000, maxReconnectDelay: 1_999 }, 'maxReconnectDelay', '1999 (number)'],
    [{ reconnectFactor: 0.5 }, 'reconnectFactor', '0.5 (number)'],
    [{ reconnectFactor: Infinity }, 'reconnectFactor', 'Infinity (number)'],
    [{ reconnectFactor: '2' }, 'reconnectFactor', '"2" (string)'],
  ])('refuses a backoff that cannot grow: %j', (options, name, got) => {
    const expected = {
      minReconnectDelay:
        'a number of milliseconds between 1 and 2147483647 (with 0 the backoff never grows: reconnects follow each other with no wait)',
      maxReconnectDelay: 'at least `minReconnectDelay` (2000)',
      reconnectFactor: 'a finite number of at least 1',
    }[name];
    expect(refusal(options)).toBe(`TypeError: Expected \`${name}\` to be ${expected}, got ${got}`);
  });

  it.each([
    [{ perMessageDeflate: 'on' }, 'perMessageDeflate', "a boolean or ws's permessage-deflate options object", '"on" (string)'],
    [{ perMessageDeflate: [] }, 'perMessageDeflate', "a boolean or ws's permessage-deflate options object", 'an object of type Array'],
    [{ perMessageDeflate: null }, 'perMessageDeflate', "a boolean or ws's permessage-deflate options object", 'null'],
    [
      { perMessageDeflate: { level: 9 } },
      'perMessageDeflate',
      "ws's options object (serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits, zlibDeflateOptions, zlibInflateOptions, threshold, concurrencyLimit), not one with `level`",
      'an object of type Object',
    ],
    [
      { perMessageDeflate: { serverNoContextTakeover: 1 } },
      'perMessageDeflate.serverNoContextTakeover',
      'a valid value (see the ws documentation)',
      '1 (number)',
    ],
    [
      { perMessageDeflate: { clientNoContextTakeover: 'yes' } },
      'perMessageDeflate.clientNoContextTakeover',
      'a valid value (see the ws documentation)',
      '"yes" (string)',
    ],
    [
      { perMessageDeflate: { serverMaxWindowBits: 7 } },
      'perMessageDeflate.serverMaxWindowBits',
      'a boolean or an integer from 8 to 15',
      '7 (number)',
    ],
    [
      { perMessageDeflate: { serverMaxWindowBits: 16 } },
      'perMessageDeflate.serverMaxWindowBits',
      'a boolean or an integer from 8 to 15',
      '16 (number)',
    ],
    [
      { perMessageDeflate: { clientMaxWindowBits: 8.5 } },
      'perMessageDeflate.clientMaxWindowBits',
      'a boolean or an integer from 8 to 15',
      '8.5 (number)',
    ],
    [
      { perMessageDeflate: { clientMaxWindowBits: 16 } },
      'perMessageDeflate.clientMaxWindowBits',
      'a boolean or an integer from 8 to 15',
      '16 (number)',
    ],
    [
      { perMessageDeflate: { zlibDeflateOptions: null } },
      'perMessageDeflate.zlibDeflateOptions',
      'a valid value (see the ws documentation)',
      'null',
    ],
    [
      { perMessageDeflate: { zlibInflateOptions: 1 } },
      'perMessageDeflate.zlibInflateOptions',
      'a valid value (see the ws documentation)',
      '1 (number)',
    ],
    [{ perMessageDeflate: { threshold: -1 } }, 'perMessageDeflate.threshold', 'a valid value (see the ws documentation)', '-1 (number)'],
    [
      { perMessageDeflate: { concurrencyLimit: 0 } },
      'perMessageDeflate.concurrencyLimit',
      'a valid value (see the ws documentation)',
      '0 (number)',
    ],
  ])('refuses %j', (options, name, expected, got) => {
    expect(refusal(options)).toBe(`TypeError: Expected \`${name}\` to be ${expected}, got ${got}`);
  });

  it('takes every permessage-deflate option ws documents, at its bounds, and hands them to the transport as given', () => {
    const deflate = {
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 8,
      clientMaxWindowBits: 15,
      zlibDeflateOptions: { level: 1 },
      zlibInflateOptions: {},
      threshold: 0,
      concurrencyLimit: 1,
    };
    expect(resolve({ perMessageDeflate: deflate }).node.perMessageDeflate).toBe(deflate);
    expect(resolve({ perMessageDeflate: { serverMaxWindowBits: 15, clientMaxWindowBits: 8 } }).node.perMessageDeflate).toEqual({
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 8,
    });
    expect(resolve({ perMessageDeflate: { serverMaxWindowBits: true, clientMaxWindowBits: false } }).node.perMessageDeflate).toEqual({
      serverMaxWindowBits: true,
      clientMaxWindowBits: false,
    });
    expect(resolve({ perMessageDeflate: false }).node).toEqual({ headers: {}, perMessageDeflate: false });
  });

  it('takes each bound at its edge', () => {
    const edges = resolve({
      maxQueuedMessages: 0,
      maxQueuedBytes: 0,
      maxBufferedBytes: 0,
      maxRetries: Infinity,
      highWaterMark: 1,
      maxPayload: 1,
      connectTimeout: 0,
      drainTimeout: 2 ** 31 - 1,
      minReconnectDelay: 1,
      maxReconnectDelay: 1,
      reconnectFactor: 1,
      reconnectJitter: false,
    });
    expect([edges.maxQueuedMessages, edges.maxQueuedBytes, edges.maxBufferedBytes, edges.maxRetries]).toEqual([0, 0, 0, Infinity]);
    expect([edges.highWaterMark, edges.maxPayload, edges.connectTimeout, edges.drainTimeout]).toEqual([1, 1, 0, 2 ** 31 - 1]);
    expect(edges.backoff).toEqual({ minDelay: 1, maxDelay: 1, factor: 1, jitter: false });
    expect(resolve({ highWaterMark: Infinity, maxBufferedBytes: Infinity }).highWaterMark).toBe(Infinity);
    expect(resolve({ maxRetries: 3 }).maxRetries).toBe(3);
  });

  it('treats null as absent where the default applies, as `??` does', () => {
    expect([resolve({ clock: null }).clock, resolve({ resendUnconfirmed: null }).resendUnconfirmed]).toEqual([systemClock, false]);
  });

  it('resolves to the documented defaults when given nothing, and shares them', () => {
    const defaults = resolveOptions();
    expect(resolveOptions({})).toBe(defaults);
    expect({ ...defaults }).toEqual({
      protocols: [],
      transport: undefined,
      binaryType: 'arraybuffer',
      maxQueuedMessages: 10_000,
      maxQueuedBytes: 16_777_216,
      maxBufferedBytes: Infinity,
      highWaterMark: 1_048_576,
      connectTimeout: 10_000,
      drainTimeout: 30_000,
      closeTimeout: 5_000,
      secureOnly: false,
      maxPayload: 16_777_216,
      node: { headers: {} },
      inspect: undefined,
      clock: systemClock,
      reconnect: true,
      resendUnconfirmed: false,
      maxRetries: Infinity,
      backoff: { minDelay: 1_000, maxDelay: 30_000, factor: 2, jitter: true },
      minStableTime: 5_000,
      shouldReconnect: undefined,
      heartbeatInterval: 30_000,
      heartbeatTimeout: 10_000,
      pingMessage: undefined,
      environment: undefined,
      signal: undefined,
      random: Math.random,
    });
  });

  it('keeps only what differs from the defaults, reading the rest through them', () => {
    const clock = new SimulatedClock();
    const resolved = resolve({ maxRetries: 3, reconnect: true, clock, pingMessage: 'ping' });
    expect(Object.keys(resolved).sort()).toEqual(['clock', 'maxRetries', 'pingMessage']);
    expect([resolved.maxRetries, resolved.reconnect, resolved.clock, resolved.pingMessage, resolved.connectTimeout]).toEqual([
      3,
      true,
      clock,
      'ping',
      10_000,
    ]);
  });

  it('gives the transport the Node client options only when one is given, each as given', () => {
    const agent = {};
    const node = resolve({ headers: { 'X-Team': 'a' }, origin: 'https://app.test', ca: ['pem'], agent }).node;
    expect(node).toEqual({ headers: { 'X-Team': 'a' }, origin: 'https://app.test', ca: ['pem'], agent });
    expect(node.agent).toBe(agent);
    expect(resolve({ ca: new Uint8Array([1]) }).node).toEqual({ headers: {}, ca: new Uint8Array([1]) });
    expect(resolve({ ca: 'pem' }).node).toEqual({ headers: {}, ca: 'pem' });
    expect(resolve({ maxRetries: 1 }).node).toBe(resolveOptions().node);
  });

  it('makes a transport of a WebSocket constructor, and prefers a transport given outright', () => {
    const Platform = function WebSocket() {};
    expect(typeof resolve({ WebSocket: Platform }).transport).toBe('function');
    const { transport } = createMemoryTransport();
    expect(resolve({ WebSocket: Platform, transport }).transport).toBe(transport);
  });

  it('takes a policy, an observer, an environment, a signal, protocols and a binary type as given', () => {
    const policy = () => false;
    const observer = { next: () => {} };
    const random = () => 0.5;
    const resolved = resolve({
      shouldReconnect: policy,
      inspect: observer,
      environment: fakeTarget,
      signal: fakeSignal,
      protocols: 'chat',
      binaryType: 'blob',
      random,
    });
    expect([resolved.shouldReconnect, resolved.inspect, resolved.environment, resolved.signal, resolved.random]).toEqual([
      policy,
      observer,
      fakeTarget,
      fakeSignal,
      random,
    ]);
    expect([resolved.protocols, resolved.binaryType]).toEqual([['chat'], 'blob']);
    expect(resolve({ inspect: policy }).inspect).toBe(policy);
    expect(resolve({ environment: null }).environment).toBeUndefined();
    expect(resolve({ protocols: [] }).protocols).toEqual([]);
  });

  it('names an unknown option without showing its value', () => {
    expect(refusal({ authorization: 'Bearer secret' })).toMatch(
      /^TypeError: Unknown option `authorization` \(its value is not shown\); expected one of protocols, binaryType, /,
    );
    expect(refusal({ authorization: 'Bearer secret' })).not.toContain('secret');
  });
});
