/**
 * The reliable-session protocol, version 1, as both sides speak it (`docs/protocol.md` is its
 * specification): the subprotocol token a client offers, the close codes, the control frames,
 * and the data frames that carry an application message with its sequence number (and, when
 * one is due, a piggybacked acknowledgement).
 *
 * Browser-safe: no `Buffer`. The server (`src/server/`) encodes with `Buffer` on its own hot
 * path, to the same bytes.
 */

/** The subprotocol a client offers (last, after the application's own) to ask for a session. */
export const SESSION_PROTOCOL = 'statesock.session.v1';

/** The protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;

/** Close codes and the cause each one's reason carries (`docs/protocol.md`, "Errors"). */
export const CLOSE_CODES = {
  /** A malformed or unexpected frame: bad JSON, an unknown type, data before the session, an unsupported version. */
  'protocol-error': 4400,
  /** A resume named a session the server does not know. */
  'unknown-session': 4404,
  /** The session was resumed on another socket; this one is fenced off. */
  superseded: 4409,
  /** A resume named a session that expired. */
  'expired-session': 4410,
  /** A data frame skipped a number. */
  'sequence-gap': 4416,
  /** An acknowledgement beyond what was sent, or behind one already given. */
  'bad-ack': 4417,
} as const;

export type ProtocolCause = keyof typeof CLOSE_CODES;

/** The cause a session close code stands for, or `undefined` for any other code. */
export function causeOfCode(code: number): ProtocolCause | undefined {
  for (const [cause, value] of Object.entries(CLOSE_CODES)) if (value === code) return cause as ProtocolCause;
  return undefined;
}

/** The largest sequence number: beyond it a counter would stop being exact. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Control frames: JSON objects tagged by `t`, sent as text frames that start with `{`. */
export type ControlFrame =
  | {
      readonly t: 'hello';
      readonly protocol: typeof SESSION_PROTOCOL;
      readonly v: number;
      readonly maxMessages: number;
      readonly maxBytes: number;
    }
  | { readonly t: 'start'; readonly v: number; readonly maxMessages: number; readonly maxBytes: number; readonly lost?: string }
  | {
      readonly t: 'resume';
      readonly v: number;
      readonly id: string;
      readonly seq: number;
      readonly maxMessages: number;
      readonly maxBytes: number;
    }
  | { readonly t: 'session'; readonly id: string; readonly seq: number; readonly resumed: boolean }
  | { readonly t: 'ack'; readonly seq: number }
  | { readonly t: 'bye'; readonly seq: number };

/** Whether `value` is a sequence number (or an acknowledgement, which may be 0): an integer in [0, MAX_SEQ]. */
export function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEQ;
}

/** Session ids are opaque printable ASCII, 1 to 128 characters. */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 128 && /^[\x21-\x7e]+$/.test(value);
}

const isLimit = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

/**
 * Parses a control frame, or says why it is not one (the answer is then a close with
 * `protocol-error`). Only the fields a type defines are read; others are ignored, so that a
 * later minor version may add some.
 */
export function parseControl(text: string): ControlFrame | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'a control frame that is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a control frame that is not a JSON object';
  const frame = value as Record<string, unknown>;
  switch (frame['t']) {
    case 'hello':
      return frame['protocol'] === SESSION_PROTOCOL && isSeq(frame['v']) && isLimit(frame['maxMessages']) && isLimit(frame['maxBytes'])
        ? (frame as ControlFrame)
        : 'a malformed hello';
    case 'start':
      return isSeq(frame['v']) &&
        isLimit(frame['maxMessages']) &&
        isLimit(frame['maxBytes']) &&
        (frame['lost'] === undefined || isSessionId(frame['lost']))
        ? (frame as ControlFrame)
        : 'a malformed start';
    case 'resume':
      return isSeq(frame['v']) &&
        isSessionId(frame['id']) &&
        isSeq(frame['seq']) &&
        isLimit(frame['maxMessages']) &&
        isLimit(frame['maxBytes'])
        ? (frame as ControlFrame)
        : 'a malformed resume';
    case 'session':
      return isSessionId(frame['id']) && isSeq(frame['seq']) && typeof frame['resumed'] === 'boolean'
        ? (frame as ControlFrame)
        : 'a malformed session';
    case 'ack':
    case 'bye':
      return isSeq(frame['seq']) ? (frame as ControlFrame) : `a malformed ${frame['t']}`;
    default:
      return 'a control frame of an unknown type';
  }
}

/** Encodes a control frame. */
export function controlFrame(frame: ControlFrame): string {
  return JSON.stringify(frame);
}

/** A data frame's header: its sequence number, the piggybacked acknowledgement (or -1 for none), and where the payload starts. */
export interface DataHeader {
  seq: number;
  ack: number;
  start: number;
}

/** Binary data frames start with one of these bytes; then the sequence number (and the acknowledgement) as 8-byte big-endian integers. */
export const BINARY_DATA = 0x00;
export const BINARY_DATA_WITH_ACK = 0x01;

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const COLON = 58;
const COMMA = 44;

