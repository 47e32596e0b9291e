/**
 * The reliable-session frame format, checked against frames and verdicts written out by hand
 * (the wire format is a contract with servers written in other languages; see
 * `docs/protocol.md`). Text data frames are read both as the client holds them
 * (strings) and as the server does (their bytes).
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_SEQ,
  binaryFrame,
  isSeq,
  isSessionId,
  isTextData,
  parseControl,
  readBinaryHeader,
  readTextHeader,
  textFrame,
  type DataHeader,
} from '../../src/reliable/protocol.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What `readTextHeader` makes of `frame`: its header, or `null` when it is malformed. */
function textHeader(frame: string | Uint8Array): DataHeader | null {
  const header = { seq: -2, ack: -2, start: -2 };
  return readTextHeader(frame, header) ? header : null;
}

describe('text data frames', () => {
  const wellFormed: [string, DataHeader][] = [
    ['1:', { seq: 1, ack: -1, start: 2 }],
    ['1:payload', { seq: 1, ack: -1, start: 2 }],
    ['42,0:x', { seq: 42, ack: 0, start: 5 }],
    ['10,7::', { seq: 10, ack: 7, start: 5 }],
    ['9007199254740991,9007199254740991:', { seq: MAX_SEQ, ack: MAX_SEQ, start: 34 }],
  ];
  const malformed = [
    '', // nothing
    ':x', // no sequence number
    '0:x', // sequence numbers start at 1
    '01:x', // leading zero
    '1,01:x', // leading zero in the acknowledgement
    '1', // no colon
    '1;x', // another separator
    '1,:x', // comma without an acknowledgement
    '1,2', // acknowledgement without a colon
    '1,2,3:x', // two acknowledgements
    '9007199254740992:x', // above MAX_SEQ
    '1,9007199254740992:x',
    '12345678901234567:x', // 17 digits
    '{"t":"ack","seq":1}', // a control frame
  ];

  it.each(wellFormed)('reads %j, as a string and as bytes', (frame, expected) => {
    expect(textHeader(frame)).toEqual(expected);
    expect(textHeader(bytesOf(frame))).toEqual(expected);
    expect(isTextData(frame)).toBe(true);
    expect(isTextData(bytesOf(frame))).toBe(true);
  });

  it.each(malformed)('refuses %j, as a string and as bytes', (frame) => {
    expect(textHeader(frame)).toBeNull();
    expect(textHeader(bytesOf(frame))).toBeNull();
  });

  it('tells data frames (a digit first) from control frames and anything else', () => {
    for (const digit of '0123456789') expect(isTextData(digit)).toBe(true);
    for (const other of ['', '{', '/', ':', 'a', ' 1:x']) {
      expect(isTextData(other)).toBe(false);
      expect(isTextData(bytesOf(other))).toBe(false);
    }
  });

  it('writes the header it reads', () => {
    expect(textFrame(3, -1, 'hi')).toBe('3:hi');
    expect(textFrame(3, 0, 'hi')).toBe('3,0:hi');
    expect(textHeader(textFrame(MAX_SEQ, 5, 'x'))).toEqual({ seq: MAX_SEQ, ack: 5, start: 19 });
  });
});

