import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteSizeOf, countUtf8Bytes, utf8ByteLength } from '../../src/byte-length.js';

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

  it('counts views by their own length, not their buffer', () => {
    expect(byteSizeOf(new Uint16Array(new ArrayBuffer(64), 8, 4))).toBe(8);
    expect(byteSizeOf(new DataView(new ArrayBuffer(10), 3))).toBe(7);
    expect(byteSizeOf(new ArrayBuffer(5))).toBe(5);
    expect(byteSizeOf(new Blob(['héllo']))).toBe(6);
  });
});
