/**
 * Subprotocols: the constructor's validation (each an RFC 9110 token, none twice), how the list
 * is offered, the `protocol` and `extensions` attributes, and the handshake failing when the
 * server's choice does not fit the offer (WHATWG WebSockets Standard, "establish a WebSocket
 * connection" and `new WebSocket()` step "If any of the values in protocols occur more than once...").
 */
import { deepEqual, doesNotThrow, equal, throwsDom } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase, type ConformanceEnv, type SocketUnderTest } from '../env.js';
import { describeClose, nextClose, nextJson, opened, record, settle } from '../events.js';

/** Asserts the standard's failed connect: one error, then one close 1006 (not clean), both while CLOSED, never open. */
export async function expectFailedConnect(env: ConformanceEnv, ws: SocketUnderTest, what: string): Promise<void> {
  const log = record(ws);
  const close = await nextClose(ws);
  await settle(env);
  deepEqual(log.entries, ['error@3', 'close@3'], `${what}: events`);
  deepEqual([close.code, close.reason, close.wasClean], [1006, '', false], `${what}: close event (${describeClose(close)})`);
  equal(ws.protocol, '', `${what}: protocol`);
}

/** Characters RFC 9110 §5.6.2 leaves out of `tchar`, or that are not visible ASCII. */
const NOT_TOKENS = ['', ' ', 'a b', 'a\tb', 'a\u0000b', 'a\u0001b', 'a\u001fb', 'a\u007fb', 'a\u0080b', 'a\u00e9b', '\u00e9', '/echo'];
const SEPARATORS = Array.from('(),/:;<=>?@[\\]{}"', (separator) => `a${separator}b`);

