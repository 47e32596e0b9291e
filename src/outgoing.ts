/**
 * Outgoing messages waiting in the queue. Binary data is copied when it is queued, as the
 * platform copies it at `send()` (WHATWG WebSockets Standard, `send()`), so an application
 * that reuses its buffer afterwards still sends what it meant to; the original is kept to
 * report back, by identity, if the message is never delivered.
 */
import type { OutgoingData } from './byte-length.js';

export class QueuedMessage {
  constructor(
    /** What the application passed to `send()`. */
    readonly original: OutgoingData,
    /** What goes on the wire: `original`, or a snapshot of its bytes. */
    readonly wire: OutgoingData,
  ) {}

  static of(data: OutgoingData): QueuedMessage {
    return new QueuedMessage(data, snapshot(data));
  }
}

function snapshot(data: OutgoingData): OutgoingData {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (data instanceof ArrayBuffer) return data.slice(0);
  return data; // strings and Blobs are immutable; SharedArrayBuffers are shared by intent
}
