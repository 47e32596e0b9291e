/**
 * What one hop of a proxied loopback link can physically hold, in bytes: the most a message
 * could be lost in without any library being able to report it. A hop is one TCP connection
 * (client to proxy, or proxy to server). Once its sender's write was confirmed, its bytes can
 * only be in the sender's kernel send buffer, which autotuning never grows past `tcp_wmem`'s
 * maximum, in the receiver's kernel receive buffer, never past `tcp_rmem`'s maximum, or in the
 * proxy's own memory at its end of the hop (`link-flow.ts`). Read once, from this machine.
 */
import { readFileSync } from 'node:fs';
import { MOST_HELD_BYTES } from './link-flow.js';

export interface HopCapacity {
  /** The kernel's maximum send buffer (the last field of `/proc/sys/net/ipv4/tcp_wmem`). */
  readonly sendBufferMax: number;
  /** The kernel's maximum receive buffer (the last field of `/proc/sys/net/ipv4/tcp_rmem`). */
  readonly receiveBufferMax: number;
  /** What the proxy holds at its end of a hop. */
  readonly proxyHolds: number;
  /** Their sum: the most frame bytes a hop may lose. */
  readonly bytes: number;
}

let capacity: HopCapacity | undefined;

/** The capacity of one hop on this machine (Linux: the accounting needs its TCP buffer limits). */
export function hopCapacity(): HopCapacity {
  if (capacity !== undefined) return capacity;
  const sendBufferMax = maxOf('/proc/sys/net/ipv4/tcp_wmem');
  const receiveBufferMax = maxOf('/proc/sys/net/ipv4/tcp_rmem');
  capacity = { sendBufferMax, receiveBufferMax, proxyHolds: MOST_HELD_BYTES, bytes: sendBufferMax + receiveBufferMax + MOST_HELD_BYTES };
  return capacity;
}

/** The last of the three numbers (min, default, max) in a `tcp_wmem`-style file. */
function maxOf(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`The loss bound needs the kernel's TCP buffer limits from ${file} (Linux): ${(error as Error).message}`, {
      cause: error,
    });
  }
  const max = Number(text.trim().split(/\s+/)[2]);
  if (!Number.isSafeInteger(max) || max <= 0) throw new Error(`Cannot read a maximum from ${file}: ${JSON.stringify(text)}`);
  return max;
}