export const protocolCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'throws a SyntaxError for a subprotocol that is not a token, alone or in a list',
    cites: [
      `${SPEC}#dom-websocket-websocket`,
      'wpt websockets/constructor/004.html',
      'wpt websockets/Create-asciiSep-protocol-string.any.js',
      'wpt websockets/Create-nonAscii-protocol-string.any.js',
      'wpt websockets/Create-protocol-with-space.any.js',
    ],
    async run(env) {
      for (const protocol of [...NOT_TOKENS, ...SEPARATORS]) {
        throwsDom(() => env.create(env.url('/echo'), protocol), 'SyntaxError', `protocols ${JSON.stringify(protocol)}`);
        throwsDom(() => env.create(env.url('/echo'), ['chat', protocol]), 'SyntaxError', `protocols ["chat", ${JSON.stringify(protocol)}]`);
      }
    },
  }),

  defineCase({
    name: 'accepts every token character in a subprotocol',
    cites: [`${SPEC}#dom-websocket-websocket`, 'RFC 9110 §5.6.2 tchar'],
    async run(env) {
      const protocol = "!#$%&'*+-.^_`|~0123456789ABCXYZabcxyz";
      const ws = env.create(env.url('/protocol'), protocol);
      deepEqual(await nextJson(ws), [protocol], 'the subprotocols offered');
      equal(ws.protocol, protocol, 'protocol');
    },
  }),

  defineCase({
    name: 'throws a SyntaxError for a subprotocol offered twice',
    cites: [`${SPEC}#dom-websocket-websocket`, 'wpt websockets/Create-protocols-repeated.any.js', 'wpt websockets/constructor/021.html'],
    async run(env) {
      for (const protocols of [
        ['chat', 'chat'],
        ['a', 'b', 'a'],
      ]) {
        throwsDom(() => env.create(env.url('/echo'), protocols), 'SyntaxError', `protocols ${JSON.stringify(protocols)}`);
      }
    },
  }),

  defineCase({
    name: 'compares subprotocols case-sensitively, so echo and eCho are both offered',
    cites: [
      `${SPEC}#dom-websocket-websocket ("occur more than once": no case folding)`,
      'RFC 6455 §4.1 (subprotocol names are case-sensitive)',
      'https://github.com/whatwg/websockets/issues/47 (wpt Create-protocols-repeated-case-insensitive.any.js expects a SyntaxError; no browser passes it)',
    ],
    async run(env) {
      const ws = doesNotThrow(() => env.create(env.url('/protocol?select=eCho'), ['echo', 'eCho']), 'protocols ["echo", "eCho"]');
      deepEqual(await nextJson(ws), ['echo', 'eCho'], 'the subprotocols offered');
      equal(ws.protocol, 'eCho', 'protocol');
    },
  }),

  defineCase({
    name: 'offers a string as one subprotocol and any iterable as a list, in order',
    cites: [`${SPEC}#dom-websocket-websocket`, 'https://webidl.spec.whatwg.org/#es-union', 'wpt websockets/constructor/022.html'],
    async run(env) {
      const offers: [unknown, string[]][] = [
        ['chat', ['chat']],
        [
          ['json', 'chat'],
          ['json', 'chat'],
        ],
        [new Set(['b', 'a']), ['b', 'a']],
        // (DOMString or sequence<DOMString>): null is not iterable, so it is the string "null".
        [null, ['null']],
      ];
      for (const [protocols, offered] of offers) {
        const ws = env.create(env.url('/protocol'), protocols);
        deepEqual(await nextJson(ws), offered, `the subprotocols offered for ${String(protocols)}`);
      }
    },
  }),

  defineCase({
    name: 'has protocol and extensions empty until open, then the server selection',
    cites: [
      `${SPEC}#dom-websocket-protocol`,
      `${SPEC}#dom-websocket-extensions`,
      'wpt websockets/interfaces/WebSocket/protocol/protocol-initial.html',
      'wpt websockets/Create-extensions-empty.any.js',
      'wpt websockets/constructor/009.html',
    ],
    async run(env) {
      const ws = env.create(env.url('/protocol?select=chat'), ['json', 'chat']);
      deepEqual([ws.protocol, ws.extensions], ['', ''], 'protocol and extensions while connecting');
      let atOpen: string[] = [];
      ws.addEventListener('open', () => (atOpen = [ws.protocol, ws.extensions]));
      await opened(ws);
      deepEqual(atOpen, ['chat', ''], 'protocol and extensions in the open event (the server negotiates no extension)');
      const closed = nextClose(ws);
      ws.close();
      await closed;
      equal(ws.protocol, 'chat', 'protocol once closed');
      const plain = await opened(env.create(env.url('/echo')));
      equal(plain.protocol, '', 'protocol when none was offered');
    },
  }),

  defineCase({
    name: 'fails the connection when the server selects a subprotocol that was not offered',
    cites: [`${SPEC}#concept-websocket-establish`, 'RFC 6455 §4.1', 'wpt websockets/constructor/011.html'],
    async run(env) {
      await expectFailedConnect(env, env.create(env.url('/protocol?select=other'), ['chat']), 'server selects "other"');
      await expectFailedConnect(env, env.create(env.url('/protocol?select=CHAT'), ['chat']), 'server selects "CHAT" for "chat"');
    },
  }),

  defineCase({
    name: 'fails the connection when the server selects a subprotocol though none was offered',
    cites: [
      `${SPEC}#concept-websocket-establish`,
      'RFC 6455 §4.1 (client step 6: "the server has indicated a subprotocol not requested by the client")',
      'wpt websockets/constructor/010.html',
    ],
    async run(env) {
      await expectFailedConnect(env, env.create(env.url('/protocol?select=chat')), 'server selects "chat"');
    },
  }),

  defineCase({
    name: 'fails the connection when the server selects no subprotocol though some were offered',
    cites: [
      `${SPEC}#concept-websocket-establish ("If protocols is not the empty list and ... results in null ... fail")`,
      'wpt websockets/constructor/012.html',
    ],
    async run(env) {
      await expectFailedConnect(env, env.create(env.url('/protocol?select='), ['chat']), 'server selects none');
    },
  }),

  defineCase({
    name: 'treats a dictionary second argument as the subprotocol string "[object Object]", as the standard in force says',
    cites: [
      `${SPEC}#interface-definition (protocols is (DOMString or sequence<DOMString>): a non-iterable object is a string)`,
      'https://github.com/whatwg/websockets/pull/76 (an option bag, not merged; wpt websockets/constructor/option-bag.any.js tests it)',
    ],
    async run(env) {
      for (const protocols of [{ protocols: ['chat'] }, {}]) {
        throwsDom(() => env.create(env.url('/protocol'), protocols), 'SyntaxError', `protocols ${JSON.stringify(protocols)}`);
      }
    },
  }),
];
