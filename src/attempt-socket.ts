/**
 * The transport socket of the current connection attempt: where its URL comes from (a fixed URL
 * or an application's `url()`, perhaps async), creating it with handlers that tag every report
 * with the attempt, abandoning it, and the heartbeat's ping. One attempt's socket at a time: a
 * new attempt forgets the last one, and an async `url()` that settles after its attempt ended
 * creates nothing.
 */
import type { ConnectionEvent, TransportFailure } from '../machines/connection.types.js';
import { byteSizeOf, type OutgoingData } from './byte-length.js';
import type { ResolvedOptions } from './options.js';
import { getDefaultTransport } from './transports/default-transport.js';
import type { BinaryType, IncomingData, Transport, TransportHandlers, TransportSocket } from './transports/transport.js';
import type { UrlResolver } from './url-source.js';
import { redactText } from './validation.js';

/**
 * What a socket's `takeUnsent()` gives back for an application-level ping it never wrote out:
 * not the application's data, so `AttemptSocket.takeUnsent()` leaves it out. An object, so that
 * no message the application sends can be mistaken for it.
 */
const UNSENT_PING: OutgoingData = new ArrayBuffer(0);

/** Where the socket's reports go: facts for the machine, and inbound messages (the hot path). */
export interface AttemptReports {
  hear(event: ConnectionEvent): void;
  message(attempt: number, data: IncomingData): void;
}

export class AttemptSocket {
  readonly #options: ResolvedOptions;
  readonly #urls: UrlResolver;
  readonly #reports: AttemptReports;
  #socket: TransportSocket | undefined;
  #binaryType: BinaryType;
  /** The attempt whose socket this is, or is about to be (while an async `url()` runs); 0 once abandoned before it existed. */
  #attempt = 0;
  /** With an application-level ping out: the next inbound message is its pong. */
  // Stryker disable next-line BooleanLiteral: equivalent. open() sets it before any socket exists to read from.
  #pongByMessage = false;

  constructor(options: ResolvedOptions, urls: UrlResolver, reports: AttemptReports) {
    this.#options = options;
    this.#urls = urls;
    this.#reports = reports;
    this.#binaryType = options.binaryType;
  }

  /** What binary messages arrive as: on the current socket, and on a socket created later (one whose `url()` is still pending too). */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(type: BinaryType) {
    this.#binaryType = type;
    if (this.#socket !== undefined) this.#socket.binaryType = type;
  }

  /** The current attempt's socket, once it exists. */
  get socket(): TransportSocket | undefined {
    return this.#socket;
  }

  /** Whether `attempt` is the one this socket belongs to. */
  isCurrent(attempt: number): boolean {
    return attempt === this.#attempt;
  }

  /** Whether the transport's sockets can stop reading from the network (`pause`). */
  get canPause(): boolean {
    return this.#transport.pausable === true;
  }

  /** Whether heartbeats can run: protocol pings where the transport has them, else only with a ping message. */
  get canPing(): boolean {
    return this.#transport.pings === true || this.#options.pingMessage !== undefined;
  }

  /**
   * Starts attempt `attempt`: asks for its URL and creates its socket, now or when an async
   * `url()` settles. Failures are reported like any transport's, in a later task.
   */
  open(attempt: number): void {
    this.#attempt = attempt;
    this.#socket = undefined;
    this.#pongByMessage = false;
    // A signal aborted before the connection was created: the close() it stands for is already
    // on its way, so no URL is asked for and no socket opened, as fetch() opens none; the
    // attempt then ends as an abort before open does.
    if (this.#options.signal?.aborted) return;
    const fail = (error: unknown): void => this.#reports.hear({ type: 'socket.error', attempt, failure: transportError(error) });
    try {
      const next = this.#urls.next();
      if ('url' in next) this.#create(attempt, next.url);
      else {
        next.pending.then(
          // The attempt may have ended (connect timeout, close()) while the function ran.
          (url) => this.isCurrent(attempt) && this.#socket === undefined && this.#create(attempt, url),
          (error: unknown) => this.isCurrent(attempt) && fail(error),
        );
      }
    } catch (error) {
      fail(error);
    }
  }

  /** Starts the closing handshake; before the socket exists, ends the attempt as an abort would. */
  close(code: number | undefined, reason: string | undefined): void {
    if (this.#socket !== undefined) {
      this.#socket.close(code, reason);
      return;
    }
    const attempt = this.#attempt;
    this.#attempt = 0;
    this.#reports.hear({ type: 'socket.close', attempt, code: 1006, reason: '', wasClean: false });
  }

  /** Drops the socket at once; one that `url()` has not yet given is never created. */
  terminate(): void {
    if (this.#socket !== undefined) this.#socket.terminate();
    else this.#attempt = 0;
  }

  /** Asks the peer for a sign of life: a protocol ping, or the application's ping message. */
  ping(): void {
    const socket = this.#socket!;
    if (this.#transport.pings === true && socket.ping) socket.ping();
    else {
      const message = this.#options.pingMessage!;
      socket.send(message, byteSizeOf(message), UNSENT_PING);
      this.#pongByMessage = true;
    }
  }

  /** The application's data the socket accepted and never wrote out, oldest first; forgets it. */
  takeUnsent(): OutgoingData[] {
    return (this.#socket?.takeUnsent() ?? []).filter((data) => data !== UNSENT_PING);
  }

  /** For an inbound message: whether it answers an application-level ping. */
  takePong(): boolean {
    if (!this.#pongByMessage) return false;
    this.#pongByMessage = false;
    return true;
  }

  get #transport(): Transport {
    return this.#options.transport ?? getDefaultTransport();
  }

  #create(attempt: number, url: URL): void {
    const options = this.#options;
    try {
      this.#socket = this.#transport(
        {
          url,
          protocols: options.protocols,
          binaryType: this.#binaryType,
          maxPayload: options.maxPayload,
          node: options.node,
          clock: options.clock,
        },
        new AttemptHandlers(this.#reports, attempt),
      );
    } catch (error) {
      // A transport throws only for a request it refuses outright (see `Transport`): an invalid
      // header, a forbidden URL or port, a Content Security Policy. A platform may name the URL
      // in its error (a browser's CSP SecurityError quotes it whole).
      this.#reports.hear({ type: 'socket.error', attempt, failure: { ...transportError(error, url), cause: 'invalid-request' } });
    }
  }
}

/** A socket's handlers, each report tagged with the attempt it belongs to: one small object per socket, not a closure per handler. */
class AttemptHandlers implements TransportHandlers {
  readonly #reports: AttemptReports;
  readonly #attempt: number;

  constructor(reports: AttemptReports, attempt: number) {
    this.#reports = reports;
    this.#attempt = attempt;
  }

  open(protocol: string, extensions: string): void {
    this.#reports.hear({ type: 'socket.open', attempt: this.#attempt, protocol, extensions });
  }

  message(data: IncomingData): void {
    this.#reports.message(this.#attempt, data);
  }

  error(failure: TransportFailure): void {
    this.#reports.hear({ type: 'socket.error', attempt: this.#attempt, failure });
  }

  close(code: number, reason: string, wasClean: boolean): void {
    this.#reports.hear({ type: 'socket.close', attempt: this.#attempt, code, reason, wasClean });
  }

  pong(): void {
    this.#reports.hear({ type: 'socket.pong', attempt: this.#attempt });
  }
}

/** A failure from a transport or a `url()` function; its message redacted with `url` where the attempt has one. */
function transportError(error: unknown, url?: URL): TransportFailure {
  const message = error instanceof Error ? error.message : String(error);
  return { cause: 'transport-error', message: redactText(message, url) };
}
