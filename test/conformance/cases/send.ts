/**
 * `send(data)`: what it accepts, what goes on the wire (text frames for strings, binary frames
 * with exactly the bytes of an `ArrayBuffer`, a view's section or a `Blob`), and `bufferedAmount`
 * counting UTF-8 bytes at once; plus the deliberate differences around it: queueing while
 * CONNECTING, sends after `close()`, other data types (WHATWG WebSockets Standard, `send()` and
 * `bufferedAmount`).
 */
import { deepEqual, equal, throwsA, throwsDom } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase } from '../env.js';
import { bytesOf, messages, nextClose, opened, openSink, settle } from '../events.js';

/** Sends each item, returning `bufferedAmount` read right after each send, in the same task. */
function sendAll(ws: { send(data: unknown): unknown; readonly bufferedAmount: number }, items: readonly unknown[]): number[] {
  return items.map((item) => (ws.send(item), ws.bufferedAmount));
}

/** Running totals of `sizes`. */
const cumulative = (sizes: readonly number[]) => sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0));

export const sendCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'send() while CONNECTING throws an InvalidStateError; the library queues the message and sends it on open, in order',
    cites: [
      `${SPEC}#dom-websocket-send ("If readyState is CONNECTING, throw an InvalidStateError")`,
      'wpt websockets/Send-before-open.any.js',
    ],
    difference: 'queue-before-open',
    async run(env) {
      const ws = env.create(env.url('/echo'));
      ws.binaryType = 'arraybuffer';
      if (!env.deliberate) {
        throwsDom(() => ws.send('Message to send'), 'InvalidStateError', 'send() while CONNECTING');
        equal(ws.bufferedAmount, 0, 'bufferedAmount after the throwing send()');
        await opened(ws);
        return;
      }
      const echoes = messages(ws, 3);
      ws.send('first');
      ws.send(new Uint8Array([1, 2]));
      ws.send('\u00e9');
      deepEqual([ws.readyState, ws.bufferedAmount], [0, 5 + 2 + 2], 'readyState and bufferedAmount (bytes queued)');
      const [first, binary, last] = await echoes;
      deepEqual([first, await bytesOf(binary), last], ['first', [1, 2], '\u00e9'], 'the echoes, in order');
    },
  }),

  defineCase({
    name: 'send() sends strings as text frames and adds their UTF-8 length to bufferedAmount at once',
    cites: [
      `${SPEC}#dom-websocket-send`,
      `${SPEC}#dom-websocket-bufferedamount`,
      'wpt websockets/Send-0byte-data.any.js',
      'wpt websockets/Send-65K-data.any.js',
      'wpt websockets/Send-paired-surrogates.any.js',
      'wpt websockets/Send-unicode-data.any.js',
      'wpt websockets/interfaces/WebSocket/bufferedAmount/bufferedAmount-unicode.html',
      'wpt websockets/interfaces/WebSocket/send/011.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const texts = [
        '',
        'hello',
        '\u00a5\u00a5\u00a5\u00a5\u00a5\u00a5',
        '\uD801\uDC07',
        '\u00E5 a\u030A \uD801\uDC7E',
        'a'.repeat(65_000),
      ];
      const echoes = messages(ws, texts.length);
      equal(ws.bufferedAmount, 0, 'bufferedAmount before sending');
      deepEqual(sendAll(ws, texts), cumulative([0, 5, 12, 4, 11, 65_000]), 'bufferedAmount after each send()');
      deepEqual(await echoes, texts, 'the echoes');
    },
  }),

  defineCase({
    name: 'send() sends lone surrogates as U+FFFD and counts 3 bytes for each',
    cites: [
      `${SPEC}#interface-definition (send takes a USVString)`,
      'wpt websockets/Send-unpaired-surrogates.any.js',
      'wpt websockets/interfaces/WebSocket/send/006.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const echo = messages(ws, 1);
      deepEqual(sendAll(ws, ['a\uDC00xb\uD800xc\uDC00\uD800x']), [6 + 4 * 3], 'bufferedAmount after send()');
      deepEqual(await echo, ['a\uFFFDxb\uFFFDxc\uFFFD\uFFFDx'], 'the echo');
    },
  }),

  defineCase({
    name: 'send() sends an ArrayBuffer, a view at an offset or a Blob as a binary frame of exactly its bytes, counted at once',
    cites: [
      `${SPEC}#dom-websocket-send`,
      `${SPEC}#dom-websocket-bufferedamount (the standard says "the length of data's buffer" for views; implementations count the view's bytes)`,
      'wpt websockets/Send-binary-arraybuffer.any.js',
      'wpt websockets/Send-binary-arraybufferview-uint16-offset-length.any.js',
      'wpt websockets/Send-binary-arraybufferview-int16-offset.any.js',
      'wpt websockets/Send-binary-blob.any.js',
      'wpt websockets/interfaces/WebSocket/bufferedAmount/bufferedAmount-arraybuffer.html',
      'wpt websockets/interfaces/WebSocket/bufferedAmount/bufferedAmount-blob.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      ws.binaryType = 'arraybuffer';
      const backing = Uint8Array.from({ length: 16 }, (_, i) => i).buffer;
      const items: [unknown, number[]][] = [
        [backing.slice(0, 4), [0, 1, 2, 3]],
        [new Uint8Array(backing, 2, 3), [2, 3, 4]],
        [new Uint16Array(backing, 2, 2), [2, 3, 4, 5]],
        [new Int32Array(backing, 8, 1), [8, 9, 10, 11]],
        [new DataView(backing, 13, 2), [13, 14]],
        [new Float64Array(backing, 8), [8, 9, 10, 11, 12, 13, 14, 15]],
        [new Blob([new Uint8Array([7, 8, 9])]), [7, 8, 9]],
        [new ArrayBuffer(0), []],
      ];
      const echoes = messages(ws, items.length);
      deepEqual(
        sendAll(
          ws,
          items.map(([data]) => data),
        ),
        cumulative(items.map(([, bytes]) => bytes.length)),
        'bufferedAmount after each send()',
      );
      const received = await Promise.all((await echoes).map(bytesOf));
      deepEqual(
        received,
        items.map(([, bytes]) => bytes),
        'the bytes echoed',
      );
    },
  }),

  defineCase({
    name: 'send() takes the bytes of a buffer at the call, so changing it afterwards changes nothing sent',
    cites: [`${SPEC}#dom-websocket-send ("the data stored in the buffer")`, 'https://webidl.spec.whatwg.org/#dfn-get-buffer-source-copy'],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      ws.binaryType = 'arraybuffer';
      const data = new Uint8Array([1, 2, 3]);
      const echo = messages(ws, 1);
      ws.send(data);
      data.fill(9);
      deepEqual(await bytesOf((await echo)[0]), [1, 2, 3], 'the bytes echoed');
    },
  }),

  defineCase({
    name: 'send() sends any other value as its string conversion, and throws a TypeError for a Symbol or no argument',
    cites: [
      `${SPEC}#interface-definition (send((BufferSource or Blob or USVString) data))`,
      'https://webidl.spec.whatwg.org/#es-union',
      'https://webidl.spec.whatwg.org/#es-DOMString',
      'wpt websockets/Send-null.any.js',
      'wpt websockets/interfaces/WebSocket/send/012.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      // The argument is required, and a Symbol has no string conversion: both throw before anything is sent.
      throwsA(() => (ws.send as () => unknown)(), TypeError, 'send() without an argument');
      throwsA(() => ws.send(Symbol('data')), TypeError, 'send(Symbol())');
      equal(ws.bufferedAmount, 0, 'bufferedAmount after the throwing calls');
      const values: [unknown, string][] = [
        [null, 'null'],
        [undefined, 'undefined'],
        [42, '42'],
        [true, 'true'],
        [{ toString: () => 'object' }, 'object'],
      ];
      const echoes = messages(ws, values.length);
      for (const [value] of values) ws.send(value);
      deepEqual(
        await echoes,
        values.map(([, text]) => text),
        'the echoes',
      );
    },
  }),

  defineCase({
    name: 'send() after close() neither throws nor sends; the library reports each message undelivered',
    cites: [`${SPEC}#dom-websocket-send ("If the WebSocket connection is established and the closing handshake has not yet started")`],
    difference: 'report-sends-after-close',
    async run(env) {
      const { ws, report } = await openSink(env);
      const undelivered: [unknown, unknown][] = [];
      ws.addEventListener('undelivered', (event) =>
        undelivered.push([(event as MessageEvent).data, (event as Event & { reason: unknown }).reason]),
      );
      const closed = nextClose(ws);
      ws.close();
      ws.send('while closing');
      await closed;
      ws.send('once closed');
      const received = await report();
      equal(received.messages, 0, 'messages the server received');
      deepEqual(
        undelivered,
        env.deliberate
          ? [
              ['while closing', 'closing'],
              ['once closed', 'closed'],
            ]
          : [],
        'undelivered events',
      );
    },
  }),

  defineCase({
    name: 'bufferedAmount grows with each send() after close(); the library counts only what is still pending, none',
    cites: [
      `${SPEC}#dom-websocket-bufferedamount ("If the WebSocket connection is closed, this attribute's value will only increase with each call to send()")`,
      `${SPEC}#dom-websocket-send`,
    ],
    difference: 'buffered-amount-after-close',
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const closed = nextClose(ws);
      ws.close();
      const whileClosing = sendAll(ws, ['abc', new Uint8Array(2)]);
      await closed;
      const whenClosed = sendAll(ws, ['\u00e9']);
      deepEqual(
        [...whileClosing, ...whenClosed],
        env.deliberate ? [0, 0, 0] : [3, 5, 7],
        'bufferedAmount after each send() while CLOSING, then CLOSED',
      );
    },
  }),

  defineCase({
    name: 'bufferedAmount is 0 at first and again once everything sent was written',
    cites: [
      `${SPEC}#dom-websocket-bufferedamount`,
      'wpt websockets/interfaces/WebSocket/bufferedAmount/bufferedAmount-initial.html',
      'wpt websockets/interfaces/WebSocket/bufferedAmount/bufferedAmount-large.html',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      equal(ws.bufferedAmount, 0, 'bufferedAmount while CONNECTING');
      await opened(ws);
      const echo = messages(ws, 1);
      ws.send('x'.repeat(1 << 20));
      equal(ws.bufferedAmount, 1 << 20, 'bufferedAmount right after send()');
      await echo;
      // The echo proves the bytes left; another whole session lets the count catch up.
      await settle(env);
      equal(ws.bufferedAmount, 0, 'bufferedAmount once the message was echoed');
    },
  }),

  defineCase({
    name: 'close() right after send() still delivers everything sent before it, then closes',
    cites: [
      `${SPEC}#dom-websocket-close (note: "The close() method does not discard previously sent messages before starting the WebSocket closing handshake")`,
    ],
    difference: 'drain-before-close',
    async run(env) {
      const { ws, report } = await openSink(env);
      const closed = nextClose(ws);
      ws.send('x'.repeat(2 << 20));
      ws.send(new Uint8Array(2 << 20));
      ws.close(1000, 'after the data');
      const event = await closed;
      const received = await report();
      deepEqual(
        [received.messages, received.bytes, received.code, received.reason],
        [2, 4 << 20, 1000, 'after the data'],
        'what the server received',
      );
      deepEqual([event.code, event.wasClean], [1000, true], 'the CloseEvent');
    },
  }),
];
