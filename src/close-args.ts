/**
 * Validation of `close(code, reason)` and of subprotocol lists, exactly as the WHATWG
 * WebSockets Standard orders it, so that a call that throws changes nothing.
 * https://websockets.spec.whatwg.org/#dom-websocket-close
 */
import { utf8ByteLength } from './byte-length.js';
import { domError } from './errors.js';

/** The largest close reason the standard allows, in UTF-8 bytes (a control frame holds 125 bytes, 2 of them the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

export interface CloseArgs {
  readonly code: number | undefined;
  readonly reason: string | undefined;
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
  const number = code === undefined ? undefined : +(code as number);
  const text = reason === undefined ? undefined : `${reason as string}`.toWellFormed();
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
  if (normalizedCode === undefined) return text ? { code: 1000, reason: text } : { code: undefined, reason: undefined };
  return { code: normalizedCode, reason: text };
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

/** `token` from RFC 9110 §5.6.2, which the standard requires of every subprotocol. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Normalizes `protocols` to a list and checks it; throws a `SyntaxError` `DOMException`. */
export function normalizeProtocols(protocols: string | readonly string[] | undefined): readonly string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === 'string' ? [protocols] : Array.from(protocols, String);
  const seen = new Set<string>();
  for (const protocol of list) {
    if (!TOKEN.test(protocol)) {
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
