/**
 * Data frames as a client sends them (RFC 6455, section 5.2: https://www.rfc-editor.org/rfc/rfc6455#section-5.2),
 * final and masked, written side by side into one buffer, so that the messages of one task reach
 * the TCP socket as one write rather than one trip each through `ws`'s sender and Node's stream
 * (see `ws-transport.ts`). Nothing is compressed and nothing is fragmented: the transport frames
 * messages here only when no extension was negotiated.
 */
import { randomFillSync } from 'node:crypto';

/** The data the transport frames itself: everything `send()` takes but a `Blob`, whose bytes come later. */
export type FrameData = string | ArrayBufferLike | ArrayBufferView;

const TEXT = 0x81; // FIN, opcode 1
const BINARY = 0x82; // FIN, opcode 2
const MASKED = 0x80;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
const MASK_KEY = 4;

/**
 * Masking keys, drawn from the system's random source in batches as `ws` draws its own: each
 * frame takes the next four bytes (RFC 6455, section 5.3, asks for keys a server cannot predict).
 */
const keys = Buffer.allocUnsafe(8 * 1024);
let nextKey = keys.length;

/** The bytes a frame of a `payload`-byte message takes: header, masking key and payload. */
export function frameSize(payload: number): number {
  return payload + (payload < LENGTH_16 ? 2 : payload < 0x10000 ? 4 : 10) + MASK_KEY;
}

/**
 * Writes the frame of one message, `payload` bytes long (UTF-8 bytes for text, as `byteSizeOf`
 * counted them when it was sent), into `target` at `offset`, which must have
 * `frameSize(payload)` bytes free there. Returns the offset just past the frame. The frame is
 * `payload` bytes long whatever `data` holds now (a resizable buffer may have grown or shrunk
 * since): longer data is cut, and what shorter data leaves is zeros, never stale memory.
 */
export function writeFrame(target: Buffer, offset: number, data: FrameData, payload: number): number {
  const text = typeof data === 'string';
  target[offset] = text ? TEXT : BINARY;
  let at = offset + 2;
  if (payload < LENGTH_16) target[offset + 1] = MASKED | payload;
  else if (payload < 0x10000) {
    target[offset + 1] = MASKED | LENGTH_16;
    target.writeUInt16BE(payload, at);
    at += 2;
  } else {
    target[offset + 1] = MASKED | LENGTH_64;
    // Stryker disable next-line ArithmeticOperator,MethodExpression: untestable on Node 20, whose buffers end at 4 GiB; Node 22's do not.
    target.writeUInt32BE(Math.floor(payload / 0x1_0000_0000), at);
    target.writeUInt32BE(payload >>> 0, at + 4);
    at += 8;
  }
  // Stryker disable next-line ConditionalExpression: equivalent. Drawing a batch for every frame gives keys as random, only slower.
  if (nextKey === keys.length) {
    randomFillSync(keys);
    nextKey = 0;
  }
  const k0 = (target[at] = keys[nextKey]!);
  const k1 = (target[at + 1] = keys[nextKey + 1]!);
  const k2 = (target[at + 2] = keys[nextKey + 2]!);
  const k3 = (target[at + 3] = keys[nextKey + 3]!);
  nextKey += MASK_KEY;
  at += MASK_KEY;
  const end = at + payload;
  const written = text ? target.write(data, at, payload) : copy(data, target, at, payload);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent. Filling an empty range does nothing; the test saves a call per frame.
  if (written < payload) target.fill(0, at + written, end);
  let i = at;
  for (; i + 3 < end; i += 4) {
    target[i] = target[i]! ^ k0;
    target[i + 1] = target[i + 1]! ^ k1;
    target[i + 2] = target[i + 2]! ^ k2;
    target[i + 3] = target[i + 3]! ^ k3;
  }
  const tail = end - i; // 0 to 3 bytes
  if (tail > 0) target[i] = target[i]! ^ k0;
  if (tail > 1) target[i + 1] = target[i + 1]! ^ k1;
  if (tail > 2) target[i + 2] = target[i + 2]! ^ k2;
  return end;
}

/** Copies at most `payload` bytes of `data` into `target` at `at`; returns how many. */
function copy(data: ArrayBufferLike | ArrayBufferView, target: Buffer, at: number, payload: number): number {
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, Math.min(data.byteLength, payload))
    : new Uint8Array(data, 0, Math.min(data.byteLength, payload));
  target.set(bytes, at);
  return bytes.length;
}
