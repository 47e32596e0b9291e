/**
 * What the application hands the constructor and `close()`, checked as the WHATWG WebSockets
 * Standard checks it (https://websockets.spec.whatwg.org/#dom-websocket-websocket,
 * https://websockets.spec.whatwg.org/#dom-websocket-close), in its order, so that a call that
 * throws changes nothing: the URL (and its security: prefer `wss:`, never `ws:` from a page
 * served over `https:`), the subprotocols, the close code and reason. And the errors these
 * mistakes throw: the `DOMException` the platform throws for the same mistake, with a message
 * that names the value (its secrets redacted) and what was expected.
 *
 * Redaction lives here too, so that credentials and query strings (tokens) never reach error
 * messages, inspectors or logs.
 */
import { utf8ByteLength } from './byte-length.js';

// --- Errors ---

/** The `DOMException` names the WHATWG WebSockets Standard throws. */
export type DomErrorName = 'SyntaxError' | 'InvalidAccessError' | 'SecurityError' | 'InvalidStateError';

/** A `DOMException`, as `new WebSocket()`, `close()` and `send()` throw them. */
export function domError(name: DomErrorName, message: string): DOMException {
  return new DOMException(message, name);
}

/** Renders a value for an error message: strings quoted, other primitives as written, objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)} (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} (${typeof value})`;
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function`;
  // An object made with `Object.create(null)` has no constructor.
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name ? `an object of type ${name}` : 'an object';
}

/** An option that is a whole number of at least `min`: `value`, or `fallback` when it is absent; a `TypeError` naming the option otherwise. */
export function integerOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new TypeError(`Expected \`${name}\` to be an integer of at least ${min}, got ${describeValue(value)}`);
  }
  return value as number;
}

/**
 * WebIDL's `DOMString` conversion: ECMAScript ToString, as a template literal performs it, which
 * throws a `TypeError` for a `Symbol` as WebIDL requires (`String(symbol)` would not).
 */
export function toDOMString(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- ToString of any value is the point
  return `${value}`;
}

/**
 * WebIDL's conversion to a number: ECMAScript ToNumber, as unary plus performs it, which throws
 * a `TypeError` for a `BigInt` or a `Symbol` as WebIDL requires (`Number(1n)` would not).
 */
export function toIDLNumber(value: unknown): number {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- ToNumber of any value is the point
  return +(value as number);
}

// --- URLs ---

/** Parses and checks `url` as `new WebSocket(url)` does; throws a `SyntaxError` `DOMException`. */
export function parseWebSocketUrl(url: string | URL, base: string | undefined = pageBase()): URL {
  // Converted once, as WebIDL converts a USVString argument once.
  const text = String(url);
  let parsed: URL;
  try {
    parsed = new URL(text, base);
  } catch {
    throw domError('SyntaxError', `Expected a valid absolute WebSocket URL, got ${describeUrlInput(text)}`);
  }
  if (hasForbiddenHostCodePoint(parsed.hostname)) {
    throw domError(
      'SyntaxError',
      `Expected a valid absolute WebSocket URL, got ${describeUrlInput(text)}, whose host has a code point the URL Standard forbids in a host`,
    );
  }
  // The standard rewrites http(s) to ws(s) before checking the scheme.
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw domError('SyntaxError', `Expected a ws:, wss:, http: or https: URL, got the scheme "${parsed.protocol}" in ${redactUrl(parsed)}`);
  }
  if (parsed.hash !== '' || text.includes('#')) {
    throw domError('SyntaxError', `Expected a WebSocket URL without a fragment, got ${redactUrl(parsed)}#…`);
  }
  return parsed;
}

