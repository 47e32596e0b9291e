/**
 * URL handling: the standard's constructor checks, MDN's mixed-content rule ("Writing WebSocket client applications"), the
 * secure-only policy, and redaction of secrets.
 */
import { describe, expect, it } from 'vitest';
import {
  checkTransportSecurity,
  hasForbiddenHostCodePoint,
  isLoopback,
  parseWebSocketUrl,
  redactText,
  redactUrl,
} from '../../src/validation.js';

const nameOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return (error as DOMException).name;
  }
  return undefined;
};

describe('parseWebSocketUrl', () => {
  it('rewrites http and https to ws and wss, and serializes', () => {
    expect(parseWebSocketUrl('http://Example.COM:80/a?b').href).toBe('ws://example.com/a?b');
    expect(parseWebSocketUrl('https://example.com:80/').href).toBe('wss://example.com:80/');
    expect(parseWebSocketUrl('https://example.com/').href).toBe('wss://example.com/');
    expect(parseWebSocketUrl(new URL('ws://example.com')).href).toBe('ws://example.com/');
  });

  it('resolves a relative URL against the page base, and refuses one without a base', () => {
    expect(parseWebSocketUrl('/socket', 'https://app.example/page').href).toBe('wss://app.example/socket');
    expect(nameOf(() => parseWebSocketUrl('/socket', undefined))).toBe('SyntaxError');
  });

  it('refuses other schemes and fragments with a SyntaxError, even an empty fragment', () => {
    for (const url of ['ftp://example.com/', 'file:///tmp/x', 'ws://example.com/#top', 'ws://example.com/#', 'not a url']) {
      expect(nameOf(() => parseWebSocketUrl(url))).toBe('SyntaxError');
    }
  });

  it('refuses a host with a forbidden code point, as the URL Standard does', () => {
    for (const url of ['ws://foo bar.com/', 'wss://foo%20bar.com/', 'ws://a%3Cb/'])
      expect(nameOf(() => parseWebSocketUrl(url))).toBe('SyntaxError');
  });

  it('finds forbidden code points in the hosts a non-conforming parser returns, after undoing its escapes', () => {
    // What Chromium's URL gives for ws://foo bar.com/, ws://a%20b/ and ws://a*b/ (the standard: failure, failure, `a*b`).
    expect(['foo%20bar.com', 'a%20b', 'a%2Ab'].map(hasForbiddenHostCodePoint)).toEqual([true, true, false]);
    expect(['a%25b', 'a%', 'a%FFb', 'a\u007fb', 'a^b'].map(hasForbiddenHostCodePoint)).toEqual([true, true, true, true, true]);
    expect(['example.com', 'xn--nicode-2ya.de', '127.0.0.1', '[::1]', 'a_b', 'a*b'].map(hasForbiddenHostCodePoint)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('keeps secrets out of its error messages', () => {
    let message = '';
    try {
      parseWebSocketUrl('ftp://user:hunter2@example.com/?token=s3cret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('ftp:');
    expect(message).not.toMatch(/hunter2|s3cret/);
  });
});

describe('transport security', () => {
  const url = (text: string) => new URL(text);

  it('refuses ws: to a remote host from a page served over https', () => {
    expect(nameOf(() => checkTransportSecurity(url('ws://example.com/'), false, 'https'))).toBe('SecurityError');
    expect(nameOf(() => checkTransportSecurity(url('wss://example.com/'), false, 'https'))).toBeUndefined();
    expect(nameOf(() => checkTransportSecurity(url('ws://localhost:8080/'), false, 'https'))).toBeUndefined();
  });

  it('refuses ws: to anything but loopback when secureOnly is set', () => {
    expect(nameOf(() => checkTransportSecurity(url('ws://example.com/'), true, undefined))).toBe('SecurityError');
    expect(nameOf(() => checkTransportSecurity(url('ws://example.com/'), false, undefined))).toBeUndefined();
    for (const host of ['127.0.0.1', '127.8.9.10', '127.1', '[::1]', 'localhost']) {
      expect(nameOf(() => checkTransportSecurity(url(`ws://${host}/`), true, undefined))).toBeUndefined();
    }
  });

  it('counts only localhost, 127.0.0.0/8 and [::1] as loopback in Node, where *.localhost goes to the system resolver', () => {
    for (const host of ['api.localhost', 'localhost.', '[::ffff:127.0.0.1]', '0.0.0.0']) {
      expect(
        nameOf(() => checkTransportSecurity(url(`ws://${host}/`), true, undefined)),
        host,
      ).toBe('SecurityError');
    }
  });

  it('counts *.localhost as loopback in a page, which browsers resolve to loopback themselves (Secure Contexts)', () => {
    for (const host of ['api.localhost', 'localhost.']) {
      expect(
        nameOf(() => checkTransportSecurity(url(`ws://${host}/`), true, 'http')),
        host,
      ).toBeUndefined();
      expect(
        nameOf(() => checkTransportSecurity(url(`ws://${host}/`), false, 'https')),
        host,
      ).toBeUndefined();
    }
  });

  it('knows loopback hosts from look-alikes', () => {
    for (const inBrowser of [false, true]) {
      expect(isLoopback('127.0.0.1.example.com', inBrowser)).toBe(false);
      expect(isLoopback('localhost.example.com', inBrowser)).toBe(false);
      expect(isLoopback('notlocalhost', inBrowser)).toBe(false);
      expect(isLoopback('[::1]', inBrowser)).toBe(true);
    }
  });
});

describe('redaction', () => {
  const secret = new URL('wss://alice:hunter2@example.com/chat?token=s3cret#frag');

  it('replaces credentials and the query', () => {
    expect(redactUrl(secret)).toBe('wss://REDACTED:REDACTED@example.com/chat?REDACTED');
  });

  it('scrubs the URL and its secrets from a transport message', () => {
    const text = redactText(`Unexpected server response for ${secret.href}: token=s3cret, auth hunter2`, secret);
    expect(text).not.toMatch(/hunter2|s3cret/);
    expect(text).toContain('example.com');
  });

  it('scrubs the URL as the platform quotes it, unnormalized, even with secrets too short to search for', () => {
    const url = new URL('ws://al:pw@example.test/x?t=ab');
    const text = redactText("Refused to connect to 'ws://al:pw@Example.TEST:80/x?t=ab' by policy", url);
    expect(text).toBe("Refused to connect to 'ws://REDACTED:REDACTED@example.test/x?REDACTED' by policy");
  });

  it('scrubs a query value and a percent-decoded password that appear on their own', () => {
    const url = new URL('wss://bob:p%40ss%3Aword@example.com/?session=abc123&lang=en');
    expect(redactText('auth p@ss:word failed; session abc123 expired', url)).toBe('auth REDACTED failed; session REDACTED expired');
  });
});
