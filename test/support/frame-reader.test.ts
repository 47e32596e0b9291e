/**
 * The proxy's frame reader against frames made by `ws`'s own sender (masked, as a client sends
 * them), so the reader is checked against another implementation rather than against itself:
 * every payload length encoding, fragments with a ping between them, empty messages, and the
 * upgrade request before them, with the stream split at every byte boundary.
 */
import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { clientFrameBytes, FrameReader, type ReadMessage } from './frame-reader.js';

interface FrameOptions {
  readonly fin: boolean;
  readonly opcode: number;
  readonly mask: true;
  readonly readOnly: false;
  readonly rsv1?: boolean;
}
/** `ws`'s framing, which its client uses for every send (not in `@types/ws`). */
const Sender = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender;

const UPGRADE = Buffer.from('GET /?client=3&attempt=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');

function frame(payload: Buffer, opcode: number, fin = true, rsv1 = false): Buffer {
  // `ws` masks the payload in place: hand it a copy.
  return Buffer.concat(Sender.frame(Buffer.from(payload), { fin, opcode, mask: true, readOnly: false, rsv1 }));
}

const text = (s: string) => frame(Buffer.from(s), 0x1);

/** Reads `chunks` in turn and returns what the reader made of them. */
function read(...chunks: Buffer[]): { messages: { text: string; binary: boolean; frameBytes: number }[]; problems: string[] } {
  const messages: ReadMessage[] = [];
  const reader = new FrameReader((message) => messages.push(message));
  for (const chunk of chunks) reader.push(chunk);
  return {
    messages: messages.map((m) => ({ text: m.payload.toString('latin1'), binary: m.binary, frameBytes: m.frameBytes })),
    problems: reader.problems,
  };
}

const small = Buffer.from('x'.repeat(125));
const medium = Buffer.from('y'.repeat(300));
const fragmentHead = Buffer.from('frag');
const fragmentTail = Buffer.from('mented');
const binary = Buffer.from([0, 1, 2, 250, 255]);

/** A stream with every frame shape but the 64-bit length, small enough to split at every boundary. */
const stream = Buffer.concat([
  UPGRADE,
  text('3:0'),
  frame(small, 0x1),
  frame(medium, 0x1),
  frame(Buffer.alloc(0), 0x1),
  frame(fragmentHead, 0x1, false),
  frame(Buffer.from('are you there'), 0x9), // a ping between fragments
  frame(Buffer.alloc(0), 0x0, false),
  frame(fragmentTail, 0x0, true),
  frame(binary, 0x2),
  frame(Buffer.from([0x03, 0xe8]), 0x8), // close 1000
]);

const expected = [
  { text: '3:0', binary: false, frameBytes: 2 + 4 + 3 },
  { text: small.toString(), binary: false, frameBytes: 2 + 4 + 125 },
  { text: medium.toString(), binary: false, frameBytes: 2 + 2 + 4 + 300 },
  { text: '', binary: false, frameBytes: 2 + 4 },
  { text: 'fragmented', binary: false, frameBytes: 6 + 4 + 6 + 0 + 6 + 6 },
  { text: binary.toString('latin1'), binary: true, frameBytes: 6 + 5 },
];

describe('FrameReader', () => {
  it('reads every message of a client stream in one chunk, with the bytes its frames took', () => {
    expect(read(stream)).toEqual({ messages: expected, problems: [] });
  });

  it('reads the same whatever byte boundary splits the stream', () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(read(stream.subarray(0, at), stream.subarray(at)), `split at byte ${at}`).toEqual({ messages: expected, problems: [] });
    }
  });

  it('reads the same a byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(read(...bytes)).toEqual({ messages: expected, problems: [] });
  });

  it('reads a payload with a 64-bit length, split anywhere in its header, its masking key or its payload', () => {
    const large = Buffer.alloc(70_000, 'z');
    const whole = Buffer.concat([UPGRADE, frame(large, 0x2), text('3:1')]);
    const want = {
      messages: [
        { text: large.toString(), binary: true, frameBytes: 2 + 8 + 4 + 70_000 },
        { text: '3:1', binary: false, frameBytes: 9 },
      ],
      problems: [],
    };
    const headerStart = UPGRADE.length;
    const splits = [
      ...Array.from({ length: 20 }, (_, i) => headerStart - 2 + i),
      headerStart + 14 + 1,
      headerStart + 14 + 35_001,
      whole.length - 9,
      whole.length - 1,
    ];
    for (const at of splits) expect(read(whole.subarray(0, at), whole.subarray(at)), `split at byte ${at}`).toEqual(want);
    expect(read(...Array.from({ length: Math.ceil(whole.length / 7) }, (_, i) => whole.subarray(i * 7, i * 7 + 7)))).toEqual(want);
  });

  it('counts the wire bytes of a one-frame client message as ws frames it, for every length encoding', () => {
    for (const length of [0, 1, 125, 126, 65_535, 65_536, 70_000]) {
      expect(clientFrameBytes(length), `${length} bytes`).toBe(frame(Buffer.alloc(length), 0x2).length);
    }
  });

  it('reports a compressed frame instead of misreading its payload', () => {
    expect(read(UPGRADE, frame(Buffer.from('3:0'), 0x1, true, true)).problems).toEqual([expect.stringMatching(/RSV bits/)]);
  });

  it('reports an unmasked frame, which no client may send', () => {
    expect(read(UPGRADE, Buffer.from([0x81, 0x01, 0x61])).problems).toEqual(['an unmasked client frame']);
  });

  it('reads nothing until the upgrade request has ended', () => {
    expect(read(UPGRADE.subarray(0, UPGRADE.length - 1), text('3:0').subarray(1)).messages).toEqual([]);
  });
});
