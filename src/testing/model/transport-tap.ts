/**
 * A transparent tap between a connection and its transport: it records what the connection
 * handed to the socket, what the socket gave back as never written out, when the connection
 * asked it to close, and when it pinged, so that properties that do not depend on the machine
 * (every message has one fate; drain before close) can be checked against what really happened.
 *
 * `ForwardingSocket` is also the base for planting faults in a transport (see the mutant tests).
 */
import type { OutgoingData } from '../../byte-length.js';
import type { BinaryType, Transport, TransportHandlers, TransportRequest, TransportSocket } from '../../transports/transport.js';

/** A socket that forwards everything to `inner`; subclasses override what they change. */
export class ForwardingSocket implements TransportSocket {
  readonly inner: TransportSocket;

  constructor(inner: TransportSocket) {
    this.inner = inner;
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  get binaryType(): BinaryType {
    return this.inner.binaryType;
  }

  set binaryType(type: BinaryType) {
    this.inner.binaryType = type;
  }

  send(data: OutgoingData, bytes: number, original: OutgoingData): void {
    this.inner.send(data, bytes, original);
  }

  close(code: number | undefined, reason: string | undefined): void {
    this.inner.close(code, reason);
  }

  terminate(): void {
    this.inner.terminate();
  }

  whenDrained(callback: () => void): void {
    this.inner.whenDrained(callback);
  }

  takeUnsent(): OutgoingData[] {
    return this.inner.takeUnsent();
  }

  /** Forwarded when the inner socket can ping; the shell asks only where `Transport.pings` says so. */
  ping(): void {
    this.inner.ping?.();
  }
}

/**
 * A transport that opens its sockets with `open`, around `transport`, and keeps what
 * `transport` says of itself (`pings`: whether the connection's heartbeat may use protocol pings).
 */
export function wrapTransport(
  transport: Transport,
  open: (request: TransportRequest, handlers: TransportHandlers) => TransportSocket,
): Transport {
  return Object.assign(open, transport.pings === undefined ? {} : { pings: transport.pings });
}

/**
 * `handlers` with some reports replaced: the rest are passed on as calls on `handlers` (a
 * transport calls its handlers as methods of the object it was given).
 */
export function overrideHandlers(handlers: TransportHandlers, overrides: Partial<TransportHandlers>): TransportHandlers {
  return {
    open: overrides.open ?? ((protocol, extensions) => handlers.open(protocol, extensions)),
    message: overrides.message ?? ((data) => handlers.message(data)),
    error: overrides.error ?? ((failure) => handlers.error(failure)),
    close: overrides.close ?? ((code, reason, wasClean) => handlers.close(code, reason, wasClean)),
    pong: overrides.pong ?? (() => handlers.pong()),
  };
}

/** What crossed the tap. */
export interface TapRecord {
  /** What the connection handed to the socket (as `send()` was given it), in order. */
  readonly handed: OutgoingData[];
  /** What the socket returned as never written out. */
  readonly unsent: OutgoingData[];
  /** Each `close()` the connection asked for: what the socket still held, and during which step. */
  readonly closes: { readonly bufferedAmount: number; readonly step: number }[];
  /** The step during which each heartbeat ping was sent. */
  readonly pings: number[];
}

/** Wraps `transport` so that every socket it opens is recorded into `record`; `step()` says which step is running. */
export function tapTransport(transport: Transport, record: TapRecord, step: () => number): Transport {
  return wrapTransport(
    transport,
    (request, handlers) =>
      new (class extends ForwardingSocket {
        override send(data: OutgoingData, bytes: number, original: OutgoingData): void {
          record.handed.push(original);
          super.send(data, bytes, original);
        }

        override close(code: number | undefined, reason: string | undefined): void {
          record.closes.push({ bufferedAmount: this.bufferedAmount, step: step() });
          super.close(code, reason);
        }

        override takeUnsent(): OutgoingData[] {
          const unsent = super.takeUnsent();
          record.unsent.push(...unsent);
          return unsent;
        }

        override ping(): void {
          record.pings.push(step());
          super.ping();
        }
      })(transport(request, handlers)),
  );
}
