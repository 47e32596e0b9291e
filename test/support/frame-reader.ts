/**
 * Reads the client→server bytes of one WebSocket connection as a middlebox sees them, in chunks
 * split anywhere: the HTTP upgrade request first (up to its blank line), then client frames
 * (RFC 6455 §5.2: always masked, with a 7-, 16- or 64-bit payload length). Each complete data
 * message (text or binary, fragments reassembled) is unmasked and handed on with the bytes its
 * frames took on the wire; control frames (ping, pong, close) are skipped.
 *
 * The resilience tests run one at each end of the fault proxy's upstream direction, so they know
 * exactly which messages reached the proxy and which it passed on (`upstream-traffic.ts`).
 * Extensions are not read: a frame with RSV bits set (permessage-deflate) is reported as a
 * problem rather than misread, since its payload would not carry the message's number.
 */

/** One data message read from the stream. */
export interface ReadMessage {
  readonly payload: Buffer;
  readonly binary: boolean;
  /** Every byte its frames took on the wire: headers, masking keys and payload. */
  readonly frameBytes: number;
}

const END_OF_HEAD = Buffer.from('\r\n\r\n');
const CONTINUATION = 0x0;
const TEXT = 0x1;
const BINARY = 0x2;

/** The bytes a client frame carrying `payloadBytes` in one frame takes on the wire (RFC 6455 §5.2). */
export function clientFrameBytes(payloadBytes: number): number {
  const extended = payloadBytes < 126 ? 0 : payloadBytes < 65_536 ? 2 : 8;
  return 2 + extended + 4 + payloadBytes;
}

type Phase =
  /** Inside the upgrade request; `matched` bytes of its end (`\r\n\r\n`) seen so far. */
  | { readonly kind: 'head'; matched: number }
  /** Collecting a frame header, whose length is known once its first two bytes are in. */
  | { readonly kind: 'header' }
  /** Inside a frame's payload, `left` bytes to go. */
  | { readonly kind: 'payload'; readonly control: boolean; readonly fin: boolean; readonly mask: Buffer; left: number; offset: number };

export class FrameReader {
  readonly #onMessage: (message: ReadMessage) => void;
  /** Framing the reader could not follow; it stops reading at the first. */
  readonly problems: string[] = [];
  #phase: Phase = { kind: 'head', matched: 0 };
  /** The header bytes of the frame being read, at most 14. */
  #header = Buffer.alloc(14);
  #headerBytes = 0;
  /** The message being reassembled: its unmasked pieces, kind and wire bytes so far. */
  #pieces: Buffer[] = [];
  #binary = false;
  #inMessage = false;
  #messageFrameBytes = 0;

  constructor(onMessage: (message: ReadMessage) => void) {
    this.#onMessage = onMessage;
  }

  /** Reads the next bytes of the stream. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.problems.length === 0) {
      const phase = this.#phase;
      if (phase.kind === 'head') at = this.#readHead(phase, chunk, at);
      else if (phase.kind === 'header') at = this.#readHeader(chunk, at);
      else at = this.#readPayload(phase, chunk, at);
    }
  }

  #readHead(phase: Extract<Phase, { kind: 'head' }>, chunk: Buffer, at: number): number {
    for (let i = at; i < chunk.length; i++) {
      // `\r\n\r\n` has no proper prefix that is also its suffix except a lone `\r`, so on a
      // mismatch the match restarts at 1 if this byte is `\r`, else at 0.
      if (chunk[i] === END_OF_HEAD[phase.matched]) phase.matched++;
      else phase.matched = chunk[i] === 0x0d ? 1 : 0;
      if (phase.matched === END_OF_HEAD.length) {
        this.#phase = { kind: 'header' };
        return i + 1;
      }
    }
    return chunk.length;
  }

  #readHeader(chunk: Buffer, at: number): number {
    const header = this.#header;
    while (at < chunk.length) {
      header[this.#headerBytes++] = chunk[at++]!;
      if (this.#headerBytes < 2) continue;
      if ((header[1]! & 0x80) === 0) {
        this.problems.push('an unmasked client frame');
        return chunk.length;
      }
      const length7 = header[1]! & 0x7f;
      const needed = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + 4;
      if (this.#headerBytes === needed) {
        this.#startFrame(needed);
        return at;
      }
    }
    return at;
  }

  #startFrame(headerBytes: number): void {
    const header = this.#header;
    const fin = (header[0]! & 0x80) !== 0;
    const rsv = header[0]! & 0x70;
    const opcode = header[0]! & 0x0f;
    const length7 = header[1]! & 0x7f;
    this.#headerBytes = 0;
    if (rsv !== 0) return void this.problems.push(`a frame with RSV bits ${rsv >> 4} set (an extension this reader does not decode)`);
    const length = length7 === 126 ? header.readUInt16BE(2) : length7 === 127 ? Number(header.readBigUInt64BE(2)) : length7;
    const control = opcode >= 0x8;
    if (!control) {
      if (opcode === CONTINUATION ? !this.#inMessage : this.#inMessage || (opcode !== TEXT && opcode !== BINARY)) {
        return void this.problems.push(
          `a data frame with opcode ${opcode} where ${this.#inMessage ? 'a continuation' : 'a new message'} was due`,
        );
      }
      if (opcode !== CONTINUATION) {
        this.#inMessage = true;
        this.#binary = opcode === BINARY;
      }
      this.#messageFrameBytes += headerBytes + length;
    }
    const mask = Buffer.from(header.subarray(headerBytes - 4, headerBytes));
    const frame: Extract<Phase, { kind: 'payload' }> = { kind: 'payload', control, fin, mask, left: length, offset: 0 };
    this.#phase = frame;
    if (length === 0) this.#endFrame(frame);
  }

  #readPayload(frame: Extract<Phase, { kind: 'payload' }>, chunk: Buffer, at: number): number {
    const take = Math.min(frame.left, chunk.length - at);
    if (!frame.control) {
      const piece = Buffer.from(chunk.subarray(at, at + take));
      for (let i = 0; i < piece.length; i++) piece[i]! ^= frame.mask[(frame.offset + i) & 3]!;
      this.#pieces.push(piece);
    }
    frame.left -= take;
    frame.offset += take;
    if (frame.left === 0) this.#endFrame(frame);
    return at + take;
  }

  #endFrame(frame: Extract<Phase, { kind: 'payload' }>): void {
    this.#phase = { kind: 'header' };
    if (frame.control || !frame.fin) return;
    const message: ReadMessage = { payload: Buffer.concat(this.#pieces), binary: this.#binary, frameBytes: this.#messageFrameBytes };
    this.#pieces = [];
    this.#inMessage = false;
    this.#messageFrameBytes = 0;
    this.#onMessage(message);
  }
}