/** Whether `text` has one of the URL Standard's forbidden domain code points: the forbidden host code points, C0 controls, `%` and DEL. */
function hasForbiddenDomainCodePoint(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- C0 controls are among the code points the URL Standard forbids
  return /[\u0000-\u0020#%/:<>?@[\\\]^|\u007f]/.test(text);
}

/**
 * Whether `hostname`, as a URL parser gave it, holds a code point the URL Standard's host parser
 * fails on (https://url.spec.whatwg.org/#concept-host-parser): it percent-decodes a special
 * URL's host, then fails on any forbidden domain code point. A conforming parser never returns
 * such a host, so this changes nothing where `URL` conforms (Node); Chromium's accepts
 * `ws://foo bar.com/` as `foo%20bar.com`, which this undoes and refuses, while a host it merely
 * escapes (`a*b` as `a%2Ab`) passes.
 */
export function hasForbiddenHostCodePoint(hostname: string): boolean {
  if (hostname.startsWith('[')) return false; // an IPv6 address, which the parser has checked
  let decoded: string;
  try {
    decoded = decodeURIComponent(hostname);
  } catch {
    return true; // a stray `%`, or bytes that are not UTF-8: the standard's host parser fails on both
  }
  return hasForbiddenDomainCodePoint(decoded);
}

/**
 * Refuses clear-text connections where they must not happen: always from a page served over
 * `https:` (browsers fail these opaquely), and to any non-loopback host when `secureOnly` is set.
 * `pageProtocol` is the protocol of the page or worker running this, `undefined` outside one.
 */
export function checkTransportSecurity(url: URL, secureOnly: boolean, pageProtocol: string | undefined = pageBase()?.split(':')[0]): void {
  if (url.protocol !== 'ws:' || isLoopback(url.hostname, pageProtocol !== undefined)) return;
  if (pageProtocol === 'https') {
    throw domError('SecurityError', `Refusing the insecure URL ${redactUrl(url)} from a page served over https: use wss:`);
  }
  if (secureOnly) {
    throw domError(
      'SecurityError',
      `Refusing the insecure URL ${redactUrl(url)}: the secureOnly option allows ws: only to loopback hosts; use wss:`,
    );
  }
}

/**
 * Whether `hostname` (as `URL.hostname` gives it) certainly names this machine: `localhost`,
 * 127.0.0.0/8 and `[::1]`. In a browser (`inBrowser`) also `localhost.` and every name under
 * `localhost`, which browsers resolve to loopback themselves, never asking DNS, and so count as
 * potentially trustworthy (W3C Secure Contexts, "Is origin potentially trustworthy?"). Node
 * hands `foo.localhost` to the system resolver, which may ask a DNS server and get an address
 * off this machine, so there only `localhost` itself counts (resolved from the hosts file).
 */
export function isLoopback(hostname: string, inBrowser: boolean): boolean {
  if (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true;
  return inBrowser && /(?:^|\.)localhost\.?$/.test(hostname);
}

/** `url` with any user name, password and query replaced, safe for messages and inspectors. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username) copy.username = 'REDACTED';
  if (copy.password) copy.password = 'REDACTED';
  if (copy.search) copy.search = '?REDACTED';
  copy.hash = '';
  return copy.href;
}

/**
 * `text` (a transport's, a platform's or a `url()` function's error message) with secrets
 * replaced: every URL in it redacted as `redactUrl` does (a platform may quote the URL as it was
 * written rather than serialized), then any credential, query or query value of `url`, when
 * known, still left, as written or percent-decoded.
 */
export function redactText(text: string, url?: URL): string {
  // A URL with a scheme, as it may appear quoted in a message: up to whitespace or a quote.
  let result = text.replace(/\b[a-z][a-z\d+.-]*:\/\/[^\s'"<>`]+/gi, (found) => {
    const trailing = /[.,;:)\]'"]+$/.exec(found)?.[0] ?? '';
    const candidate = found.slice(0, found.length - trailing.length);
    let parsed: URL | undefined;
    try {
      parsed = new URL(candidate);
    } catch {
      return redactUnparsed(candidate) + trailing;
    }
    return redactUrl(parsed) + trailing;
  });
  if (url === undefined) return result;
  const query = [...url.searchParams.values()];
  for (const secret of [url.search.slice(1), url.password, url.username, ...query].flatMap((value) => [value, safeDecode(value)])) {
    // A value this short would match ordinary words; the URL itself was replaced above.
    if (secret.length >= 3) result = result.split(secret).join('REDACTED');
  }
  return result;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A URL that does not parse, with what could be secret replaced: everything between the
 * authority's start (after `//`, or after a special scheme's colon) and the LAST `@` before the
 * query (a password may itself hold `@` or `/`, which end nothing in a mistyped URL), and the
 * query and fragment. It may redact more than the credentials; never less.
 */
export function redactUnparsed(text: string): string {
  const end = text.search(/[?#]/);
  const head = end === -1 ? text : text.slice(0, end);
  const tail = end === -1 ? '' : `${text[end]}REDACTED`;
  const at = head.lastIndexOf('@');
  if (at === -1) return head + tail;
  const slashes = head.indexOf('//');
  const start = slashes !== -1 && slashes < at ? slashes + 2 : (/^(?:wss?|https?):/i.exec(head)?.[0].length ?? 0);
  return `${head.slice(0, start)}REDACTED${head.slice(at)}${tail}`;
}

function describeUrlInput(text: string): string {
  return JSON.stringify(redactUnparsed(text));
}

/** The document or worker base URL, when there is one (never in Node). */
function pageBase(): string | undefined {
  const location = (globalThis as { location?: { href?: unknown } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}

// --- Close arguments and subprotocols ---

/** The largest close reason the standard allows, in UTF-8 bytes (a control frame holds 125 bytes, 2 of them the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** A close request's code and reason, each left out when not given: ready to spread into `user.close`. */
export interface CloseArgs {
  readonly code?: number;
  readonly reason?: string;
}

/**
 * Converts and checks close arguments: the code as WebIDL `[Clamp] unsigned short`, then
 * 1000 or 3000–4999 (`InvalidAccessError`), then the reason as a `USVString` of at most
 * 123 UTF-8 bytes (`SyntaxError`).
 */
export function normalizeCloseArgs(code?: unknown, reason?: unknown): CloseArgs {
  // WebIDL converts every argument before the method's steps run: the code, then the reason.
  // Unary plus is ECMAScript ToNumber (it throws a TypeError for a BigInt or a Symbol, as
  // WebIDL does); a template literal is ToString (it throws for a Symbol).
  const number = code === undefined ? undefined : toIDLNumber(code);
  const text = reason === undefined ? undefined : toDOMString(reason).toWellFormed();
  const normalizedCode = number === undefined ? undefined : clampUnsignedShort(number);
  if (normalizedCode !== undefined && normalizedCode !== 1000 && (normalizedCode < 3000 || normalizedCode > 4999)) {
    throw domError(
      'InvalidAccessError',
      `Expected the close code to be 1000 or in 3000-4999, got ${String(number)}${normalizedCode === number ? '' : ` (${normalizedCode} after conversion)`}`,
    );
  }
  if (text !== undefined) {
    const bytes = utf8ByteLength(text);
    if (bytes > MAX_CLOSE_REASON_BYTES) {
      throw domError('SyntaxError', `Expected a close reason of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes, got ${bytes} bytes`);
    }
  }
  // "Close the WebSocket": no code and an empty reason send a Close frame without a body; a
  // non-empty reason without a code goes with 1000 (Normal Closure).
  if (normalizedCode === undefined) return text ? { code: 1000, reason: text } : {};
  return text === undefined ? { code: normalizedCode } : { code: normalizedCode, reason: text };
}

/** WebIDL `[Clamp] unsigned short`: NaN is 0, otherwise clamp to 0–65535 and round half to even. */
function clampUnsignedShort(value: number): number {
  if (Number.isNaN(value)) return 0;
  const clamped = Math.min(Math.max(value, 0), 0xffff);
  const floor = Math.floor(clamped);
  const fraction = clamped - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Whether `text` is a `token` of RFC 9110 §5.6.2, as the standard requires of every subprotocol and HTTP of every header name. */
function isToken(text: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(text);
}

/** Normalizes `protocols` to a list and checks it; throws a `SyntaxError` `DOMException`. */
export function normalizeProtocols(protocols: string | readonly string[] | undefined): readonly string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === 'string' ? [protocols] : Array.from(protocols, String);
  const seen = new Set<string>();
  for (const protocol of list) {
    if (!isToken(protocol)) {
      throw domError('SyntaxError', `Expected each subprotocol to be an RFC 9110 token, got ${JSON.stringify(protocol)}`);
    }
    // Subprotocol names compare case-sensitively (RFC 6455 §4.1), so "chat" and "Chat" are distinct.
    if (seen.has(protocol)) {
      throw domError('SyntaxError', `Expected distinct subprotocols, got ${JSON.stringify(protocol)} twice`);
    }
    seen.add(protocol);
  }
  return list;
}

// --- Handshake headers ---

/**
 * Whether `value` has what Node's HTTP client refuses in a header value: CR, LF, NUL and every
 * other control character but tab, and characters past U+00FF. CR and LF would also split the
 * request (header injection), which is why Node refuses them.
 */
function hasInvalidHeaderCharacter(value: string): boolean {
  return /[^\t\x20-\x7e\x80-\xff]/.test(value);
}

/**
 * Checks one handshake header (`headers[name]`, or `origin`) as Node's HTTP client will, so a
 * bad one throws when the connection is created rather than failing every attempt. The
 * `TypeError` names the header, never its value: header values are often credentials.
 */
export function checkHeader(label: string, name: string, value: unknown): void {
  if (!isToken(name)) {
    throw new TypeError(`Expected ${label} to have a header name that is an RFC 9110 token, got ${JSON.stringify(name)}`);
  }
  if (typeof value !== 'string') {
    throw new TypeError(
      `Expected ${label} to be a string, got a value of type ${value === null ? 'null' : typeof value} (not shown: header values may be secrets)`,
    );
  }
  if (hasInvalidHeaderCharacter(value)) {
    throw new TypeError(
      `Expected ${label} to be a header value without CR, LF, NUL or other control characters, or characters past U+00FF; ` +
        'it has one (the value is not shown: header values may be secrets)',
    );
  }
}