/**
 * A text data frame as the receiver holds it: a string in browsers and the client, the frame's
 * UTF-8 bytes on the server (`ws` hands it a `Buffer`; the header is ASCII, so its bytes and its
 * characters are the same, and only the payload needs decoding).
 */
export type TextFrame = string | Uint8Array;

/** The character code at `i`, or NaN past the end (which no comparison below matches). */
function codeAt(frame: TextFrame, i: number): number {
  return typeof frame === 'string' ? frame.charCodeAt(i) : (frame[i] ?? Number.NaN);
}

/** Whether a text frame is a data frame (it starts with a digit) rather than a control frame (`{`). */
export function isTextData(frame: TextFrame): boolean {
  const first = codeAt(frame, 0);
  return first >= DIGIT_0 && first <= DIGIT_9;
}

/**
 * Reads a text data frame's header, `seq[,ack]:`, into `into`; returns whether it is well
 * formed (decimal integers without leading zeros, a sequence number of at least 1).
 */
export function readTextHeader(frame: TextFrame, into: DataHeader): boolean {
  const seq = readNumber(frame, 0);
  if (seq < 1) return false;
  let i = numberEnd;
  let ack = -1;
  if (codeAt(frame, i) === COMMA) {
    ack = readNumber(frame, i + 1);
    if (ack < 0) return false;
    i = numberEnd;
  }
  if (codeAt(frame, i) !== COLON) return false;
  into.seq = seq;
  into.ack = ack;
  into.start = i + 1;
  return true;
}

/** Where the last `readNumber` stopped. */
let numberEnd = 0;

/** The decimal integer at `from`, or -1 if there is none, it has a leading zero, or it exceeds `MAX_SEQ`. */
function readNumber(frame: TextFrame, from: number): number {
  let value = 0;
  let i = from;
  for (; i < frame.length && i - from < 17; i++) {
    const code = codeAt(frame, i);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    value = value * 10 + (code - DIGIT_0);
  }
  numberEnd = i;
  const digits = i - from;
  if (digits === 0 || digits > 16 || (digits > 1 && codeAt(frame, from) === DIGIT_0) || value > MAX_SEQ) return -1;
  return value;
}

/** The text data frame for message `seq` carrying `payload`, with `ack` piggybacked unless it is negative. */
export function textFrame(seq: number, ack: number, payload: string): string {
  return ack < 0 ? `${seq}:${payload}` : `${seq},${ack}:${payload}`;
}

/** The length of a binary data frame's header: 9 bytes, or 17 with an acknowledgement. */
function binaryHeaderLength(ack: number): number {
  return ack < 0 ? 9 : 17;
}

/** Writes a binary data frame's header at the start of `frame`, which is at least `binaryHeaderLength(ack)` long. */
function writeBinaryHeader(frame: Uint8Array, seq: number, ack: number): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  frame[0] = ack < 0 ? BINARY_DATA : BINARY_DATA_WITH_ACK;
  writeUint64(view, 1, seq);
  if (ack >= 0) writeUint64(view, 9, ack);
}

/** The binary data frame for message `seq` carrying `payload`, with `ack` piggybacked unless it is negative. */
export function binaryFrame(seq: number, ack: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const length = binaryHeaderLength(ack);
  const frame = new Uint8Array(length + payload.byteLength);
  writeBinaryHeader(frame, seq, ack);
  frame.set(payload, length);
  return frame;
}

/**
 * Reads a binary data frame's header into `into`; returns whether it is well formed. The client
 * holds the frame as an `ArrayBuffer`, the server as the `Buffer` `ws` hands it.
 */
export function readBinaryHeader(frame: ArrayBuffer | Uint8Array, into: DataHeader): boolean {
  const bytes = frame instanceof Uint8Array ? new DataView(frame.buffer, frame.byteOffset, frame.byteLength) : new DataView(frame);
  if (bytes.byteLength < 9) return false;
  const kind = bytes.getUint8(0);
  if (kind !== BINARY_DATA && kind !== BINARY_DATA_WITH_ACK) return false;
  const seq = readUint64(bytes, 1);
  if (seq < 1) return false;
  let ack = -1;
  if (kind === BINARY_DATA_WITH_ACK) {
    if (bytes.byteLength < 17) return false;
    ack = readUint64(bytes, 9);
    if (ack < 0) return false;
  }
  into.seq = seq;
  into.ack = ack;
  into.start = kind === BINARY_DATA ? 9 : 17;
  return true;
}

function writeUint64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 4, value >>> 0);
}

/** The integer, or -1 when it exceeds `MAX_SEQ`. */
function readUint64(view: DataView, offset: number): number {
  const high = view.getUint32(offset);
  if (high >= 2 ** 21) return -1;
  return high * 2 ** 32 + view.getUint32(offset + 4);
}
