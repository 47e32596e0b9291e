/**
 * Events and event handler attributes: `onopen`, `onmessage`, `onerror`, `onclose` as HTML defines
 * event handler IDL attributes (`[LegacyTreatNonObjectAsNull]`, one listener that keeps its
 * place), the order of a session's events, `this` and `target` (WHATWG WebSockets Standard, the
 * event handlers table; HTML, "event handler attributes").
 */
import { deepEqual, equal } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase } from '../env.js';
import { nextClose, opened, record, settle } from '../events.js';

const HTML_HANDLERS = 'https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes';

/**
 * Whether this runtime's own EventTarget keeps currentTarget set for a second listener. Node 20's
 * does not (it reads null, and eventPhase 0, after the first listener), and ManagedWebSocket, an
 * EventTarget subclass, inherits that: the case expects what the runtime's EventTarget does.
 */
function keepsCurrentTarget(): boolean {
  const target = new EventTarget();
  let kept = false;
  target.addEventListener('probe', () => {});
  target.addEventListener('probe', (event) => (kept = event.currentTarget === target));
  target.dispatchEvent(new Event('probe'));
  return kept;
}

/** The class string of this runtime's MessageEvent (Node 20's reads "[object Event]"). */
export const messageEventClass = () => Object.prototype.toString.call(new MessageEvent('message'));
const HANDLERS = ['onopen', 'onmessage', 'onerror', 'onclose'] as const;

export const handlerCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'has on* handler attributes, null at first, that keep objects and treat other values as null',
    cites: [
      `${SPEC}#the-websocket-interface (event handlers)`,
      HTML_HANDLERS,
      'wpt websockets/interfaces/WebSocket/events/001.html',
      'wpt websockets/interfaces/WebSocket/events/013.html',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      const slots = ws as unknown as Record<(typeof HANDLERS)[number], unknown>;
      for (const name of HANDLERS) {
        equal(slots[name], null, `${name} at first`);
        const handler = () => {};
        slots[name] = handler;
        equal(slots[name], handler, `${name} after setting a function`);
        // Not callable: kept, but it does nothing, and handleEvent is not called (events/013.html).
        const object = {
          handleEvent: () => {
            throw new Error(`${name}.handleEvent was called`);
          },
        };
        slots[name] = object;
        equal(slots[name], object, `${name} after setting an object`);
        ws.dispatchEvent(new Event(name.slice(2)));
        for (const value of ['a string', 5, true]) {
          slots[name] = handler;
          slots[name] = value;
          equal(slots[name], null, `${name} after setting ${JSON.stringify(value)}`);
        }
      }
    },
  }),

  defineCase({
    name: 'runs an event handler in the place it was first set among the listeners, until set to null',
    cites: [HTML_HANDLERS, 'wpt websockets/interfaces/WebSocket/events/016.html'],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      const calls: string[] = [];
      const named = (name: string) => (event: Event) => calls.push(`${name}:${event.type}`);
      for (const type of ['open', 'message', 'close']) {
        ws.addEventListener(type, named('A'));
        (ws as unknown as Record<string, unknown>)[`on${type}`] = named('H');
        ws.addEventListener(type, named('B'));
      }
      ws.addEventListener('open', () => ws.send('Goodbye'));
      ws.addEventListener('message', () => ws.close());
      await nextClose(ws);
      const session = ['open', 'message', 'close'].flatMap((type) => ['A', 'H', 'B'].map((name) => `${name}:${type}`));
      deepEqual(calls.splice(0), session, 'calls during a session');
      // A new value keeps the handler's place; null removes it; a value after null goes last.
      ws.onmessage = named('H2');
      ws.dispatchEvent(new Event('message'));
      ws.onmessage = null;
      ws.dispatchEvent(new Event('message'));
      ws.onmessage = named('H3');
      ws.dispatchEvent(new Event('message'));
      deepEqual(
        calls,
        ['A', 'H2', 'B', 'A', 'B', 'A', 'B', 'H3'].map((name) => `${name}:message`),
        'calls after replacing the handler',
      );
    },
  }),

  defineCase({
    name: 'calls handlers and listeners with the socket as this, target and currentTarget',
    cites: [
      HTML_HANDLERS,
      'https://dom.spec.whatwg.org/#concept-event-listener-inner-invoke',
      'Node 20 EventTarget: currentTarget is null from the second listener on',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      const seen: boolean[] = [];
      ws.onopen = function (this: unknown, event: Event) {
        seen.push(this === ws, event.target === ws, event.currentTarget === ws);
      };
      ws.addEventListener('open', function (this: unknown, event: Event) {
        seen.push(this === ws, event.target === ws, event.currentTarget === ws);
      });
      await opened(ws);
      deepEqual(
        seen,
        [true, true, true, true, true, keepsCurrentTarget()],
        'this, target, currentTarget in the handler, then the listener',
      );
    },
  }),

  defineCase({
    name: 'fires open, message and close in order, each once, with readyState OPEN, OPEN and CLOSED',
    cites: [
      `${SPEC}#feedback-from-the-protocol`,
      'wpt websockets/interfaces/WebSocket/readyState/003.html',
      'wpt websockets/interfaces/WebSocket/events/015.html',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      const log = record(ws);
      ws.onopen = () => ws.send('once');
      ws.onmessage = () => ws.close();
      await nextClose(ws);
      await settle(env);
      deepEqual(log.entries, ['open@1', 'message@1', 'close@3'], 'events');
      deepEqual(
        log.events.map((event) => Object.prototype.toString.call(event)),
        ['[object Event]', messageEventClass(), '[object CloseEvent]'],
        'event classes',
      );
      deepEqual(
        log.events.map((event) => [event.bubbles, event.cancelable]),
        [
          [false, false],
          [false, false],
          [false, false],
        ],
        'bubbles and cancelable',
      );
    },
  }),

  defineCase({
    name: 'fires events the user agent dispatches, which are trusted; the library dispatches them from script, untrusted',
    cites: ['https://dom.spec.whatwg.org/#dom-event-istrusted', `${SPEC}#feedback-from-the-protocol ("fire an event")`],
    difference: 'untrusted-events',
    async run(env) {
      const failed = env.create(env.url('/reject'));
      const log = record(failed);
      await nextClose(failed);
      const ws = env.create(env.url('/echo'));
      const session = record(ws);
      ws.onopen = () => ws.send('x');
      ws.onmessage = () => ws.close();
      await nextClose(ws);
      const trusted = [...log.events, ...session.events].map((event) => `${event.type}:${String(event.isTrusted)}`);
      const expected = ['error', 'close', 'open', 'message', 'close'].map((type) => `${type}:${String(!env.deliberate)}`);
      deepEqual(trusted, expected, 'isTrusted of each event');
    },
  }),
];
