/**
 * The streams page's script (bundled by esbuild for Chromium): the library's browser entry and
 * `statesock/streams` over the platform `WebSocket`, which cannot pause its reads. The test calls
 * `__streams.produce(url)` and `__streams.floodUnread(url)` through Playwright.
 */
import { createConnection } from '../../../src/index.browser.js';
import { connectionStreams, UNREAD_LIMIT_CLOSE_CODE } from '../../../src/streams/index.js';

export interface ProduceReport {
  readonly chunks: number;
  readonly peak: number;
  readonly bound: number;
  readonly backpressureEvents: number;
  readonly readyEvents: number;
}

export interface FloodReport {
  readonly error: string;
  readonly closeCode: number;
  readonly expectedCode: number;
}

export interface StreamsPage {
  produce(url: string, chunks: number): Promise<ProduceReport>;
  floodUnread(url: string): Promise<FloodReport>;
}

const HIGH_WATER_MARK = 256 * 1024;
const CHUNK = 64 * 1024;

const page: StreamsPage = {
  async produce(url, chunks) {
    const connection = createConnection(url, { highWaterMark: HIGH_WATER_MARK, reconnect: false });
    let backpressureEvents = 0;
    let readyEvents = 0;
    connection.on('backpressure', () => backpressureEvents++);
    connection.on('ready', () => readyEvents++);
    const writer = connectionStreams(connection).writable.getWriter();
    let peak = 0;
    for (let i = 0; i < chunks; i++) {
      await writer.ready;
      void writer.write(new Uint8Array(CHUNK).fill(i % 251));
      peak = Math.max(peak, connection.bufferedAmount);
    }
    await writer.close(); // drains, then closes the connection
    return { chunks, peak, bound: HIGH_WATER_MARK + CHUNK, backpressureEvents, readyEvents };
  },

  async floodUnread(url) {
    const connection = createConnection(url, { reconnect: false });
    let closeCode = 0;
    connection.on('close', ({ code }) => (closeCode = code));
    const { readable } = connectionStreams(connection, { readableHighWaterMark: 256 * 1024, maxUnreadBytes: 1024 * 1024 });
    // Nobody reads until the connection is over: then the first read meets the error.
    await connection.closed;
    const error = await readable
      .getReader()
      .read()
      .then(
        () => 'no error',
        (reason: unknown) => String(reason),
      );
    return { error, closeCode, expectedCode: UNREAD_LIMIT_CLOSE_CODE };
  },
};

(globalThis as { __streams?: StreamsPage }).__streams = page;
