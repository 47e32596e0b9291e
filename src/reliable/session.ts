/**
 * The public `ReliableSession`: argument checks, then the engine (`engine.ts`).
 */
import type { CloseInfo } from '../../machines/connection.types.js';
import { isOutgoingData, type OutgoingData } from '../byte-length.js';
import { createConnection, type Connection } from '../connection.js';
import type { UrlSource } from '../url-source.js';
import { describeValue, normalizeCloseArgs } from '../validation.js';
import { SessionEngine } from './engine.js';
import type { ReliableSessionEventMap, SessionStateName } from './events.js';
import { leafState } from './internals.js';
import { resolveSessionOptions, type ReliableSessionOptions } from './options.js';

/**
 * Opens a connection to `url` and runs a reliable session over it: every message in either
 * direction is numbered and acknowledged, kept until acknowledged, replayed after a reconnect
 * and delivered to the other side's application exactly once and in order; or, when that
 * cannot be, reported (`undelivered`, `lost`). Against a server that does not speak the session
 * protocol it says so (`fallback`) and carries on as a plain connection.
 *
 * Throws at once for a bad URL, subprotocol or option, as `createConnection` does, and for
 * `resendUnconfirmed: true`.
 */
export function createReliableSession(url: UrlSource, options?: ReliableSessionOptions): ReliableSession {
  return new ReliableSession(url, options);
}

/** A reliable session over a `Connection`; see `createReliableSession`. */
export class ReliableSession {
  readonly #engine: SessionEngine;

  constructor(url: UrlSource, options?: ReliableSessionOptions) {
    const { session, connection } = resolveSessionOptions(options);
    this.#engine = new SessionEngine(createConnection(url, connection), session);
  }

  /**
   * The connection underneath, for its state, `url`, `protocol` and events. Send and close
   * through the session: a message sent on the connection directly is not part of the session
   * (the server takes it for a malformed frame).
   */
  get connection(): Connection {
    return this.#engine.connection;
  }

  /** Where the session is: `negotiating`, `live`, `resuming`, `lost`, `plain`, `closing` or `closed`. */
  get state(): SessionStateName {
    return this.#engine.state;
  }

  /** The session the server granted, once it has; `undefined` while negotiating, after a loss and in the plain fallback. */
  get sessionId(): string | undefined {
    return this.#engine.context.sessionId;
  }

  /** Messages held until the server acknowledges them: sent and unacknowledged, or waiting for a session. */
  get unackedMessages(): number {
    return this.#engine.log.length;
  }

  /** Their bytes (UTF-8 for strings). */
  get unackedBytes(): number {
    return this.#engine.log.bytes;
  }

  /**
   * Resolves once `send()` has room for a message (at once if it has); rejects once the
   * session is closed, since no room will come. A rejection nobody awaits is not reported as
   * unhandled. `maxUnackedBytes` bounds bytes: a message larger than the room left is still
   * refused.
   */
  get ready(): Promise<void> {
    return this.#engine.ready;
  }

  /** Settles once the session is over and its connection closed, with how the connection's last attempt ended. */
  get closed(): Promise<CloseInfo> {
    return this.#engine.closed;
  }

  /**
   * Sends `data` in the session: written at once while `live`, held (and numbered) while a
   * session is being negotiated or resumed, handed to the connection as it is in the plain
   * fallback. Returns whether it was accepted; a message that is not, or that the session ends
   * without the server acknowledging, is reported by exactly one `undelivered` event (or in the
   * `lost` event, when the server lost the session). Throws a `TypeError` for data that is not a
   * string, `ArrayBuffer`, view or `Blob`, sending nothing.
   */
  send(data: OutgoingData): boolean {
    if (!isOutgoingData(data)) {
      throw new TypeError(`Expected data to be a string, an ArrayBuffer, an ArrayBufferView or a Blob, got ${describeValue(data)}`);
    }
    return this.#engine.send(data);
  }

  /**
   * Ends the session for good. While live, it says bye and waits (up to `byeTimeout`) for the
   * server's bye, which acknowledges what the server received, then closes the connection with
   * `code` and `reason`; messages that arrive meanwhile are still delivered. Throws as
   * `Connection.close()` does for a bad code or reason, changing nothing. Resolves as `closed`.
   */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    this.#engine.dispatch({ type: 'user.close', ...normalizeCloseArgs(code, reason) });
    return this.closed;
  }

  /** Listens for `type`; returns a function that stops listening. */
  on<K extends keyof ReliableSessionEventMap>(type: K, listener: (payload: ReliableSessionEventMap[K]) => void): () => void {
    return this.#engine.sequencer.events.on(type, listener);
  }

  /** The machine's leaf state, for the package's own tests (the key is not exported). */
  [leafState](): string {
    return this.#engine.leaf;
  }
}
