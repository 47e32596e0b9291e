/**
 * What the application is told when it passes a bad argument, value by value: the option errors
 * name the value by its kind, `close()` converts its code as WebIDL's `[Clamp] unsigned short`
 * and checks its range and reason, subprotocols and headers are checked, and a transport's error
 * text loses its secrets, with the exact text the caller reads.
 */
import { describe, expect, it } from 'vitest';
import { createConnection } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing/index.js';
import {
  checkTransportSecurity,
  hasForbiddenHostCodePoint,
  integerOption,
  isLoopback,
  normalizeCloseArgs,
  redactText,
  redactUnparsed,
} from '../../src/validation.js';
import { thrown } from '../support/thrown.js';

const connect = (options: Record<string, unknown>): unknown =>
  createConnection('ws://app.test/', { transport: createMemoryTransport().transport, ...options });

describe('option errors', () => {
  it('name the bad value by its kind, a long string cut at 80 characters', () => {
    const got = (value: unknown) => thrown(() => connect({ maxRetries: value })).replace(/^.*, got /, '');
    expect(got('x'.repeat(80))).toBe(`"${'x'.repeat(80)}" (string)`);
    expect(got('x'.repeat(81))).toBe(`"${'x'.repeat(77)}..." (string)`);
    expect(got(true)).toBe('true (boolean)');
    expect(got(-1)).toBe('-1 (number)');
    expect(got(10n)).toBe('10 (bigint)');
    expect(got(() => 1)).toBe('a function');
    expect(got(Object.create(null))).toBe('an object');
    expect(got(new Map())).toBe('an object of type Map');
  });

  it('take a whole number of at least the minimum where one is asked for, or the default when it is absent', () => {
    expect([integerOption('n', undefined, 7, 1), integerOption('n', 1, 7, 1), integerOption('n', 0, 7, 0)]).toEqual([7, 1, 0]);
    expect(thrown(() => integerOption('maxThings', 0, 7, 1))).toBe(
      'TypeError: Expected `maxThings` to be an integer of at least 1, got 0 (number)',
    );
    expect(thrown(() => integerOption('n', 1.5, 7, 1))).toBe('TypeError: Expected `n` to be an integer of at least 1, got 1.5 (number)');
    expect(thrown(() => integerOption('n', '3', 7, 1))).toBe('TypeError: Expected `n` to be an integer of at least 1, got "3" (string)');
    expect(thrown(() => integerOption('n', null, 7, 0))).toBe('TypeError: Expected `n` to be an integer of at least 0, got null');
  });

  it('refuse subprotocols that are not distinct tokens, and header values that are not strings or hold control characters', () => {
    expect(thrown(() => connect({ protocols: ['a b'] }))).toBe('SyntaxError: Expected each subprotocol to be an RFC 9110 token, got "a b"');
    expect(thrown(() => connect({ protocols: ['a', 'a'] }))).toBe('SyntaxError: Expected distinct subprotocols, got "a" twice');
    expect(thrown(() => connect({ protocols: ['chat', 'Chat'] }))).toBe('nothing thrown');
    expect(thrown(() => connect({ headers: { 'X-A': null } }))).toBe(
      'TypeError: Expected `headers["X-A"]` to be a string, got a value of type null (not shown: header values may be secrets)',
    );
    expect(thrown(() => connect({ headers: { 'X-A': 5 } }))).toBe(
      'TypeError: Expected `headers["X-A"]` to be a string, got a value of type number (not shown: header values may be secrets)',
    );
  });
});

describe('URL errors', () => {
  it('refuse a fragment, even an empty one, naming the URL without its query', () => {
    expect(thrown(() => createConnection('ws://a.test/x?k=v#frag'))).toBe(
      'SyntaxError: Expected a WebSocket URL without a fragment, got ws://a.test/x?REDACTED#…',
    );
    expect(thrown(() => createConnection('ws://a.test/x#'))).toBe(
      'SyntaxError: Expected a WebSocket URL without a fragment, got ws://a.test/x#…',
    );
  });

  it('refuse clear text from an https: page, and off loopback with secureOnly, naming the URL redacted', () => {
    expect(thrown(() => checkTransportSecurity(new URL('ws://u:p@a.test/?t=1'), false, 'https'))).toBe(
      'SecurityError: Refusing the insecure URL ws://REDACTED:REDACTED@a.test/?REDACTED from a page served over https: use wss:',
    );
    expect(thrown(() => checkTransportSecurity(new URL('ws://a.test/?t=1'), true, undefined))).toBe(
      'SecurityError: Refusing the insecure URL ws://a.test/?REDACTED: the secureOnly option allows ws: only to loopback hosts; use wss:',
    );
    expect(thrown(() => checkTransportSecurity(new URL('ws://a.test/'), false, undefined))).toBe('nothing thrown');
  });

  it("find the host code points the URL Standard forbids once a lax parser's escapes are undone", () => {
    expect(['a%20b', '%', 'a%3Cb', 'a%7Fb'].map(hasForbiddenHostCodePoint)).toEqual([true, true, true, true]);
    expect(['a%2Ab', 'example.com', '[::1]'].map(hasForbiddenHostCodePoint)).toEqual([false, false, false]);
  });

  it('name a header value with a line break without showing it', () => {
    expect(thrown(() => connect({ headers: { a: 'x\r\ny' } }))).toBe(
      'TypeError: Expected `headers["a"]` to be a header value without CR, LF, NUL or other control characters, or characters past U+00FF; ' +
        'it has one (the value is not shown: header values may be secrets)',
    );
  });
});

