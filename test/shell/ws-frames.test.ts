/**
 * The client frames the `ws` transport writes itself, read back by `ws`'s own server-side
 * `Receiver` (`test/support/ws-receiver.ts`): the oracle is the parser every `ws` server runs,
 * not code of this library.
 */
import { describe, expect, it, vi } from 'vitest';
import { byteSizeOf } from '../../src/byte-length.js';
import { type FrameData, frameSize, writeFrame } from '../../src/transports/ws-frames.js';
import { readFrames, type ReceivedMessage } from '../support/ws-receiver.js';

const receive = (frames: Buffer) => readFrames([frames]);

/** `messages` framed side by side into one buffer, as the transport gathers a task's frames. */
function frameAll(messages: readonly FrameData[]): Buffer {
  const sizes = messages.map((message) => byteSizeOf(message));
  const target = Buffer.alloc(sizes.reduce((sum, size) => sum + frameSize(size), 0));
  let offset = 0;
  messages.forEach((message, i) => (offset = writeFrame(target, offset, message, sizes[i]!)));
  expect(offset).toBe(target.length);
  return target;
}

function payloadOf(message: FrameData): ReceivedMessage {
  if (typeof message === 'string') return { text: true, bytes: Buffer.from(message).toString('base64') };
  const view = ArrayBuffer.isView(message) ? message : new Uint8Array(message);
  return { text: false, bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64') };
}

describe('ws frames', () => {
  it('sizes a frame by its payload: 2 bytes of header to 125, 4 to 65,535, 10 beyond, and 4 of masking key', () => {
    expect([0, 125, 126, 65_535, 65_536, 2 ** 32 + 1].map(frameSize)).toEqual([6, 131, 134, 65_543, 65_550, 2 ** 32 + 15]);
  });

  it('frames text of every length class, read back by ws as the same text', async () => {
    const texts = [0, 1, 2, 3, 4, 5, 125, 126, 127, 65_535, 65_536, 70_001].map((length) => 'abcdefg'.repeat(10_001).slice(0, length));
    const { messages, error } = await receive(frameAll(texts));
    expect(error).toBeUndefined();
    expect(messages).toEqual(texts.map(payloadOf));
  });

  it('encodes text as UTF-8, a lone surrogate as U+FFFD, as byteSizeOf counts it', async () => {
    const texts = ['é', '€uro', '😀', 'a\uD800b', '\uDC00', 'ü'.repeat(63) + '€'];
    const { messages, error } = await receive(frameAll(texts));
    expect(error).toBeUndefined();
    const decoded = messages.map(({ bytes }) => Buffer.from(bytes, 'base64').toString());
    expect(decoded).toEqual(texts.map((text) => Buffer.from(text).toString()));
    expect(decoded).toContain('a\uFFFDb');
  });

  it('frames binary data of every kind as the bytes it views, and only those', async () => {
    const backing = new Uint8Array(300).map((_, i) => i % 251);
    const shared = new SharedArrayBuffer(3);
    new Uint8Array(shared).set([7, 8, 9]);
    const binaries: FrameData[] = [
      backing.buffer,
      backing.subarray(5, 9),
      new DataView(backing.buffer, 130, 126),
      new Uint16Array(backing.buffer, 10, 3),
      new Float64Array([1.5]),
      Buffer.from('buf'),
      shared,
      new Uint8Array(0),
    ];
    const { messages, error } = await receive(frameAll(binaries));
    expect(error).toBeUndefined();
    expect(messages).toEqual(binaries.map(payloadOf));
  });

  it('leaves the data it frames as it was: the payload is masked in the frame, not in the source', () => {
    const source = new Uint8Array([1, 2, 3, 4, 5]);
    const target = Buffer.alloc(frameSize(5));
    writeFrame(target, 0, source, 5);
    expect([...source]).toEqual([1, 2, 3, 4, 5]);
  });

  it('masks every frame (the receiver refuses one that is not) with a key of its own, drawn afresh past the first 2,048', async () => {
    const count = 5_000;
    const frames = frameAll(Array.from({ length: count }, () => 'same'));
    const keys = new Set<string>();
    for (let offset = 0; offset < frames.length; offset += frameSize(4)) {
      expect(frames[offset + 1]! & 0x80).toBe(0x80);
      keys.add(frames.subarray(offset + 2, offset + 6).toString('hex'));
    }
    // 5,000 keys of 32 random bits: a repeat has odds of about 1 in 340; a pool never refilled repeats 2,952 of them.
    expect(keys.size).toBeGreaterThan(count - 3);
    const { messages, error } = await receive(frames);
    expect(error).toBeUndefined();
    expect(messages).toHaveLength(count);
  });

  it('writes exactly the payload it was given: data that grew since is cut, and what data that shrank leaves is zeros', async () => {
    // Stale bytes where the frames go: none of them may be sent.
    const frames = Buffer.alloc(frameSize(4) + frameSize(5) + frameSize(3), 0xee);
    let offset = writeFrame(frames, 0, new Uint8Array([1, 2]), 4);
    offset = writeFrame(frames, offset, 'hé', 5);
    expect(writeFrame(frames, offset, new Uint8Array([1, 2, 3, 4, 5]), 3)).toBe(frames.length);
    const { messages, error } = await receive(frames);
    expect(error).toBeUndefined();
    expect(messages).toEqual([payloadOf(new Uint8Array([1, 2, 0, 0])), payloadOf('hé\0\0'), payloadOf(new Uint8Array([1, 2, 3]))]);
  });

  it('masks the very first frame a process writes with a drawn key too', async () => {
    vi.resetModules();
    const fresh = await import('../../src/transports/ws-frames.js');
    const frame = Buffer.alloc(fresh.frameSize(1));
    fresh.writeFrame(frame, 0, 'x', 1);
    // Four random bytes all zero: odds of 1 in 4 billion.
    expect(frame.readUInt32BE(2)).not.toBe(0);
    expect((await receive(frame)).messages).toEqual([payloadOf('x')]);
  });

  it('draws each frame’s key afresh: no byte of it repeats one of the previous key’s more often than chance', () => {
    const count = 5_000;
    const frames = frameAll(Array.from({ length: count }, () => 'k'));
    const keyAt = (n: number) => frames.subarray(n * frameSize(1) + 2, n * frameSize(1) + 6);
    const repeats = Array.from({ length: 16 }, () => 0); // [position in this key × 4 + position in the previous one]
    for (let n = 1; n < count; n++) {
      const [key, previous] = [keyAt(n), keyAt(n - 1)];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (key[i] === previous[j]) repeats[i * 4 + j]!++;
    }
    // By chance about 20 of 5,000 for each pair (1 in 256); a key that reuses the last one's bytes repeats nearly all.
    expect(Math.max(...repeats)).toBeLessThan(100);
  });

  it('leaves the bytes after the frame alone, whatever the payload’s length past a multiple of 4', () => {
    for (let length = 0; length <= 8; length++) {
      const target = Buffer.alloc(frameSize(length) + 8, 0xee);
      expect(writeFrame(target, 0, 'p'.repeat(length), length)).toBe(frameSize(length));
      expect([...target.subarray(frameSize(length))]).toEqual(Array.from({ length: 8 }, () => 0xee));
    }
  });

  it('writes at the offset given, leaving the bytes before it alone', async () => {
    const target = Buffer.alloc(3 + frameSize(2), 0xee);
    expect(writeFrame(target, 3, 'hi', 2)).toBe(target.length);
    expect([...target.subarray(0, 3)]).toEqual([0xee, 0xee, 0xee]);
    expect((await receive(target.subarray(3))).messages).toEqual([payloadOf('hi')]);
  });
});
