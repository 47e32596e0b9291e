/**
 * The constructor's URL handling: WHATWG WebSockets Standard, `new WebSocket(url, protocols)` and
 * "get a URL record" (parse against the API base URL, `http`/`https` become `ws`/`wss`, any other
 * scheme or a fragment throws a `SyntaxError`), and the `url` getter (the URL serialized).
 */
import { deepEqual, equal, throws, throwsA, throwsDom } from '../assert.js';
import { defineCase, SPEC, type ConformanceCase, type ConformanceEnv } from '../env.js';
import { opened } from '../events.js';

/** `ws://127.0.0.1:<port>`, the behaviour server's origin. */
const origin = (env: ConformanceEnv) => env.url('');

/** The page's base URL (only where `baseIsPage`). */
const pageBase = () => (globalThis as unknown as { location: { href: string } }).location.href;

export const urlCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'throws a SyntaxError for a URL that does not parse',
    cites: [
      `${SPEC}#dom-websocket-websocket`,
      'wpt websockets/Create-invalid-urls.any.js',
      'wpt websockets/Create-url-with-space.any.js',
      'https://url.spec.whatwg.org/#forbidden-host-code-point',
    ],
    chromium:
      "Chromium's URL parser accepts a space in a host and percent-encodes it (ws://foo bar.com/ becomes ws://foo%20bar.com/), and keeps a percent-encoded one; ManagedWebSocket in a page checks the host as the standard does, and throws",
    async run(env) {
      for (const url of ['ws://[::1/', 'ws://127.0.0.1:65536/', 'ws://', 'http://']) {
        throwsDom(() => env.create(url), 'SyntaxError', `new WebSocket(${JSON.stringify(url)})`);
      }
      // A space is a forbidden host code point, also once percent-decoded (the host parser decodes first).
      for (const url of ['ws://foo bar.com/', 'wss://foo bar.com/', 'ws://foo%20bar.com/']) {
        if (env.chromiumPlatform) equal(env.create(url).url, url.replace(' ', '%20'), `url of ${JSON.stringify(url)} in Chromium`);
        else throwsDom(() => env.create(url), 'SyntaxError', `new WebSocket(${JSON.stringify(url)})`);
      }
    },
  }),

  defineCase({
    name: 'throws a SyntaxError for a scheme other than ws:, wss:, http: and https:',
    cites: [`${SPEC}#dom-websocket-websocket`, 'wpt websockets/Create-invalid-urls.any.js', 'wpt websockets/Create-wrong-scheme'],
    async run(env) {
      const urls = [
        'ftp://127.0.0.1/',
        'mailto:example@example.org',
        'about:blank',
        'file:///tmp/x',
        'data:text/plain,x',
        'javascript:void(0)',
        'blob:http://127.0.0.1/x',
      ];
      for (const url of urls) throwsDom(() => env.create(url), 'SyntaxError', `new WebSocket(${JSON.stringify(url)})`);
    },
  }),

  defineCase({
    name: 'throws a SyntaxError for a URL with a fragment, even an empty one',
    cites: [`${SPEC}#dom-websocket-websocket`, 'wpt websockets/Create-invalid-urls.any.js'],
    async run(env) {
      const http = origin(env).replace('ws:', 'http:');
      // "#test" is relative: a fragment on the page's URL in a page, unparsable in Node; a SyntaxError either way.
      for (const url of [`${origin(env)}/echo#`, `${origin(env)}/echo#test`, `${http}/echo#x`, '#test']) {
        throwsDom(() => env.create(url), 'SyntaxError', `new WebSocket(${JSON.stringify(url)})`);
      }
    },
  }),

  defineCase({
    name: 'rewrites http: to ws: and https: to wss:, and connects',
    cites: [`${SPEC}#dom-websocket-websocket`, 'wpt websockets/Create-http-urls.any.js'],
    async run(env) {
      const ws = env.create(`${origin(env).replace('ws:', 'http:')}/echo`);
      equal(ws.url, `${origin(env)}/echo`, 'url of an http: URL');
      const secure = env.create(`${origin(env).replace('ws:', 'https:')}/echo`);
      equal(secure.url, `${origin(env).replace('ws:', 'wss:')}/echo`, 'url of an https: URL');
      await opened(ws);
    },
  }),

  defineCase({
    name: 'returns the URL serialized by the URL Standard from url',
    cites: [
      `${SPEC}#dom-websocket-url`,
      'wpt websockets/constructor/017.html',
      'wpt websockets/constructor/019.html',
      'wpt websockets/constructor/020.html',
    ],
    async run(env) {
      const o = origin(env);
      const port = new URL(o.replace('ws:', 'http:')).port;
      const expectations: [string, string][] = [
        [`WS://127.0.0.1:${port}/echo`, `${o}/echo`],
        [o, `${o}/`],
        [`ws:127.0.0.1:${port}/echo`, `${o}/echo`],
        [`ws://LOCALHOST:${port}/echo`, `ws://localhost:${port}/echo`],
        [`ws://0x7f.1:${port}/echo`, `${o}/echo`],
        [`ws://127.0.0.1:80/echo`, 'ws://127.0.0.1/echo'],
        [`wss://127.0.0.1:443/echo`, 'wss://127.0.0.1/echo'],
        [`${o}/a b?c d`, `${o}/a%20b?c%20d`],
        [`${o}/q?x=%zz&y=é`, `${o}/q?x=%zz&y=%C3%A9`],
        [`  ${o}/echo\t\n`, `${o}/echo`],
        // The argument is a USVString: a lone surrogate becomes U+FFFD before parsing.
        [`${o}/\uD800`, `${o}/%EF%BF%BD`],
        [`ws://user:pass@127.0.0.1:${port}/echo`, `ws://user:pass@127.0.0.1:${port}/echo`],
      ];
      const actual = expectations.map(([input]) => env.create(input).url);
      deepEqual(
        actual,
        expectations.map(([, expected]) => expected),
        'url for each input',
      );
    },
  }),

  defineCase({
    name: 'accepts a URL object, or any object, through its string conversion',
    cites: [`${SPEC}#interface-definition`, 'wpt websockets/constructor/006.html'],
    async run(env) {
      const url = `${origin(env)}/echo`;
      const fromUrl = env.create(new URL(url));
      const fromObject = env.create({ toString: () => url });
      deepEqual([fromUrl.url, fromObject.url], [url, url], 'url');
      await Promise.all([opened(fromUrl), opened(fromObject)]);
    },
  }),

  defineCase({
    name: 'converts each argument exactly once, both before validating either',
    cites: [`${SPEC}#interface-definition`, 'https://webidl.spec.whatwg.org/#es-overloads (arguments are converted before the steps run)'],
    async run(env) {
      const log: string[] = [];
      const url = (value: string) => ({ toString: () => (log.push('url'), value) });
      const protocols = (...values: string[]) => ({
        *[Symbol.iterator]() {
          log.push('protocols');
          yield* values;
        },
      });
      env.create(url(`${origin(env)}/protocol`), protocols('chat'));
      deepEqual(log.splice(0), ['url', 'protocols'], 'conversions of valid arguments');
      // Both arguments are bad: the URL is checked first, but only after both were converted.
      throwsDom(() => env.create(url('ftp://127.0.0.1/'), protocols('a', 'a')), 'SyntaxError', 'a bad URL and bad protocols');
      deepEqual(log.splice(0), ['url', 'protocols'], 'conversions before the SyntaxError');
      const failing = {
        [Symbol.iterator]() {
          throw new RangeError('iteration failed');
        },
      };
      const thrown = throws(() => env.create('ftp://127.0.0.1/', failing), 'a bad URL and protocols whose conversion throws');
      equal((thrown as Error).name, 'RangeError', 'the conversion error wins over the URL check');
    },
  }),

  defineCase({
    name: 'resolves a relative URL against the page in a page, and throws a SyntaxError without a base',
    cites: [
      `${SPEC}#dom-websocket-websocket (API base URL)`,
      'wpt websockets/Create-non-absolute-url.any.js',
      'wpt websockets/Create-invalid-urls.any.js',
    ],
    async run(env) {
      const inputs: unknown[] = ['/echo', 'echo', '?x', `//${origin(env).slice('ws://'.length)}/echo`, null, 123];
      if (!env.baseIsPage) {
        for (const input of inputs) throwsDom(() => env.create(input), 'SyntaxError', `new WebSocket(${String(input)}) in Node`);
        return;
      }
      const sockets = inputs.map((input) => env.create(input));
      const expected = inputs.map((input) => {
        const url = new URL(String(input), pageBase());
        url.protocol = 'ws';
        return url.href;
      });
      deepEqual(
        sockets.map((ws) => ws.url),
        expected,
        'url of each relative input',
      );
      await opened(sockets[0]!);
    },
  }),

  defineCase({
    name: 'throws a TypeError when called without a URL or without new',
    cites: ['https://webidl.spec.whatwg.org/#es-overloads', 'wpt websockets/constructor/001.html'],
    async run(env) {
      throwsA(() => env.create(), TypeError, 'new WebSocket()');
      throwsA(() => (env.WebSocket as unknown as (url: string) => unknown)(`${origin(env)}/echo`), TypeError, 'WebSocket(url) without new');
    },
  }),

  defineCase({
    name: 'ignores arguments after the second',
    cites: ['https://webidl.spec.whatwg.org/#es-overloads', 'wpt websockets/constructor.any.js'],
    async run(env) {
      const ws = env.create(`${origin(env)}/protocol`, 'chat', 'Stray argument');
      await opened(ws);
      equal(ws.protocol, 'chat', 'protocol');
    },
  }),
];