describe('close() arguments', () => {
  it('take 1000 and 3000-4999 only, saying what the code became after conversion when it changed', () => {
    const error = (code: number) => thrown(() => normalizeCloseArgs(code));
    for (const code of [1000, 3000, 4999]) expect(normalizeCloseArgs(code)).toEqual({ code, reason: undefined });
    expect(error(2999)).toBe('InvalidAccessError: Expected the close code to be 1000 or in 3000-4999, got 2999');
    expect(error(5000)).toBe('InvalidAccessError: Expected the close code to be 1000 or in 3000-4999, got 5000');
    expect(error(1001)).toBe('InvalidAccessError: Expected the close code to be 1000 or in 3000-4999, got 1001');
    expect(error(70000)).toBe('InvalidAccessError: Expected the close code to be 1000 or in 3000-4999, got 70000 (65535 after conversion)');
    expect(error(NaN)).toBe('InvalidAccessError: Expected the close code to be 1000 or in 3000-4999, got NaN (0 after conversion)');
    expect(error(-1)).toBe('InvalidAccessError: Expected the close code to be 1000 or in 3000-4999, got -1 (0 after conversion)');
  });

  it('clamp the code and round it half to even, as WebIDL does', () => {
    const code = (value: number) => normalizeCloseArgs(value).code;
    expect([1000.5, 2999.5, 3000.4, 3000.5, 3000.6, 3001.5].map(code)).toEqual([1000, 3000, 3000, 3000, 3001, 3002]);
  });

  it('send a reason without a code with 1000, and nothing for no code and an empty reason', () => {
    expect(normalizeCloseArgs(undefined, 'bye')).toEqual({ code: 1000, reason: 'bye' });
    expect(normalizeCloseArgs(undefined, '')).toEqual({ code: undefined, reason: undefined });
    expect(normalizeCloseArgs(3000, '')).toEqual({ code: 3000, reason: '' });
    expect(thrown(() => normalizeCloseArgs(3000, 'x'.repeat(124)))).toBe(
      'SyntaxError: Expected a close reason of at most 123 UTF-8 bytes, got 124 bytes',
    );
  });
});

describe('secrets in error text', () => {
  it('are redacted from every URL in it, keeping the punctuation after it', () => {
    expect(redactText('failed: ws://u:p@h.test/x?token=abc.')).toBe('failed: ws://REDACTED:REDACTED@h.test/x?REDACTED.');
    expect(redactText('at (wss://h.test/a?b=c)')).toBe('at (wss://h.test/a?REDACTED)');
    expect(redactText('see ws://user:pw@[bad/x?q=1, then')).toBe('see ws://REDACTED@[bad/x?REDACTED, then');
    expect(redactText('failed: ws://a.test/path?x=1). and "wss://b.test/?y=2".')).toBe(
      'failed: ws://a.test/path?REDACTED). and "wss://b.test/?REDACTED".',
    );
  });

  it("and the connection's own query values of three characters or more, wherever they appear", () => {
    expect(redactText('token abcd in text', new URL('ws://h.test/?t=abcd'))).toBe('token REDACTED in text');
    expect(redactText('t=abc seen', new URL('ws://h.test/?t=abc'))).toBe('REDACTED seen');
    expect(redactText('ab in about', new URL('ws://h.test/?t=ab'))).toBe('ab in about');
  });

  it('in a URL that does not parse: everything from the authority to its last @, and the query', () => {
    expect(redactUnparsed('ws://us/er:p@ss@host/x?q')).toBe('ws://REDACTED@host/x?REDACTED');
    expect(redactUnparsed('wss:user:pw@host')).toBe('wss:REDACTED@host');
    expect(redactUnparsed('ws:a@b')).toBe('ws:REDACTED@b');
    expect(redactUnparsed('host@x//y')).toBe('REDACTED@x//y');
    expect(redactUnparsed('https:user@host')).toBe('https:REDACTED@host');
    expect(redactUnparsed('xyz:u@h')).toBe('REDACTED@h'); // not a scheme it knows: from the start
    expect(redactUnparsed('wss://a/b@c')).toBe('wss://REDACTED@c');
  });
});

describe('loopback hosts', () => {
  it('are 127.0.0.0/8 written as four numbers, and nothing like it', () => {
    expect(['127.0.0.1', '127.100.200.255'].map((host) => isLoopback(host, false))).toEqual([true, true]);
    expect(['x127.0.0.1', '127.0.0.1000', '127.1.1', '127.0.0.1.example'].map((host) => isLoopback(host, false))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
