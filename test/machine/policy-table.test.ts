/**
 * The default reconnect policy, code by code, against a table written here by hand from RFC
 * 6455 §7.4.1 and the IANA "WebSocket Close Code Number Registry" (not from the production
 * sets): removing a code from `RETRYABLE_CLOSE_CODES`, or adding one, fails a row.
 */
import { describe, expect, it } from 'vitest';
import { isRetryableClose } from '../../machines/reconnect-policy.js';
import type { CloseCause, CloseInfo } from '../../machines/connection.types.js';

/** Whether the default policy reconnects after a close with this code, as the table in docs/reconnection.md says. */
const BY_CODE: Readonly<Record<number, boolean>> = {
  1000: false, // normal closure: the peer ended the session on purpose
  1001: true, // going away
  1002: false, // protocol error
  1003: false, // unsupported data
  1004: false, // reserved
  1005: true, // no status received
  1006: true, // abnormal closure
  1007: false, // invalid frame payload data
  1008: false, // policy violation
  1009: false, // message too big
  1010: false, // mandatory extension
  1011: true, // internal error
  1012: true, // service restart
  1013: true, // try again later
  1014: true, // bad gateway
  1015: false, // TLS handshake failure
};

const close = (code: number, cause: CloseCause = code === 1006 ? 'connection-lost' : 'normal', status?: number): CloseInfo => ({
  code,
  reason: '',
  wasClean: code !== 1006,
  cause,
  ...(status === undefined ? {} : { status }),
});

describe('the default reconnect policy, code by code', () => {
  for (const [code, retries] of Object.entries(BY_CODE)) {
    it(`${retries ? 'reconnects' : 'does not reconnect'} after close code ${code}`, () => {
      expect(isRetryableClose(close(Number(code)))).toBe(retries);
    });
  }

  it('leaves the registered range 1016-2999 and the application ranges 3000-4999 to the application: no reconnect', () => {
    for (const code of [1016, 1999, 2999, 3000, 3500, 3999, 4000, 4500, 4999]) expect(isRetryableClose(close(code))).toBe(false);
  });

  it('rules a broken protocol, an oversize message, an untrusted certificate and a request the transport refused final whatever the code', () => {
    for (const cause of ['protocol-error', 'message-too-big', 'tls-failed', 'invalid-request'] as const) {
      for (const code of [1001, 1006, 1012]) expect(isRetryableClose(close(code, cause))).toBe(false);
    }
  });

  it('reconnects after a refused upgrade with 5xx, 408 or 429, and not after another 4xx', () => {
    const refused = (status: number) => isRetryableClose(close(1006, 'handshake-failed', status));
    for (const status of [500, 502, 503, 504, 599, 408, 429]) expect(refused(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 405, 409, 410, 426, 451, 499]) expect(refused(status)).toBe(false);
  });

  it('reconnects after a refused upgrade whose status is unknown, as after any dropped connection', () => {
    expect(isRetryableClose(close(1006, 'handshake-failed'))).toBe(true);
  });

  it('reads an HTTP status only for a refused upgrade: on any other cause the close code decides', () => {
    for (const status of [403, 503]) {
      expect(isRetryableClose(close(1006, 'connection-lost', status))).toBe(true);
      expect(isRetryableClose(close(1000, 'normal', status))).toBe(false);
    }
  });

  it('reconnects after the other causes of a 1006, and not after the same causes with a final code', () => {
    for (const cause of [
      'refused',
      'connect-timeout',
      'heartbeat-timeout',
      'close-timeout',
      'connection-lost',
      'transport-error',
    ] as const) {
      expect(isRetryableClose(close(1006, cause))).toBe(true);
      expect(isRetryableClose(close(1000, cause))).toBe(false);
    }
  });
});
