/**
 * The server's side of the frame format (`src/reliable/protocol.ts`), read from and written to
 * `Buffer`s: `ws` hands the server every message as one, so a data frame's header is read from
 * its bytes and only the payload is decoded.
 */
import { MAX_SEQ, binaryHeaderLength, readBinaryHeader, writeBinaryHeader, type DataHeader } from '../reliable/protocol.js';

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const COLON = 58;
const COMMA = 44;

/** Whether a text frame's first byte makes it a data frame (a digit), as opposed to a control frame (`{`). */
export function isTextDataBuffer(bytes: Buffer): boolean {
  const first = bytes[0];
  return first !== undefined && first >= DIGIT_0 && first <= DIGIT_9;
}

/** Reads a text data frame's header, `seq[,ack]:`, from its bytes into `into`; returns whether it is well formed. */
export function readTextHeaderBytes(bytes: Buffer, into: DataHeader): boolean {
  const seq = readNumber(bytes, 0);
  if (seq < 1) return false;
  let i = end;
  let ack = -1;
  if (bytes[i] === COMMA) {
    ack = readNumber(bytes, i + 1);
    if (ack < 0) return false;
    i = end;
  }
  if (bytes[i] !== COLON) return false;
  into.seq = seq;
  into.ack = ack;
  into.start = i + 1;
  return true;
}

let end = 0;

function readNumber(bytes: Buffer, from: number): number {
  let value = 0;
  let i = from;
  for (; i < bytes.length && i - from < 17; i++) {
    const code = bytes[i]!;
    if (code < DIGIT_0 || code > DIGIT_9) break;
    value = value * 10 + (code - DIGIT_0);
  }
  end = i;
  const digits = i - from;
  if (digits === 0 || digits > 16 || (digits > 1 && bytes[from] === DIGIT_0) || value > MAX_SEQ) return -1;
  return value;
}

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
