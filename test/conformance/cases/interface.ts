/**
 * The interface's shape as WebIDL defines it: the four constants, attributes as accessors on
 * the prototype (read-only ones without a setter), an `EventTarget`, and `readyState` through a
 * session (WHATWG WebSockets Standard, "Interface definition"; WebIDL, "Interface objects").
 */
import { deepEqual, equal, ok, throwsA } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase } from '../env.js';
import { nextClose, opened } from '../events.js';

const WEBIDL_ATTRIBUTES = 'https://webidl.spec.whatwg.org/#es-attributes';

export const interfaceCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'has the readyState constants on the constructor and the prototype, read-only and enumerable',
    cites: [
      `${SPEC}#interface-definition`,
      'https://webidl.spec.whatwg.org/#es-constants',
      'wpt websockets/interfaces/WebSocket/constants/001.html',
      'wpt websockets/interfaces/WebSocket/constants/006.html',
    ],
    async run(env) {
      const names = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
      for (const target of [env.WebSocket, env.WebSocket.prototype]) {
        const descriptors = names.map((name) => Object.getOwnPropertyDescriptor(target, name));
        deepEqual(
          descriptors,
          names.map((_, value) => ({ value, writable: false, enumerable: true, configurable: false })),
          "the constants' descriptors",
        );
      }
      const ws = env.create(env.url('/echo'));
      deepEqual([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED], [0, 1, 2, 3], 'the constants on an instance');
      throwsA(() => ((ws as { OPEN: number }).OPEN = 5), TypeError, 'assigning OPEN');
    },
  }),

  defineCase({
    name: 'has its attributes as enumerable accessors on the prototype, the read-only ones without a setter',
    cites: [
      `${SPEC}#interface-definition`,
      WEBIDL_ATTRIBUTES,
      'https://webidl.spec.whatwg.org/#es-operations',
      'wpt websockets/interfaces/WebSocket/url/003.html',
      'wpt websockets/interfaces/WebSocket/bufferedAmount/bufferedAmount-readonly.html',
      'wpt websockets/interfaces/WebSocket/close/close-replace.html',
    ],
    async run(env) {
      const prototype = env.WebSocket.prototype;
      const shape = (name: string) => {
        const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
        if (descriptor === undefined) return 'missing';
        if ('value' in descriptor) return `${typeof descriptor.value} ${descriptor.enumerable ? 'enumerable' : 'hidden'}`;
        return `${descriptor.set === undefined ? 'readonly' : 'read-write'} ${descriptor.enumerable ? 'enumerable' : 'hidden'}`;
      };
      const readonly = ['url', 'readyState', 'bufferedAmount', 'extensions', 'protocol'];
      const writable = ['onopen', 'onerror', 'onclose', 'onmessage', 'binaryType'];
      const operations = ['close', 'send'];
      deepEqual(
        [...readonly, ...writable, ...operations].map(shape),
        [
          ...readonly.map(() => 'readonly enumerable'),
          ...writable.map(() => 'read-write enumerable'),
          ...operations.map(() => 'function enumerable'),
        ],
        'descriptors on the prototype',
      );
      const ws = env.create(env.url('/echo'));
      deepEqual(Object.keys(ws), [], 'own properties of an instance');
      for (const name of readonly)
        throwsA(() => ((ws as unknown as Record<string, unknown>)[name] = 1), TypeError, `assigning ${name} (module code is strict)`);
      const url = ws.url;
      delete (ws as { url?: string }).url;
      equal(ws.url, url, 'url after deleting it from the instance');
      (ws as { close: unknown }).close = 5;
      // The property's value, not a call: an own property replaced the prototype's method.
      // eslint-disable-next-line @typescript-eslint/unbound-method -- read, never called
      equal<unknown>(ws.close, 5, 'close after replacing it on the instance');
      delete (ws as { close?: unknown }).close;
    },
  }),

  defineCase({
    name: 'is an EventTarget',
    cites: [`${SPEC}#interface-definition (WebSocket : EventTarget)`, 'wpt websockets/interfaces/WebSocket/events/004.html'],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      ok(ws instanceof EventTarget, 'an instance of EventTarget');
      deepEqual(
        [typeof ws.addEventListener, typeof ws.removeEventListener, typeof ws.dispatchEvent],
        ['function', 'function', 'function'],
        'EventTarget methods',
      );
    },
  }),

  defineCase({
    name: 'reads readyState CONNECTING at first, OPEN once open, CLOSING right after close() and CLOSED once closed',
    cites: [
      `${SPEC}#dom-websocket-readystate`,
      'wpt websockets/interfaces/WebSocket/readyState/001.html',
      'wpt websockets/interfaces/WebSocket/readyState/003.html',
      'wpt websockets/Close-readyState-Closing.any.js',
    ],
    async run(env) {
      const ws = env.create(env.url('/echo'));
      const states = [ws.readyState];
      await opened(ws);
      states.push(ws.readyState);
      const closed = nextClose(ws);
      ws.close();
      states.push(ws.readyState);
      await closed;
      states.push(ws.readyState);
      deepEqual(states, [0, 1, 2, 3], 'readyState');
    },
  }),
];
