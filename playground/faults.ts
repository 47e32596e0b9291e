/**
 * Fault injection for the playground's chat endpoint, aimed at one client (the `client` query
 * parameter of its WebSocket URL, so two pages never disturb each other): faults on the next
 * opening handshake (`refuse`, `stall`) and on the current connection (`drop`, `slow-drain`,
 * `close`, `garbage`).
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { SLOW_DRAIN_RATE, type FaultRequest, type FaultResponse } from './protocol.js';

const REFUSAL_BODY = 'refused by the playground (fault: refuse)\n';

/** How often the slow-drain throttle tops up its budget. */
const THROTTLE_TICK_MS = 50;

interface Live {
  readonly socket: WebSocket;
  readonly tcp: Socket;
  stopThrottle?: () => void;
}

/** The faults armed for, and the current connection of, each client. */
export class FaultInjector {
  readonly #armed = new Map<string, 'refuse' | 'stall'>();
  readonly #live = new Map<string, Live>();
  readonly #log: (line: string) => void;

  /** `log` hears each fault as it takes effect. */
  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  /**
   * Called for each opening handshake before it is answered: carries out a fault armed for
   * `client` and returns true, or returns false to let the handshake proceed.
   */
  intercept(client: string, tcp: Duplex): boolean {
    const fault = this.#armed.get(client);
    if (fault === undefined) return false;
    this.#armed.delete(client);
    this.#log(`${fault === 'refuse' ? 'refused' : 'stalled'} the opening handshake of ${JSON.stringify(client)}`);
    if (fault === 'refuse') {
      tcp.end(
        `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${REFUSAL_BODY.length}\r\n\r\n${REFUSAL_BODY}`,
      );
    }
    // A stalled handshake is simply never answered: the client's connect timeout ends it, or
    // the server's close() destroys the socket with all the others.
    return true;
  }

  /** Records `socket` (over `tcp`) as the current connection of `client`. */
  attach(client: string, socket: WebSocket, tcp: Socket): void {
    const live: Live = { socket, tcp };
    this.#live.set(client, live);
    socket.once('close', () => {
      live.stopThrottle?.();
      if (this.#live.get(client) === live) this.#live.delete(client);
    });
  }

  /** Carries out a request from the control endpoint; the status is the HTTP status to answer with. */
  apply(request: unknown): { status: number; body: FaultResponse } {
    const problem = checkRequest(request);
    if (problem !== undefined) return { status: 400, body: { ok: false, error: problem } };
    const fault = request as FaultRequest;
    if (fault.fault === 'refuse' || fault.fault === 'stall') {
      this.#armed.set(fault.client, fault.fault);
      this.#log(`fault ${fault.fault} armed for the next handshake of ${JSON.stringify(fault.client)}`);
      return { status: 200, body: { ok: true, applies: 'next-handshake' } };
    }
    const live = this.#live.get(fault.client);
    if (live === undefined)
      return { status: 409, body: { ok: false, error: `client ${JSON.stringify(fault.client)} has no open connection` } };
    this.#log(`fault ${fault.fault} on the connection of ${JSON.stringify(fault.client)}`);
    switch (fault.fault) {
      case 'drop':
        live.socket.terminate();
        break;
      case 'garbage':
        live.socket.send('{"type":"message", this is not JSON');
        break;
      case 'close':
        live.socket.close(fault.code, fault.reason ?? '');
        break;
      case 'slow-drain':
        live.stopThrottle?.();
        live.stopThrottle = throttleReading(live.tcp, fault.bytesPerSecond ?? SLOW_DRAIN_RATE);
        break;
    }
    return { status: 200, body: { ok: true, applies: 'now' } };
  }

  /** Stops every throttle; the server destroys the sockets. */
  close(): void {
    for (const live of this.#live.values()) live.stopThrottle?.();
    this.#live.clear();
    this.#armed.clear();
  }
}

/**
 * Reads from `tcp` at about `bytesPerSecond` (a token bucket: pause once a tick's budget is
 * spent, resume when it is topped up again), so what the client sends piles up in the kernel's
 * buffers and then in its own `bufferedAmount`. Returns a function that reads at full speed again.
 */
function throttleReading(tcp: Socket, bytesPerSecond: number): () => void {
  const perTick = (bytesPerSecond * THROTTLE_TICK_MS) / 1000;
  let budget = perTick;
  const onData = (chunk: Buffer) => {
    budget -= chunk.length;
    if (budget <= 0) tcp.pause();
  };
  const timer = setInterval(() => {
    budget = Math.min(budget + perTick, perTick);
    if (budget > 0 && tcp.isPaused()) tcp.resume();
  }, THROTTLE_TICK_MS);
  tcp.on('data', onData);
  return () => {
    clearInterval(timer);
    tcp.off('data', onData);
    if (!tcp.destroyed) tcp.resume();
  };
}

/** What is wrong with a fault request, or undefined. */
function checkRequest(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return 'expected a JSON object';
  const { client, fault, code, reason, bytesPerSecond } = request as Record<string, unknown>;
  if (typeof client !== 'string') return 'expected `client` to be a string';
  switch (fault) {
    case 'drop':
    case 'refuse':
    case 'stall':
    case 'garbage':
      return undefined;
    case 'slow-drain':
      return bytesPerSecond === undefined || (typeof bytesPerSecond === 'number' && bytesPerSecond > 0)
        ? undefined
        : 'expected `bytesPerSecond` to be a positive number';
    case 'close':
      // The codes an endpoint may send (RFC 6455 §7.4): 1000, 1001-1003, 1007-1014, 3000-4999.
      if (
        typeof code !== 'number' ||
        !Number.isInteger(code) ||
        !(code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
      ) {
        return 'expected `code` to be a close code a server may send (1000-1003, 1007-1014, 3000-4999)';
      }
      if (reason !== undefined && (typeof reason !== 'string' || Buffer.byteLength(reason) > 123))
        return 'expected `reason` to be a string of at most 123 UTF-8 bytes';
      return undefined;
    default:
      return 'expected `fault` to be one of drop, refuse, stall, slow-drain, close, garbage';
  }
}
