/**
 * The causes the `ws` transport gives Node's and `ws`'s error codes, code by code, against
 * literals written here: the reconnect policy decides on these causes.
 */
import { describe, expect, it } from 'vitest';
import { causeOfWsError } from '../../src/transports/ws-errors.js';

describe('causeOfWsError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENETUNREACH', 'refused'],
    ['EAI_AGAIN', 'refused'],
    ['EADDRNOTAVAIL', 'refused'],
    ['ECONNRESET', 'connection-lost'],
    ['EPIPE', 'connection-lost'],
    ['ECONNABORTED', 'connection-lost'],
    ['ETIMEDOUT', 'connection-lost'],
    ['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'message-too-big'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-failed'],
    ['CERT_HAS_EXPIRED', 'tls-failed'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-failed'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls-failed'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-failed'],
    ['UNABLE_TO_GET_CRL', 'tls-failed'],
    ['UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'tls-failed'],
    ['UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'tls-failed'],
    ['CRL_SIGNATURE_FAILURE', 'tls-failed'],
    ['CRL_NOT_YET_VALID', 'tls-failed'],
    ['CRL_HAS_EXPIRED', 'tls-failed'],
    ['ERROR_IN_CRL_LAST_UPDATE_FIELD', 'tls-failed'],
    ['ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'tls-failed'],
    ['INVALID_CA', 'tls-failed'],
    ['PATH_LENGTH_EXCEEDED', 'tls-failed'],
    ['INVALID_PURPOSE', 'tls-failed'],
    ['HOSTNAME_MISMATCH', 'tls-failed'],
    ['UNSPECIFIED', 'tls-failed'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-failed'],
    ['ERR_TLS_HANDSHAKE_TIMEOUT', 'tls-failed'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-failed'],
    ['WS_ERR_INVALID_CLOSE_CODE', 'protocol-error'],
    ['WS_ERR_INVALID_UTF8', 'protocol-error'],
    // Only as a prefix: a code that merely contains one is something else.
    ['X_ERR_TLS_', 'handshake-failed'],
    ['X_ERR_SSL_', 'handshake-failed'],
    ['X_WS_ERR_', 'handshake-failed'],
    ['EACCES', 'handshake-failed'],
    [undefined, 'handshake-failed'],
  ])('takes %s while connecting as %s', (code, cause) => {
    expect(causeOfWsError(code, true)).toBe(cause);
  });

  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'connection-lost'],
    ['WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'message-too-big'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-failed'],
    ['WS_ERR_INVALID_OPCODE', 'protocol-error'],
    ['EACCES', 'transport-error'],
    [undefined, 'transport-error'],
  ])('takes %s once open as %s', (code, cause) => {
    expect(causeOfWsError(code, false)).toBe(cause);
  });
});
