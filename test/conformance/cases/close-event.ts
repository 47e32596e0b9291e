/**
 * How a connection ends and what the `CloseEvent` says: clean closes the server starts (with and
 * without a status code), a connection dropped without a closing handshake (1006), failed
 * connects and failed connections (error, then close 1006), exactly one close event, and the
 * `CloseEvent` interface itself (WHATWG WebSockets Standard, "Feedback from the protocol" and
 * "The CloseEvent interface"; RFC 6455 §7.1.5).
 */
import { deepEqual, equal, ok, throwsA } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase } from '../env.js';
import { bytesOf, messages, nextClose, opened, openSink, record, settle, type CloseEventLike } from '../events.js';
import { expectFailedConnect } from './protocols.js';

export const closeEventCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'a server close gives a clean CloseEvent with its code and reason, after every message sent before it',
    cites: [`${SPEC}#feedback-from-the-protocol`, 'wpt websockets/Close-server-initiated-close.any.js'],
    async run(env) {
      const ws = env.create(env.url('/send-then-close'));
      const log = record(ws);
      const data = messages(ws, 3);
      const closed = nextClose(ws);
      const [first, binary, last] = await data;
      const event = await closed;
      await settle(env);
      deepEqual([first, await bytesOf(binary), last], ['first', [1, 2, 3], 'last'], 'messages');
      deepEqual([event.code, event.reason, event.wasClean], [1000, 'done', true], 'the CloseEvent');
      deepEqual(log.entries, ['open@1', 'message@1', 'message@1', 'message@1', 'close@3'], 'events');
    },
  }),

  defineCase({
    name: 'a server close frame reads as its code and reason, or 1005 and "" without a status code',
    cites: [`${SPEC}#feedback-from-the-protocol`, 'RFC 6455 §7.1.5 (1005: no status code received)', 'RFC 6455 §7.4.1'],
    async run(env) {
      const closes: [string, [number, string, boolean]][] = [
        ['/close', [1005, '', true]],
        ['/close?code=4001&reason=bye', [4001, 'bye', true]],
        ['/close?code=1000&reason=h%C3%A9', [1000, 'h\u00e9', true]],
        ['/close?code=1001', [1001, '', true]],
      ];
      for (const [path, expected] of closes) {
        const ws = env.create(env.url(path));
        const log = record(ws);
        const event = await nextClose(ws);
        deepEqual([event.code, event.reason, event.wasClean], expected, `the CloseEvent for ${path}`);
        deepEqual(log.entries, ['open@1', 'close@3'], `events for ${path}`);
      }
    },
  }),

  defineCase({
    name: 'a connection dropped without a closing handshake reads 1006, not clean',
    cites: [`${SPEC}#feedback-from-the-protocol`, 'RFC 6455 §7.1.5 (1006: closed without a Close frame)'],
    async run(env) {
      const ws = await opened(env.create(env.url('/drop')));
      const log = record(ws);
      const closed = nextClose(ws);
      ws.send('drop');
      const event = await closed;
      await settle(env);
      deepEqual([event.code, event.reason, event.wasClean], [1006, '', false], 'the CloseEvent');
      // The standard fires error only when the connection was failed or flagged as full; a lost
      // TCP connection is neither (RFC 6455 §7.1.5 only makes its code 1006).
      deepEqual(log.entries, ['close@3'], 'events');
    },
  }),

  defineCase({
    name: 'a refused connection fires error, then close 1006',
    cites: [`${SPEC}#feedback-from-the-protocol`, `${SPEC}#concept-websocket-establish`],
    async run(env) {
      await expectFailedConnect(env, env.create(env.refusedUrl), 'a refused connection');
    },
  }),

  defineCase({
    name: 'a handshake the server answers with HTTP 403 fires error, then close 1006',
    cites: [
      `${SPEC}#concept-websocket-establish ("If response is a network error or its status is not 101, fail the WebSocket connection")`,
    ],
    async run(env) {
      await expectFailedConnect(env, env.create(env.url('/reject')), 'HTTP 403');
      await expectFailedConnect(env, env.create(env.url('/no-such-behaviour')), 'HTTP 404');
    },
  }),

  defineCase({
    name: 'a text frame that is not UTF-8 fails the connection: error, then close 1006, after the messages before it',
    cites: [
      `${SPEC}#feedback-from-the-protocol`,
      'RFC 6455 §8.1 and §7.1.7 (fail the WebSocket connection; 1006 as no Close frame is processed after)',
      'wpt websockets/interfaces/WebSocket/events/018.html',
    ],
    async run(env) {
      const ws = env.create(env.url('/invalid-utf8'));
      const log = record(ws);
      const data = messages(ws, 1);
      const closed = nextClose(ws);
      deepEqual(await data, ['test'], 'the valid message before the failure');
      const event = await closed;
      await settle(env);
      deepEqual(
        [...log.entries, event.code, event.reason, event.wasClean],
        ['open@1', 'message@1', 'error@3', 'close@3', 1006, '', false],
        "events, then the CloseEvent's code, reason and wasClean",
      );
    },
  }),

  defineCase({
    name: 'messages that arrive after close() was called are not dispatched',
    cites: [`${SPEC}#feedback-from-the-protocol ("If readyState is not OPEN, then return")`],
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const log = record(ws);
      const closed = nextClose(ws);
      ws.send('echoed while closing');
      ws.close();
      await closed;
      await settle(env);
      deepEqual(log.entries, ['close@3'], 'events after close()');
    },
  }),

  defineCase({
    name: 'fires close events as CloseEvents that do not bubble and cannot be cancelled, with the standard defaults',
    cites: [
      `${SPEC}#the-closeevent-interface`,
      'wpt websockets/interfaces/CloseEvent/constructor.html',
      'wpt websockets/interfaces/WebSocket/events/018.html',
    ],
    chromium:
      "Chromium's CloseEvent keeps a lone surrogate in the reason given to its constructor (CloseEventInit.reason is a USVString); ManagedWebSocket in a page fires the platform's CloseEvent",
    async run(env) {
      const ws = await opened(env.create(env.url('/echo')));
      const closed = nextClose(ws);
      ws.close(4000, 'done');
      const event = await closed;
      equal(Object.prototype.toString.call(event), '[object CloseEvent]', "the event's class string");
      const Platform = (globalThis as { CloseEvent?: unknown }).CloseEvent;
      if (typeof Platform === 'function') ok(event instanceof Platform, 'an instance of the global CloseEvent');
      deepEqual(
        [event.type, event.bubbles, event.cancelable, event.defaultPrevented],
        ['close', false, false, false],
        'type, bubbles, cancelable, defaultPrevented',
      );
      const CloseEventClass = event.constructor as new (type: string, init?: object) => CloseEventLike;
      const empty = new CloseEventClass('close');
      deepEqual([empty.code, empty.reason, empty.wasClean], [0, '', false], "a constructed CloseEvent's defaults");
      const given = new CloseEventClass('x', { code: 65536 + 4000, reason: '\uD800', wasClean: 1 });
      const reason = env.runtime === 'chromium' ? '\uD800' : '\uFFFD';
      deepEqual([given.code, given.reason, given.wasClean], [4000, reason, true], "a constructed CloseEvent's converted init");
      throwsA(() => ((event as { code: number }).code = 1), TypeError, 'assigning code');
    },
  }),
  defineCase({
    name: 'does not reconnect once the connection was lost',
    cites: [
      `${SPEC}#feedback-from-the-protocol (CLOSED is final)`,
      'docs/differences-from-websocket.md: "Like the platform\'s WebSocket, ManagedWebSocket does not reconnect"',
    ],
    async run(env) {
      const { ws, report } = await openSink(env, '&drop');
      const closed = nextClose(ws);
      ws.send('drop');
      equal((await closed).code, 1006, 'the close code of the lost connection');
      await settle(env);
      const received = await report();
      deepEqual([received.connections, ws.readyState], [1, 3], 'connections the server saw, and readyState');
    },
  }),
];
