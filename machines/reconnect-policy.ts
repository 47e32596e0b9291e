/**
 * Which ended connections are worth another attempt, when the application did not end them.
 *
 * The default follows what each close code means (RFC 6455 §7.4.1, IANA "WebSocket Close Code
 * Number Registry"): a drop, a server going away or restarting, or a server that is overloaded
 * may well be gone on the next attempt; a protocol or policy violation, data the peer cannot
 * accept, or a refused upgrade would only be refused again, so retrying them is a loop that
 * hammers a server for nothing. Applications override it with the `shouldReconnect` option,
 * which is also how 4000–4999 application codes become retryable.
 */
import type { CloseCause, CloseInfo } from './connection.types.js';

/** Close codes after which the default policy reconnects. */
export const RETRYABLE_CLOSE_CODES: ReadonlySet<number> = new Set([
  1001, // going away: a server restarting or a page navigating
  1005, // no status: the peer closed without saying why
  1006, // abnormal closure: the connection dropped without a closing handshake
  1011, // internal error on the server
  1012, // service restart
  1013, // try again later
  1014, // bad gateway
]);

/** Causes after which another attempt would meet the same failure, whatever the close code. */
const FINAL_CAUSES: ReadonlySet<CloseCause> = new Set<CloseCause>(['protocol-error', 'message-too-big', 'tls-failed', 'invalid-request']);

/** HTTP statuses of a refused upgrade that are about this moment, not this request. */
const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 429]);

/**
 * The default reconnect policy: `true` when the close is worth another attempt.
 *
 * - A refused upgrade (`handshake-failed`) with a 4xx status is final, except 408 and 429; a
 *   5xx or an unknown status is retried.
 * - `protocol-error` (1002, 1007), `message-too-big` (1009), `tls-failed` (1015) and
 *   `invalid-request` (a request the transport refused outright) are final whatever the code.
 * - Otherwise the close code decides: retry for 1001, 1005, 1006, 1011, 1012, 1013, 1014; final
 *   for 1000 (the peer ended the session on purpose), 1002, 1003, 1007, 1008, 1009, 1010, 1015,
 *   and 3000–4999, whose meaning only the application knows.
 */
export function isRetryableClose(close: CloseInfo): boolean {
  if (close.cause === 'handshake-failed' && close.status !== undefined) {
    return close.status >= 500 || RETRYABLE_HTTP_STATUSES.has(close.status);
  }
  // A certificate that is not trusted today will not be trusted on the next attempt either (1015),
  // and a request the transport refused outright would be refused again, at once, forever.
  if (FINAL_CAUSES.has(close.cause)) return false;
  return RETRYABLE_CLOSE_CODES.has(close.code);
}
