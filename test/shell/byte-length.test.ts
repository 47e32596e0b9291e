import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteSizeOf, countUtf8Bytes, isOutgoingData, utf8ByteLength } from '../../src/byte-length.js';

describe('byte sizes', () => {
  it('counts strings as UTF-8 bytes, lone surrogates as U+FFFD, like TextEncoder', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        // Whole code points, and raw UTF-16 code units (which give lone surrogates).
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.nat(0xffff).map((unit) => String.fromCharCode(unit)) })),
        (text) => {
          const expected = encoder.encode(text).byteLength;
          expect(countUtf8Bytes(text)).toBe(expected);
          expect(utf8ByteLength(text)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
    expect(countUtf8Bytes('\uDC00\uD800')).toBe(6);
  });

  it.each([
    ['\x7f', 1],
    ['\x80', 2],
    ['\u07ff', 2],
    ['\u0800', 3],
    ['\uffff', 3],
    ['\uD83D\uDE00', 4], // a surrogate pair
    ['\uDBFF\uDFFF', 4],
    ['\uD800', 3], // a lone high surrogate, at the end
    ['\uD800x', 4],
    ['\uD800\uD800\uDC00', 7],
  ])('counts %j at the boundaries as %i bytes', (text, bytes) => {
    expect([countUtf8Bytes(text), new TextEncoder().encode(text).byteLength]).toEqual([bytes, bytes]);
  });

  it('counts views by their own length, not their buffer', () => {
    expect(byteSizeOf(new Uint16Array(new ArrayBuffer(64), 8, 4))).toBe(8);
    expect(byteSizeOf(new DataView(new ArrayBuffer(10), 3))).toBe(7);
    expect(byteSizeOf(new ArrayBuffer(5))).toBe(5);
    expect(byteSizeOf(new Blob(['héllo']))).toBe(6);
  });

  it('accepts strings, buffers (shared ones too), views and blobs, and nothing else', () => {
    const accepted = [
      '',
      new ArrayBuffer(1),
      new SharedArrayBuffer(2),
      new Uint8Array(3),
      new DataView(new ArrayBuffer(4)),
      new Blob(['x']),
    ];
    expect(accepted.map(isOutgoingData)).toEqual(accepted.map(() => true));
    expect([1, null, undefined, {}, [], { byteLength: 3 }].map(isOutgoingData)).toEqual([false, false, false, false, false, false]);
    expect(byteSizeOf(new SharedArrayBuffer(6))).toBe(6);
  });
});
