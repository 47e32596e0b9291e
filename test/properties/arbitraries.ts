/**
 * What the properties send and close with. Payloads are generated as plain specs and built
 * into fresh objects at each run, so every run tracks its own objects by identity and a
 * counterexample prints what matters (a view's offset, a lone surrogate) instead of bytes.
 */
import fc from 'fast-check';
import type { OutgoingData } from '../../src/index.js';

export type BinaryKind = 'Uint8Array' | 'DataView' | 'Int16Array' | 'Float64Array' | 'ArrayBuffer' | 'Blob';

export type PayloadSpec =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'binary';
      readonly type: BinaryKind;
      /** Bytes of the backing buffer before and after the view, so views start at offsets. */
      readonly before: number;
      readonly after: number;
      readonly bytes: readonly number[];
    };

const ELEMENT_SIZE: Record<BinaryKind, number> = { Uint8Array: 1, DataView: 1, Int16Array: 2, Float64Array: 8, ArrayBuffer: 1, Blob: 1 };

/** Raw UTF-16 code units, lone surrogates included (`unit: 'binary'` never makes those). */
const codeUnits = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })), { maxLength: 6 })
  .map((units) => String.fromCharCode(...units));

export const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }), // any code point: 1- to 4-byte UTF-8
  codeUnits,
  fc.constant(''),
  fc.string({ unit: 'grapheme-ascii', minLength: 10, maxLength: 40 }), // large enough to hit byte bounds
);

const binary = fc
  .record({
    type: fc.constantFrom<BinaryKind>('Uint8Array', 'DataView', 'Int16Array', 'Float64Array', 'ArrayBuffer', 'Blob'),
    before: fc.nat(3),
    after: fc.nat(3),
    elements: fc.nat(5),
    seed: fc.nat(255),
  })
  .map(({ type, before, after, elements, seed }): PayloadSpec => {
    // Offsets and lengths in whole elements, as typed arrays require.
    const size = ELEMENT_SIZE[type];
    const bytes = Array.from({ length: elements * size }, (_, i) => (seed + 37 * i) & 0xff);
    const offsets = type === 'ArrayBuffer' || type === 'Blob' ? { before: 0, after: 0 } : { before: before * size, after: after * size };
    return { kind: 'binary', type, bytes, ...offsets };
  });

export const payload: fc.Arbitrary<PayloadSpec> = fc.oneof(
  { weight: 3, arbitrary: text.map((t): PayloadSpec => ({ kind: 'text', text: t })) },
  { weight: 2, arbitrary: binary },
);

/** A fresh object (or string) for `spec`: the view sits at its offset in a larger buffer. */
export function build(spec: PayloadSpec): OutgoingData {
  if (spec.kind === 'text') return spec.text;
  const buffer = new ArrayBuffer(spec.before + spec.bytes.length + spec.after);
  const whole = new Uint8Array(buffer);
  whole.fill(0xee); // bytes outside the view must never be sent
  whole.set(spec.bytes, spec.before);
  const length = spec.bytes.length;
  switch (spec.type) {
    case 'Uint8Array':
      return new Uint8Array(buffer, spec.before, length);
    case 'DataView':
      return new DataView(buffer, spec.before, length);
    case 'Int16Array':
      return new Int16Array(buffer, spec.before, length / 2);
    case 'Float64Array':
      return new Float64Array(buffer, spec.before, length / 8);
    case 'ArrayBuffer':
      return buffer;
    case 'Blob':
      return new Blob([whole]);
  }
}

/** A string as a JavaScript literal with everything outside printable ASCII escaped, so a lone surrogate shows. */
export function quote(text: string): string {
  // By code point, as the escapes are.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points, not graphemes, are what is escaped
  return `"${[...text].map((c) => (c >= ' ' && c <= '~' && c !== '"' && c !== '\\' ? c : escapeUnits(c))).join('')}"`;
}

function escapeUnits(c: string): string {
  return Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
}

export function describePayload(spec: PayloadSpec): string {
  if (spec.kind === 'text') return `text ${quote(spec.text)}`;
  if (spec.type === 'ArrayBuffer' || spec.type === 'Blob') return `${spec.type}(${spec.bytes.length} bytes)`;
  return `${spec.type}(${spec.bytes.length} bytes at offset ${spec.before} of a ${spec.before + spec.bytes.length + spec.after}-byte buffer)`;
}

