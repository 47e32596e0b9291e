/**
 * URL handling for WebSocket connections: the WHATWG WebSockets Standard's constructor steps
 * (https://websockets.spec.whatwg.org/#dom-websocket-websocket), the seed guide's security
 * advice (prefer `wss:`; no `ws:` from a page served over `https:`), and redaction, so that
 * credentials and query strings (tokens) never reach error messages, inspectors or logs.
 */
import { domError } from './errors.js';

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

/**
 * Refuses clear-text connections where they must not happen: always from a page served over
 * `https:` (browsers fail these opaquely), and to any non-loopback host when `secureOnly` is set.
 */
export function checkTransportSecurity(url: URL, secureOnly: boolean, pageProtocol: string | undefined = pageBase()?.split(':')[0]): void {
  if (url.protocol !== 'ws:' || isLoopback(url.hostname)) return;
  if (pageProtocol === 'https') {
    throw domError('SecurityError', `Refusing the insecure URL ${redactUrl(url)} from a page served over https: use wss:`);
  }
  if (secureOnly) {
    throw domError('SecurityError', `Refusing the insecure URL ${redactUrl(url)}: the secureOnly option allows ws: only to loopback hosts; use wss:`);
  }
}

/** Whether `hostname` (as `URL.hostname` gives it) names this machine. */
export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
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

/** Replaces every secret part of `url` that appears in `text` (a transport's error message). */
export function redactText(text: string, url: URL): string {
  let result = text.split(url.href).join(redactUrl(url));
  for (const secret of [url.search.slice(1), url.password, url.username]) {
    if (secret.length >= 3) result = result.split(secret).join('REDACTED');
  }
  return result;
}

function describeUrlInput(text: string): string {
  // Parsing failed, so redact what we can recognise: anything between "//" and "@", and the query.
  return JSON.stringify(text.replace(/\/\/[^/@]*@/, '//REDACTED@').replace(/\?.*$/, '?REDACTED'));
}

/** The document or worker base URL, when there is one (never in Node). */
function pageBase(): string | undefined {
  const location = (globalThis as { location?: { href?: unknown } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}
