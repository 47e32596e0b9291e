/**
 * The server's side of the frame format (`src/reliable/protocol.ts`) for binary frames, read
 * from and written to `Buffer`s (text frames' headers are read from their bytes by the
 * protocol's own `readTextHeader`).
 */
import { binaryHeaderLength, readBinaryHeader, writeBinaryHeader, type DataHeader } from '../reliable/protocol.js';

/** Reads a binary data frame's header from its bytes. */
export function readBinaryHeaderBytes(bytes: Buffer, into: DataHeader): boolean {
  return readBinaryHeader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), into);
}

/** A binary data frame in a `Buffer`. */
export function binaryFrameBuffer(seq: number, ack: number, payload: Uint8Array): Buffer {
  const length = binaryHeaderLength(ack);
  const frame = Buffer.allocUnsafe(length + payload.byteLength);
  writeBinaryHeader(frame, seq, ack);
  frame.set(payload, length);
  return frame;
}