/** UTF-8 bytes as the standard counts them: lone surrogates become U+FFFD (3 bytes). */
export function byteSize(data: OutgoingData): number {
  if (typeof data === 'string') return new TextEncoder().encode(data).byteLength;
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

/** The bytes of binary data as it is now (the view's window only). */
export function bytesOf(data: Exclude<OutgoingData, string | Blob>): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** Whether `wire` carries the same message as `original`: equal text, equal bytes, or the same Blob. */
export function sameContent(wire: unknown, original: OutgoingData): boolean {
  if (typeof original === 'string' || original instanceof Blob) return wire === original;
  if (!(wire instanceof ArrayBuffer) && !ArrayBuffer.isView(wire)) return false;
  const a = bytesOf(wire);
  const b = bytesOf(original);
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Arguments to `close()`, with what the standard normalizes them to (WHATWG WebSockets, `close()`). */
export interface CloseArgsSpec {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  /** What the transport must be asked to close with, or the `DOMException` name `close()` throws. */
  readonly expected: { readonly code: number | undefined; readonly reason: string | undefined } | { readonly throws: string };
}

const validCode = fc.oneof(fc.constant(1000), fc.integer({ min: 3000, max: 4999 }));
/** `[Clamp] unsigned short` rounds half to even: these land on valid codes. */
const clampedToValid = fc.constantFrom([999.5, 1000], [1000.5, 1000], [2999.5, 3000], [4999.4, 4999]);
const invalidCode = fc.oneof(
  fc.integer({ min: 0, max: 999 }),
  fc.integer({ min: 1001, max: 2999 }),
  fc.integer({ min: 5000, max: 65535 }),
  fc.constantFrom(-1, 70000, Number.NaN, 1000.6, 4999.5),
);
/** Up to 123 UTF-8 bytes after lone surrogates become U+FFFD. */
const validReason = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  codeUnits,
  fc.constantFrom('a'.repeat(123), `${'é'.repeat(61)}a`, '\uD800'.repeat(41)),
);
const invalidReason = fc.constantFrom('a'.repeat(124), 'é'.repeat(62), '\uDC00'.repeat(42), '😀'.repeat(31));

export const validClose: fc.Arbitrary<CloseArgsSpec> = fc.oneof(
  fc.constant({ code: undefined, reason: undefined, expected: { code: undefined, reason: undefined } }),
  validCode.map((code) => ({ code, reason: undefined, expected: { code, reason: undefined } })),
  clampedToValid.map(([code, normalized]) => ({ code, reason: undefined, expected: { code: normalized, reason: undefined } })),
  fc.tuple(validCode, validReason).map(([code, reason]) => ({ code, reason, expected: { code, reason: reason.toWellFormed() } })),
  // A non-empty reason needs a code on the wire: the standard supplies 1000; an empty one sends
  // a Close frame without a body (WHATWG WebSockets, "close the WebSocket").
  validReason.map((reason) => ({
    code: undefined,
    reason,
    expected: reason === '' ? { code: undefined, reason: undefined } : { code: 1000, reason: reason.toWellFormed() },
  })),
);

export const invalidClose: fc.Arbitrary<CloseArgsSpec> = fc.oneof(
  fc.tuple(invalidCode, fc.option(fc.oneof(validReason, invalidReason), { nil: undefined })).map(([code, reason]) => ({
    code,
    reason,
    expected: { throws: 'InvalidAccessError' }, // the code is checked first
  })),
  fc.tuple(fc.option(validCode, { nil: undefined }), invalidReason).map(([code, reason]) => ({
    code,
    reason,
    expected: { throws: 'SyntaxError' },
  })),
);

export function describeClose({ code, reason, expected }: CloseArgsSpec): string {
  const args = [code, reason === undefined ? undefined : quote(reason)].filter((arg) => arg !== undefined).join(', ');
  return 'throws' in expected ? `close(${args}) [throws ${expected.throws}]` : `close(${args})`;
}
