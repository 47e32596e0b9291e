/**
 * `close(code, reason)`: WebIDL conversion (`[Clamp] unsigned short`, `USVString`), then the
 * standard's checks in order (code: `InvalidAccessError`; reason over 123 UTF-8 bytes:
 * `SyntaxError`), nothing changing when it throws, then what it does in each `readyState`
 * (WHATWG WebSockets Standard, `close()` and "close the WebSocket").
 */
import { deepEqual, equal, throws, throwsA, throwsDom } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase, type SocketUnderTest } from '../env.js';
import { messages, nextClose, opened, openSink, record, settle } from '../events.js';

/** Proves the socket is still open and working: a message makes the round trip. */
async function stillOpen(ws: SocketUnderTest, what: string): Promise<void> {
  equal(ws.readyState, 1, `${what}: readyState`);
  ws.send('still open');
  deepEqual(await messages(ws, 1), ['still open'], `${what}: echo`);
}

const INVALID_CODES: unknown[] = [
  0,
  500,
  999,
  1001,
  1005,
  1006,
  2999,
  5000,
  65535,
  0x10000 + 1000,
  -1,
  NaN,
  Infinity,
  -Infinity,
  'string',
  null,
  '',
  {},
  true,
];

export const closeMethodCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'close() throws an InvalidAccessError for a code that is not 1000 or 3000-4999 after [Clamp] conversion, changing nothing',
    cites: [
      `${SPEC}#dom-websocket-close`,
      'https://webidl.spec.whatwg.org/#abstract-opdef-converttoint ([Clamp]: round half to even)',
      'wpt websockets/close-invalid.any.js',
      'wpt websockets/Close-2999-reason.any.js',
      'wpt websockets/Close-onlyReason.any.js',
    ],
    async run(env) {
      const connecting = env.create(env.url('/echo'));
      throwsDom(() => connecting.close(999), 'InvalidAccessError', 'close(999) while CONNECTING');
      equal(connecting.readyState, 0, 'readyState after a throwing close() while CONNECTING');
      const ws = await opened(connecting);
      for (const code of INVALID_CODES) throwsDom(() => ws.close(code), 'InvalidAccessError', `close(${String(code)})`);
      await stillOpen(ws, 'after the throwing calls');
    },
  }),

  defineCase({
    name: 'close() rounds a fractional code half to even ([Clamp]) before checking it, and sends the converted code',
    cites: [
      `${SPEC}#dom-websocket-close`,
      'https://webidl.spec.whatwg.org/#abstract-opdef-converttoint ([Clamp]: round to the nearest integer, ties to even)',
      'wpt websockets/Close-1000-verify-code.any.js',
      'wpt websockets/Close-3000-verify-code.any.js',
    ],
    chromium: 'Chromium truncates the fraction instead (999.5 and 2999.5 throw; 1000.6 closes with 1000; 4999.5 with 4999)',
    async run(env) {
      // [code, the standard's result, Chromium's]: a close code, or the error thrown.
      const codes: [unknown, number | string, number | string][] = [
        [999.5, 1000, 'InvalidAccessError'],
        [1000.4, 1000, 1000],
        [1000.6, 'InvalidAccessError', 1000],
        [2999.5, 3000, 'InvalidAccessError'],
        [4999.4, 4999, 4999],
        [4999.5, 'InvalidAccessError', 4999],
        ['4000', 4000, 4000],
        [{ valueOf: () => 3001 }, 3001, 3001],
      ];
      const results = await Promise.all(
        codes.map(async ([code]) => {
          const ws = await opened(env.create(env.url('/echo')));
          const closed = nextClose(ws);
          try {
            ws.close(code);
          } catch (error) {
            return (error as Error).name;
          }
          return (await closed).code;
        }),
      );
      deepEqual(
        results,
        codes.map(([, standard, chromium]) => (env.chromiumPlatform ? chromium : standard)),
        'the close code the server echoed, or the error',
      );
    },
  }),

  defineCase({
    name: 'close() throws a SyntaxError for a reason over 123 UTF-8 bytes, lone surrogates counting 3, changing nothing',
    cites: [
      `${SPEC}#dom-websocket-close`,
      'wpt websockets/Close-Reason-124Bytes.any.js',
      'https://webidl.spec.whatwg.org/#dfn-optional-argument (undefined means absent)',
    ],
    chromium: 'Chromium reads an undefined code as 0 when a reason follows, so close(undefined, reason) throws an InvalidAccessError first',
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const reasons = ['a'.repeat(124), '\u00e9'.repeat(62), '\u{1F600}'.repeat(31), '\uD800'.repeat(42), 'a'.repeat(1000)];
      for (const reason of reasons) {
        throwsDom(() => ws.close(1000, reason), 'SyntaxError', `close(1000, ${reason.length} code units)`);
        throwsDom(
          () => ws.close(undefined, reason),
          env.chromiumPlatform ? 'InvalidAccessError' : 'SyntaxError',
          `close(undefined, ${reason.length} code units)`,
        );
      }
      await stillOpen(ws, 'after the throwing calls');
    },
  }),

  defineCase({
    name: 'close() checks the code before the reason',
    cites: [`${SPEC}#dom-websocket-close`],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      throwsDom(() => ws.close(999, 'a'.repeat(124)), 'InvalidAccessError', 'close(999, 124 bytes)');
      await stillOpen(ws, 'after the throwing call');
    },
  }),

  defineCase({
    name: 'close() converts both arguments before checking either',
    cites: [
      'https://webidl.spec.whatwg.org/#es-overloads (arguments are converted before the method steps)',
      `${SPEC}#dom-websocket-close`,
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const log: string[] = [];
      const code = { valueOf: () => (log.push('code'), 999) };
      throwsDom(() => ws.close(code, { toString: () => (log.push('reason'), 'r') }), 'InvalidAccessError', 'close(999, reason)');
      deepEqual(log, ['code', 'reason'], 'conversions before the InvalidAccessError');
      const failing = {
        toString: () => {
          throw new RangeError('reason conversion');
        },
      };
      equal(
        (throws(() => ws.close(999, failing), 'close(999, throwing reason)') as Error).name,
        'RangeError',
        'the conversion error wins over the code check',
      );
      await stillOpen(ws, 'after the throwing calls');
    },
  }),

  defineCase({
    name: 'close() throws a TypeError for a BigInt code or a Symbol reason, changing nothing',
    cites: ['https://webidl.spec.whatwg.org/#es-unsigned-short (ToNumber)', 'https://webidl.spec.whatwg.org/#es-USVString (ToString)'],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      throwsA(() => ws.close(BigInt(1000)), TypeError, 'close(1000n)');
      throwsA(() => ws.close(1000, Symbol('reason')), TypeError, 'close(1000, Symbol())');
      await stillOpen(ws, 'after the throwing calls');
    },
  }),

  defineCase({
    name: 'close(code, reason) sends them; CLOSING at once, then a clean CloseEvent with them while CLOSED',
    cites: [
      `${SPEC}#dom-websocket-close`,
      `${SPEC}#feedback-from-the-protocol`,
      'wpt websockets/Close-1000-reason.any.js',
      'wpt websockets/Close-4999-reason.any.js',
      'wpt websockets/Close-readyState-Closed.any.js',
    ],
    async run(env) {
      const { ws, report } = await openSink(env);
      const log = record(ws);
      const closed = nextClose(ws);
      ws.close(4999, 'Clean Close');
      equal(ws.readyState, 2, 'readyState right after close()');
      const event = await closed;
      deepEqual([event.code, event.reason, event.wasClean], [4999, 'Clean Close', true], 'the CloseEvent');
      deepEqual(log.entries, ['close@3'], 'events after close()');
      const received = await report();
      deepEqual([received.code, received.reason], [4999, 'Clean Close'], 'what the server received');
    },
  }),

  defineCase({
    name: 'close() sends a reason of exactly 123 UTF-8 bytes, and a lone surrogate in it as U+FFFD',
    cites: [`${SPEC}#dom-websocket-close`, 'wpt websockets/Close-reason-unpaired-surrogates.any.js'],
    async run(env) {
      const reasons: [string, string][] = [
        [`${'\u00e9'.repeat(61)}a`, `${'\u00e9'.repeat(61)}a`],
        ['\uD807', '\uFFFD'],
      ];
      for (const [reason, expected] of reasons) {
        const ws = await opened(env.create(env.url('/echo')));
        const closed = nextClose(ws);
        ws.close(1000, reason);
        equal((await closed).reason, expected, 'the reason the server echoed');
      }
    },
  }),

  defineCase({
    name: 'close() without a code sends no status code unless there is a reason, then 1000',
    cites: [
      `${SPEC}#dom-websocket-close`,
      `${SPEC} "close the WebSocket": "If code is null and reason is the empty byte sequence, the Close frame must not have a body; if reason is non-empty but code is null, set code to 1000"`,
      'wpt websockets/Close-1005-verify-code.any.js',
      'wpt websockets/Close-undefined.any.js',
    ],
    chromium:
      'Chromium reads an undefined code as 0 when a reason follows: close(undefined, "") and close(undefined, "bye") throw an InvalidAccessError',
    async run(env) {
      const calls: [unknown[], number, string][] = [
        [[], 1005, ''],
        [[undefined], 1005, ''],
        [[undefined, ''], 1005, ''],
        [[undefined, 'bye'], 1000, 'bye'],
      ];
      for (const [args, code, reason] of calls) {
        const { ws, report } = await openSink(env);
        const closed = nextClose(ws);
        if (env.chromiumPlatform && args.length === 2) {
          throwsDom(() => ws.close(...(args as [])), 'InvalidAccessError', `close(${args.map(String).join(', ')}) in Chromium`);
          ws.close();
          await closed;
          continue;
        }
        ws.close(...(args as []));
        const event = await closed;
        const received = await report();
        deepEqual([received.code, received.reason], [code, reason], `what the server received for close(${args.map(String).join(', ')})`);
        deepEqual(
          [event.code, event.reason, event.wasClean],
          [code, reason, true],
          `the CloseEvent for close(${args.map(String).join(', ')})`,
        );
      }
    },
  }),

  defineCase({
    name: 'close() while CONNECTING reads CLOSING at once, then fires error and close 1006 asynchronously, never open',
    cites: [
      `${SPEC}#dom-websocket-close ("fail the WebSocket connection")`,
      'wpt websockets/interfaces/WebSocket/close/close-connecting-async.any.js',
      'wpt websockets/interfaces/WebSocket/close/close-connecting.html',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      const log = record(ws);
      equal(ws.readyState, 0, 'readyState before close()');
      ws.close(4000, 'never sent');
      equal(ws.readyState, 2, 'readyState right after close()');
      deepEqual(log.entries, [], 'events during close()');
      const event = await nextClose(ws);
      await settle(env);
      deepEqual(log.entries, ['error@3', 'close@3'], 'events');
      deepEqual([event.code, event.reason, event.wasClean], [1006, '', false], 'the CloseEvent');
    },
  }),

  defineCase({
    name: 'close() while CLOSING or CLOSED does nothing, but still validates its arguments',
    cites: [
      `${SPEC}#dom-websocket-close`,
      'wpt websockets/interfaces/WebSocket/close/close-multiple.html',
      'wpt websockets/interfaces/WebSocket/close/close-nested.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const log = record(ws);
      const inHandler: string[] = [];
      ws.addEventListener('close', () => {
        ws.close(3002, 'in the handler');
        inHandler.push(`readyState ${ws.readyState}`);
        inHandler.push((throws(() => ws.close(999), 'close(999) while CLOSED') as Error).name);
      });
      const closed = nextClose(ws);
      ws.close(3000, 'first');
      ws.close(3001, 'second');
      ws.close();
      throwsDom(() => ws.close(999), 'InvalidAccessError', 'close(999) while CLOSING');
      equal(ws.readyState, 2, 'readyState while CLOSING');
      const event = await closed;
      await settle(env);
      deepEqual([event.code, event.reason], [3000, 'first'], "the close code and reason the server echoed: the first call's");
      deepEqual(log.entries, ['close@3'], 'events');
      deepEqual(inHandler, ['readyState 3', 'InvalidAccessError'], 'in the close handler');
    },
  }),

  defineCase({
    name: 'close() and send() return undefined',
    cites: [
      `${SPEC}#interface-definition`,
      'wpt websockets/interfaces/WebSocket/close/close-return.html',
      'wpt websockets/interfaces/WebSocket/send/005.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      equal(ws.send('test'), undefined, 'send()');
      equal(ws.close(), undefined, 'close()');
    },
  }),
];
