/**
 * `statesock/streams`: a connection as a pair of WHATWG streams, in the manner of the
 * `WebSocketStream` proposal (https://github.com/whatwg/websockets/pull/48): a `readable` of
 * inbound messages and a `writable` for outbound ones, both with backpressure, and both
 * spanning the connection's reconnects.
 *
 * - **writable**: each chunk waits for `connection.ready` (the `highWaterMark` option), then
 *   goes to `send()`. While the connection waits to reconnect, chunks queue as `send()` queues
 *   them, and the writable keeps its place: nothing is skipped or repeated by the adapter. A
 *   chunk `send()` refuses errors the writable with the reason; one accepted and later lost (a
 *   dropped socket) is reported by the connection's `undelivered` event, as for any send.
 *   Closing the writable closes the connection, after buffered data has drained.
 * - **readable**: every message of every attempt, in order. When more than
 *   `readableHighWaterMark` bytes are unread, a transport that can pause (`ws`, in Node) stops
 *   reading from the network until the reader catches up, and TCP slows the server. A browser's
 *   `WebSocket` cannot pause: there the readable holds up to `maxUnreadBytes`, then closes the
 *   connection with {@link UNREAD_LIMIT_CLOSE_CODE} and errors. It closes once the connection is
 *   over for good; cancelling it closes the connection.
 */
import { byteSizeOf, type OutgoingData } from '../byte-length.js';
import type { Connection } from '../connection.js';
import { pauseReads } from '../connection-internals.js';
import type { IncomingData } from '../transports/transport.js';
import { describeValue } from '../validation.js';

/** The close code the readable closes the connection with when `maxUnreadBytes` is passed where reads cannot pause. */
export const UNREAD_LIMIT_CLOSE_CODE = 4009;

export interface ConnectionStreamsOptions {
  /** Bytes of unread messages above which reads pause (where the transport can). @default 1048576 (1 MiB) */
  readonly readableHighWaterMark?: number;
  /**
   * Where reads cannot pause (browsers): the most bytes of unread messages the readable holds;
   * one more closes the connection with {@link UNREAD_LIMIT_CLOSE_CODE}. Must be at least
   * `readableHighWaterMark`. @default 16777216 (16 MiB)
   */
  readonly maxUnreadBytes?: number;
}

export interface ConnectionStreams {
  /** Inbound messages, as the connection delivers them (`string`, `ArrayBuffer` or `Blob`). */
  readonly readable: ReadableStream<IncomingData>;
  /** Outbound messages, each handed to `send()` once there is room. */
  readonly writable: WritableStream<OutgoingData>;
}

/** Stream defaults. */
export const STREAM_DEFAULTS = { readableHighWaterMark: 1024 * 1024, maxUnreadBytes: 16 * 1024 * 1024 } as const;

/** The streams of `connection`; call once per connection, as the streams consume its messages. */
export function connectionStreams(connection: Connection, options: ConnectionStreamsOptions = {}): ConnectionStreams {
  const highWaterMark = positive('readableHighWaterMark', options.readableHighWaterMark ?? STREAM_DEFAULTS.readableHighWaterMark);
  const maxUnread = positive('maxUnreadBytes', options.maxUnreadBytes ?? STREAM_DEFAULTS.maxUnreadBytes);
  if (maxUnread < highWaterMark) {
    throw new RangeError(`Expected \`maxUnreadBytes\` (${maxUnread}) to be at least \`readableHighWaterMark\` (${highWaterMark})`);
  }
  return { readable: readableOf(connection, highWaterMark, maxUnread), writable: writableOf(connection) };
}

function readableOf(connection: Connection, highWaterMark: number, maxUnread: number): ReadableStream<IncomingData> {
  let paused = false;
  let done = false;
  const stops: (() => void)[] = [];
  const stop = (): void => {
    done = true;
    stops.forEach((unlisten) => unlisten());
  };
  return new ReadableStream<IncomingData>(
    {
      start(controller) {
        stops.push(
          connection.on('message', (data) => {
            if (done) return;
            controller.enqueue(data);
            const room = controller.desiredSize ?? 0;
            if (room > 0 || paused) return;
            if (connection[pauseReads](true)) paused = true;
            else if (highWaterMark - room > maxUnread) {
              stop();
              const reason = `the reader left more than ${maxUnread} bytes unread`;
              void connection.close(UNREAD_LIMIT_CLOSE_CODE, reason);
              controller.error(new RangeError(`statesock/streams: ${reason}; the connection was closed with ${UNREAD_LIMIT_CLOSE_CODE}`));
            }
          }),
        );
        void connection.closed.then(() => {
          if (done) return;
          stop();
          // What the platform already read is still there for the reader; then the end.
          controller.close();
        });
      },
      // Called only while there is room below the watermark.
      pull() {
        if (paused) {
          paused = false;
          connection[pauseReads](false);
        }
      },
      cancel() {
        stop();
        if (paused) connection[pauseReads](false);
        return connection.close().then(noop);
      },
    },
    { highWaterMark, size: byteSizeOf },
  );
}

function writableOf(connection: Connection): WritableStream<OutgoingData> {
  let refused: { readonly data: OutgoingData; reason: string } | undefined;
  connection.on('undelivered', ({ data, reason }) => {
    if (refused !== undefined && data === refused.data) refused.reason = reason;
  });
  return new WritableStream<OutgoingData>(
    {
      async write(chunk) {
        await connection.ready;
        refused = { data: chunk, reason: 'refused' };
        try {
          if (!connection.send(chunk)) throw new Error(`statesock/streams: send() did not accept the chunk (${refused.reason})`);
        } finally {
          refused = undefined;
        }
      },
      async close() {
        await connection.close();
      },
      async abort() {
        await connection.close();
      },
    },
    // One chunk in the sink at a time: `writer.ready` follows `connection.ready`.
    // Stryker disable next-line ObjectLiteral: equivalent. 1 is also the default high water mark of a WritableStream; stated for the reader.
    { highWaterMark: 1 },
  );
}

function positive(name: string, value: unknown): number {
  if (Number.isSafeInteger(value) && (value as number) > 0) return value as number;
  throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${describeValue(value)}`);
}

function noop(): void {}
