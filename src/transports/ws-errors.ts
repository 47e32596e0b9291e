/**
 * What a failure of the `ws` client means for the connection: the cause a Node or `ws` error
 * code stands for. Node's system error codes are listed in its `errors` docs, `ws`'s `WS_ERR_*`
 * codes in its own, the TLS ones in OpenSSL's verification codes and Node's `ERR_TLS_*`.
 */
import type { CloseCause } from '../../machines/connection.types.js';

/** The cause of a `ws` client error with `code`, raised `connecting` (before the handshake completed) or after. */
export function causeOfWsError(code: string | undefined, connecting: boolean): CloseCause {
  switch (code) {
    // The host could not be reached or would not take the connection.
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EAI_AGAIN':
    case 'EADDRNOTAVAIL':
      return 'refused';
    // An established TCP connection was dropped.
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return 'connection-lost';
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 'message-too-big';
    // Node's names for OpenSSL's verification codes, those without CERT in them (a chain
    // missing its intermediate gives the first; the rest are matched below), and what Node
    // calls every verification code it does not name.
    case 'UNSPECIFIED':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_CRL':
    case 'UNABLE_TO_DECRYPT_CRL_SIGNATURE':
    case 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY':
    case 'CRL_SIGNATURE_FAILURE':
    case 'CRL_NOT_YET_VALID':
    case 'CRL_HAS_EXPIRED':
    case 'ERROR_IN_CRL_LAST_UPDATE_FIELD':
    case 'ERROR_IN_CRL_NEXT_UPDATE_FIELD':
    case 'INVALID_CA':
    case 'PATH_LENGTH_EXCEEDED':
    case 'INVALID_PURPOSE':
    case 'HOSTNAME_MISMATCH':
      return 'tls-failed';
  }
  if (code !== undefined) {
    // OpenSSL's verification codes (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED...) and Node's TLS errors.
    if (code.includes('CERT') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'tls-failed';
    if (code.startsWith('WS_ERR_')) return 'protocol-error';
  }
  // Handshake problems (an HTTP status, a bad Sec-WebSocket-Accept, a subprotocol mismatch)
  // reach us as plain errors while connecting.
  return connecting ? 'handshake-failed' : 'transport-error';
}
