/**
 * Receiving: `binaryType` (an enumeration attribute, "blob" at first) decides what binary
 * messages arrive as when they are dispatched; text arrives as strings; `message` events are
 * `MessageEvent`s whose origin is the URL's origin (WHATWG WebSockets Standard, `binaryType` and
 * "Feedback from the protocol").
 */
import { deepEqual, equal, ok, throwsA } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase } from '../env.js';
import { bytesOf, messages, opened } from '../events.js';
import { messageEventClass } from './handlers.js';

export const messageCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'binaryType is "blob" at first and ignores values other than "blob" and "arraybuffer"',
    cites: [
      `${SPEC}#dom-websocket-binarytype`,
      'https://webidl.spec.whatwg.org/#es-enumeration (an invalid value is ignored)',
      'wpt websockets/binaryType-wrong-value.any.js',
      'wpt websockets/Create-valid-url-binaryType-blob.any.js',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      equal(ws.binaryType, 'blob', 'binaryType at first');
      const seen: string[] = [];
      for (const value of ['notBlobOrArrayBuffer', 'Blob', 'ARRAYBUFFER', '', 'arraybuffer ', null, undefined, 0]) {
        ws.binaryType = value as string;
        seen.push(ws.binaryType);
      }
      deepEqual(
        seen,
        seen.map(() => 'blob'),
        'binaryType after each invalid value',
      );
      ws.binaryType = { toString: () => 'arraybuffer' } as unknown as string;
      equal(ws.binaryType, 'arraybuffer', 'binaryType after a value that converts to "arraybuffer"');
      throwsA(() => (ws.binaryType = Symbol('blob') as unknown as string), TypeError, 'binaryType = Symbol()');
      equal(ws.binaryType, 'arraybuffer', 'binaryType after the throwing assignment');
      ws.binaryType = 'blob';
      equal(ws.binaryType, 'blob', 'binaryType set back');
    },
  }),

  defineCase({
    name: 'delivers binary messages as Blobs, or ArrayBuffers under "arraybuffer", by the binaryType in force at dispatch; text as strings',
    cites: [
      `${SPEC}#feedback-from-the-protocol`,
      `${SPEC}#dom-websocket-binarytype (note: the attribute may change after the data arrived)`,
      'wpt websockets/binary/001.html',
      'wpt websockets/binary/002.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      let echoes = messages(ws, 2);
      ws.send(new Uint8Array([1, 2, 3]));
      ws.send('text');
      const [blob, text] = await echoes;
      ok(typeof Blob !== 'undefined' && blob instanceof Blob, `a Blob under "blob", got ${Object.prototype.toString.call(blob)}`);
      deepEqual([(blob as Blob).size, (blob as Blob).type, await bytesOf(blob), text], [3, '', [1, 2, 3], 'text'], 'the Blob and the text');
      echoes = messages(ws, 2);
      ws.send(new Uint8Array([4, 5]));
      // Changed after the send, before the echo arrives: the value at dispatch decides.
      ws.binaryType = 'arraybuffer';
      ws.send('more text');
      const [buffer, more] = await echoes;
      ok(buffer instanceof ArrayBuffer, `an ArrayBuffer under "arraybuffer", got ${Object.prototype.toString.call(buffer)}`);
      deepEqual([await bytesOf(buffer), more], [[4, 5], 'more text'], 'the ArrayBuffer and the text');
    },
  }),

  defineCase({
    name: 'fires message events as MessageEvents with the URL origin, no ports and no source, not bubbling',
    cites: [
      `${SPEC}#feedback-from-the-protocol ("origin ... initialized to the serialization of the WebSocket object's url's origin")`,
      'wpt websockets/interfaces/WebSocket/events/018.html',
    ],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo?a=1')));
      const event = new Promise<MessageEvent>((resolve) =>
        ws.addEventListener('message', (e) => resolve(e as MessageEvent), { once: true }),
      );
      ws.send('hi');
      const message = await event;
      equal(Object.prototype.toString.call(message), messageEventClass(), "the event's class string, as this runtime's MessageEvent reads");
      ok(message instanceof MessageEvent, 'an instance of the global MessageEvent');
      deepEqual(
        [
          message.type,
          message.data,
          message.origin,
          message.lastEventId,
          message.source,
          message.ports.length,
          message.bubbles,
          message.cancelable,
        ],
        ['message', 'hi', env.url(''), '', null, 0, false, false],
        'type, data, origin, lastEventId, source, ports, bubbles, cancelable',
      );
    },
  }),
];