describe('binary data frames', () => {
  it('lays out kind, sequence number and acknowledgement as 8-byte big-endian integers', () => {
    expect([...binaryFrame(258, -1, new Uint8Array([7]))]).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 2, 7]);
    expect([...binaryFrame(1, 2 ** 32 + 1, new Uint8Array([]))]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const frame = binaryFrame(MAX_SEQ, MAX_SEQ, new Uint8Array([9, 9]));
    expect([...frame.subarray(1, 9)]).toEqual([0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  /** What the reader makes of `bytes`, as the client holds them (an ArrayBuffer) and as the server does (a Buffer), which must agree. */
  function binaryHeader(bytes: number[]): DataHeader | null {
    const header = { seq: -2, ack: -2, start: -2 };
    const ok = readBinaryHeader(new Uint8Array(bytes).buffer, header);
    const fromBuffer = { seq: -2, ack: -2, start: -2 };
    expect(readBinaryHeader(Buffer.from([0xee, ...bytes]).subarray(1), fromBuffer)).toBe(ok);
    if (ok) expect(fromBuffer).toEqual(header);
    return ok ? header : null;
  }

  it('reads well-formed headers, at any offset of a Buffer', () => {
    expect(binaryHeader([0, 0, 0, 0, 0, 0, 0, 0, 1])).toEqual({ seq: 1, ack: -1, start: 9 });
    expect(binaryHeader([0, 0, 0, 0, 1, 0, 0, 0, 0, 0xaa])).toEqual({ seq: 2 ** 32, ack: -1, start: 9 });
    expect(binaryHeader([1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0])).toEqual({ seq: 3, ack: 0, start: 17 });
    expect(binaryHeader([0, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toEqual({ seq: MAX_SEQ, ack: -1, start: 9 });
  });

  it.each([
    ['empty', []],
    ['eight bytes', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['an unknown kind', [2, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['sequence number 0', [0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['a sequence number above MAX_SEQ', [0, 0, 0x20, 0, 0, 0, 0, 0, 0]],
    ['an acknowledgement cut short', [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]],
    ['an acknowledgement above MAX_SEQ', [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x20, 0, 0, 0, 0, 0, 0]],
  ])('refuses %s', (_, bytes) => {
    expect(binaryHeader(bytes)).toBeNull();
  });
});

describe('control frames', () => {
  const limits = { maxMessages: 1, maxBytes: 1 };
  it.each([
    ['not JSON', '{', 'a control frame that is not JSON'],
    ['an array', '[]', 'a control frame that is not a JSON object'],
    ['null', 'null', 'a control frame that is not a JSON object'],
    ['a number', '7', 'a control frame that is not a JSON object'],
    ['no type', '{}', 'a control frame of an unknown type'],
    ['an unknown type', '{"t":"hi"}', 'a control frame of an unknown type'],
    ['a hello of another protocol', JSON.stringify({ t: 'hello', protocol: 'x', v: 1, ...limits }), 'a malformed hello'],
    [
      'a hello with a limit of 0',
      JSON.stringify({ t: 'hello', protocol: 'statesock.session.v1', v: 1, maxMessages: 0, maxBytes: 1 }),
      'a malformed hello',
    ],
    ['a start losing a bad id', JSON.stringify({ t: 'start', v: 1, ...limits, lost: '' }), 'a malformed start'],
    ['a start with a fractional limit', JSON.stringify({ t: 'start', v: 1, maxMessages: 1.5, maxBytes: 1 }), 'a malformed start'],
    ['a resume with an id of spaces', JSON.stringify({ t: 'resume', v: 1, id: 'a b', seq: 0, ...limits }), 'a malformed resume'],
    ['a resume with a negative seq', JSON.stringify({ t: 'resume', v: 1, id: 'a', seq: -1, ...limits }), 'a malformed resume'],
    ['a session without resumed', JSON.stringify({ t: 'session', id: 'a', seq: 0 }), 'a malformed session'],
    ['an ack of a string', JSON.stringify({ t: 'ack', seq: '1' }), 'a malformed ack'],
    ['a bye above MAX_SEQ', JSON.stringify({ t: 'bye', seq: MAX_SEQ + 2 }), 'a malformed bye'],
  ])('says why %s is refused', (_, text, reason) => {
    expect(parseControl(text)).toBe(reason);
  });

  it.each([
    { t: 'hello', protocol: 'statesock.session.v1', v: 1, ...limits },
    { t: 'start', v: 1, ...limits },
    { t: 'start', v: 1, ...limits, lost: 'old-id' },
    { t: 'resume', v: 1, id: 'id', seq: MAX_SEQ, ...limits },
    { t: 'session', id: 'id', seq: 0, resumed: false },
    { t: 'ack', seq: 0 },
    { t: 'bye', seq: 5 },
  ])('accepts $t', (frame) => {
    expect(parseControl(JSON.stringify(frame))).toEqual(frame);
  });

  it('knows sequence numbers and session ids', () => {
    expect([0, 1, MAX_SEQ].map(isSeq)).toEqual([true, true, true]);
    expect([-1, 0.5, MAX_SEQ + 1, '1', null].map(isSeq)).toEqual([false, false, false, false, false]);
    expect(['a', '~'.repeat(128), '!'].map(isSessionId)).toEqual([true, true, true]);
    expect(['', 'x'.repeat(129), 'a b', 'é', 7].map(isSessionId)).toEqual([false, false, false, false, false]);
  });
});
