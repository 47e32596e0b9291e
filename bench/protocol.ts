/**
 * The messages the benchmark's client process and its `ws` server child exchange over the
 * IPC channel. Control and reports go through IPC, never through the WebSocket under test,
 * so every implementation carries exactly the same bytes.
 */

/** What a connection to the server is for; carried in the URL query with its id. */
export type ServerMode = 'sink' | 'echo' | 'idle';

/** Parent to server. */
export type ToServer =
  { readonly type: 'flood'; readonly id: number; readonly count: number; readonly size: number } | { readonly type: 'stats' };

/** Server to parent. */
export type FromServer =
  /** Both servers listen: the measured one, and the compression bomb's (`bombPort`). */
  | { readonly type: 'listening'; readonly port: number; readonly bombPort: number }
  /** A sink connection received the `expect` messages its URL announced; `at` is `process.hrtime` in ns (CLOCK_MONOTONIC, shared by both processes). */
  | { readonly type: 'delivered'; readonly id: number; readonly messages: number; readonly bytes: number; readonly at: number }
  /** A sink or echo connection closed; what it had received by then, and when the last message came (`lastAt`, 0 if none). */
  | {
      readonly type: 'closed';
      readonly id: number;
      readonly messages: number;
      readonly bytes: number;
      readonly code: number;
      readonly lastAt: number;
    }
  | { readonly type: 'stats'; readonly clients: number };

/** The URL a client opens for connection `id`. */
export function benchUrl(port: number, id: number, mode: ServerMode, expect = 0): string {
  return `ws://127.0.0.1:${port}/?id=${id}&mode=${mode}&expect=${expect}`;
}

/** The URL of the compression bomb server: it sends one text message of `bytes` of one repeated byte, compressed. */
export function bombUrl(port: number, bytes: number): string {
  return `ws://127.0.0.1:${port}/?bytes=${bytes}`;
}

/** Nanoseconds on the monotonic clock both processes share. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}
