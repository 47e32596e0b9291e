/**
 * The server's side of the resilience tests' bookkeeping: which client and attempt each
 * server-side socket belongs to (from the query the client's `url()` put on the upgrade
 * request, `?client=N&attempt=K`), what arrived on it, in order, and whether a client ever had
 * two live sockets at once. Every message is acknowledged (its number echoed back), so a client
 * knows what certainly arrived, as an application protocol with acknowledgements would.
 *
 * "Live" is what the client could still use. The server alone cannot tell: it learns of a
 * socket that died on the way (a blackholed path, a client that dropped a socket whose FIN the
 * network swallowed) only when a later byte fails or a timeout of its own fires, which may be
 * never. So the check asks the client's side (`holds`): a server socket is live while the
 * client has not ended the attempt it belongs to, i.e. has not yet emitted that attempt's
 * `close` event, after which the connection ignores anything from that socket and never writes
 * to it again. Only accepting a live socket can add one, so that is when the check runs: no
 * other socket of the same client may be live then. A socket the client ended but that stays
 * open at the server is a zombie, allowed while the network hides the end from the server;
 * `lingering()` then checks that none outlives the network's recovery, which catches a client
 * that "ended" an attempt without dropping its socket.
 */
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';

/** One socket the server accepted. */
export interface SocketRecord {
  readonly client: number;
  readonly attempt: number;
  /** Message numbers received on it, in order. */
  readonly received: number[];
  /** Whether it is still open at the server. */
  open: boolean;
  readonly closed: Promise<void>;
}

/** `${client}:${seq}`, the text every tracked message carries, then `padding` bytes after a `:`. */
export function messageText(client: number, seq: number, padding = 0): string {
  return padding === 0 ? `${client}:${seq}` : `${client}:${seq}:${'.'.repeat(padding)}`;
}

/** The message number of a tracked message's text. */
export function seqOf(text: string): number {
  const start = text.indexOf(':') + 1;
  const end = text.indexOf(':', start);
  return Number(text.slice(start, end < 0 ? undefined : end));
}

export class ServerLedger {
  readonly violations: string[] = [];
  readonly #byClient = new Map<number, SocketRecord[]>();
  readonly #holds: (client: number, attempt: number) => boolean;

  /** `holds(client, attempt)`: whether that client has not yet ended that attempt. */
  constructor(holds: (client: number, attempt: number) => boolean) {
    this.#holds = holds;
  }

  /** The backend's connection handler. */
  readonly accept = (socket: WebSocket, request: IncomingMessage): void => {
    const query = new URL(request.url ?? '/', 'ws://backend').searchParams;
    const client = Number(query.get('client'));
    const attempt = Number(query.get('attempt'));
    const records = this.#byClient.get(client) ?? [];
    this.#byClient.set(client, records);
    // A socket of an attempt the client has already ended (its upgrade request was held up on
    // the way) is a zombie from the start: accepting it adds no live socket.
    const live = this.#holds(client, attempt);
    for (const other of records) {
      if (other.attempt === attempt) this.violations.push(`client ${client}: two sockets for attempt ${attempt}`);
      else if (live && other.open && this.#holds(client, other.attempt)) {
        this.violations.push(`client ${client}: attempt ${attempt} accepted while attempt ${other.attempt} is still live`);
      }
    }
    let markClosed!: () => void;
    const record: SocketRecord = { client, attempt, received: [], open: true, closed: new Promise((resolve) => (markClosed = resolve)) };
    records.push(record);
    socket.on('message', (data: RawData) => {
      const seq = seqOf((data as Buffer).toString());
      record.received.push(seq);
      socket.send(messageText(client, seq));
    });
    socket.on('close', () => {
      record.open = false;
      markClosed();
    });
  };

  /** Every socket accepted for `client`, in the order accepted. */
  recordsOf(client: number): readonly SocketRecord[] {
    return this.#byClient.get(client) ?? [];
  }

  /** How many sockets are open at the server now. */
  get openSockets(): number {
    let open = 0;
    for (const records of this.#byClient.values()) for (const record of records) if (record.open) open++;
    return open;
  }

  /**
   * Waits up to `ms` for every socket whose attempt its client has ended to close at the server;
   * resolves with those still open then (none, unless a client kept a socket it had left). Call
   * once the network is healthy again, so the server can learn of every end.
   */
  async lingering(ms: number): Promise<SocketRecord[]> {
    const zombies = [...this.#byClient.values()].flat().filter((record) => record.open && !this.#holds(record.client, record.attempt));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.all(zombies.map((record) => record.closed)), deadline]);
    clearTimeout(timer);
    return zombies.filter((record) => record.open);
  }
}
