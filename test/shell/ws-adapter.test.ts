/**
 * The `ws` transport's adapter logic against a stand-in for the `ws` client, where a test can
 * make `ws` do what a real socket does only by chance: report after `terminate()`, close
 * twice, set the close-frame flags its own `CloseEvent` reads, confirm or fail one write. The
 * frames the transport writes itself are read back by `ws`'s own `Receiver`. The real-socket
 * behaviour is in `test/integration/ws-transport.test.ts`.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransportFailure } from '../../machines/connection.types.js';
import { systemClock } from '../../src/time.js';
import type { NodeClientOptions } from '../../src/transports/transport.js';
import { wsTransport } from '../../src/transports/ws-transport.js';
import { readFrames } from '../support/ws-receiver.js';

type WriteCallback = (error?: Error | null) => void;

const { StandInWs, created } = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');
  const created: InstanceType<typeof StandInWs>[] = [];
  /**
   * What the transport uses of `ws`'s client, recording what it was given. Its TCP socket is
   * there from the start, where ws 8 attaches it on the upgrade: the writes below go to a socket
   * the transport believes open, as the shell only sends once it is.
   */
  class StandInWs extends EventEmitter {
    static readonly OPEN = 1;
    readyState = 0;
    protocol = 'chat';
    extensions = 'permessage-deflate';
    binaryType = 'nodebuffer';
    /** The TCP socket as ws 8 keeps it: where the transport writes the frames it makes itself. */
    _socket: {
      writes: { chunk: Buffer; onWritten: WriteCallback | undefined }[];
      write(chunk: Buffer, onWritten?: WriteCallback): boolean;
    } | null = {
      writes: [],
      write: (chunk: Buffer, onWritten?: WriteCallback) => {
        this.calls.push(`write ${chunk.length}`);
        this._socket!.writes.push({ chunk, onWritten });
        return true;
      },
    };
    readonly sends: { data: unknown; options: unknown; onWritten: WriteCallback | undefined }[] = [];
    readonly calls: string[] = [];
    constructor(
      readonly url: string,
      readonly protocols: string[],
      readonly options: Record<string, unknown>,
    ) {
      super();
      created.push(this);
    }
    send(data: unknown, options?: unknown, onWritten?: WriteCallback): void {
      this.calls.push(`send ${String(data)}`);
      if (typeof options === 'function') this.sends.push({ data, options: undefined, onWritten: options as WriteCallback });
      else this.sends.push({ data, options, onWritten });
    }
    close(code?: number, reason?: string): void {
      this.calls.push(`close ${code} ${reason}`);
    }
    terminate(): void {
      this.calls.push('terminate');
    }
    pause(): void {
      this.calls.push('pause');
    }
    resume(): void {
      this.calls.push('resume');
    }
    ping(): void {
      this.calls.push('ping');
    }
  }
  return { StandInWs, created };
});

vi.mock('ws', () => ({ default: StandInWs }));

beforeEach(() => {
  created.length = 0;
});

/** A `ws` transport socket over a stand-in, with the stand-in and what the socket reported. */
function open(node: NodeClientOptions = {}, url = 'wss://example.test/feed') {
  const reports: string[] = [];
  const failures: TransportFailure[] = [];
  const socket = wsTransport(
    { url: new URL(url), protocols: ['chat'], binaryType: 'arraybuffer', maxPayload: 1024, node, clock: systemClock },
    {
      open: (protocol, extensions) => reports.push(`open ${protocol} ${extensions}`),
      message: (data) => reports.push(`message ${typeof data === 'string' ? data : 'binary'}`),
      error: (failure) => {
        failures.push(failure);
        reports.push(`error ${failure.cause}`);
      },
      close: (code, reason, wasClean) => reports.push(`close ${code} ${reason} ${wasClean}`),
      pong: () => reports.push('pong'),
    },
  );
  return { socket, ws: created.at(-1)!, reports, failures };
}

/** A socket over a stand-in that opened with no extension: the transport frames messages itself, into `ws._socket`. */
function openFramed() {
  const opened = open();
  opened.ws.extensions = '';
  opened.ws.readyState = StandInWs.OPEN;
  opened.ws.emit('open');
  return { ...opened, tcp: opened.ws._socket! };
}

/** The text messages a `ws` server reads in what was written, in order. */
async function textsIn(writes: readonly { chunk: Buffer }[]): Promise<string[]> {
  const { messages, error } = await readFrames(writes.map(({ chunk }) => chunk));
  expect(error).toBeUndefined();
  return messages.map(({ bytes }) => Buffer.from(bytes, 'base64').toString());
}

/** Lets the current task's microtasks run: the transport ends a task's batch in one. */
const taskOver = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ws adapter: the request', () => {
  it('gives ws the URL, the subprotocols, maxPayload and binaryType, and no option that was not asked for', () => {
    const { ws } = open();
    expect(ws.url).toBe('wss://example.test/feed');
    expect(ws.protocols).toEqual(['chat']);
    expect(ws.options).toStrictEqual({ maxPayload: 1024 });
    expect(ws.binaryType).toBe('arraybuffer');
  });

  it('passes headers (a copy), origin, ca, agent and perMessageDeflate as given', () => {
    const headers = { Authorization: 'Bearer t0ken' };
    const agent = {};
    const { ws } = open({ headers, origin: 'https://app.example', ca: 'PEM', agent, perMessageDeflate: false });
    expect(ws.options).toStrictEqual({
      maxPayload: 1024,
      perMessageDeflate: false,
      headers: { Authorization: 'Bearer t0ken' },
      origin: 'https://app.example',
      ca: 'PEM',
      agent,
    });
    expect(ws.options.headers).not.toBe(headers);
  });

  it('reads and sets binaryType on the ws socket', () => {
    const { socket, ws } = open();
    expect(socket.binaryType).toBe('arraybuffer');
    socket.binaryType = 'blob';
    expect(ws.binaryType).toBe('blob');
    expect(socket.binaryType).toBe('blob');
  });
});

describe('ws adapter: reports', () => {
  it('reports open with the protocol and extensions, text as a string, binary as given, and pongs', () => {
    const { ws, reports } = open();
    const binary = new ArrayBuffer(2);
    ws.emit('open');
    ws.emit('message', Buffer.from('hi'), false);
    ws.emit('message', binary, true);
    ws.emit('pong');
    expect(reports).toEqual(['open chat permessage-deflate', 'message hi', 'message binary', 'pong']);
  });

  it('takes an error before open as a failed handshake and after open as a transport error', () => {
    const before = open();
    before.ws.emit('error', new Error('Unexpected server response: 503'));
    expect(before.failures).toEqual([{ cause: 'handshake-failed', message: 'Unexpected server response: 503', status: 503 }]);

    const after = open();
    after.ws.emit('open');
    after.ws.emit('error', new Error('Unexpected server response: 503'));
    expect(after.failures).toEqual([{ cause: 'transport-error', message: 'Unexpected server response: 503' }]);
  });

  it('reads an HTTP status only from a failed handshake', () => {
    const { ws, failures } = open();
    ws.emit('error', Object.assign(new Error('Unexpected server response: 403'), { code: 'ECONNRESET' }));
    expect(failures).toEqual([{ cause: 'connection-lost', message: 'Unexpected server response: 403' }]);
  });

  it('redacts the URL’s secrets from error messages, even where the message does not quote the URL', () => {
    const { ws, failures } = open({}, 'wss://example.test/feed?token=s3cret');
    ws.emit('error', new Error('rejected token s3cret'));
    expect(failures[0]!.message).toBe('rejected token REDACTED');
  });

  it('reports nothing after terminate(): no open, message, error, pong or close', () => {
    const { socket, ws, reports } = open();
    socket.terminate();
    ws.emit('open');
    ws.emit('message', Buffer.from('late'), false);
    ws.emit('error', new Error('late'));
    ws.emit('pong');
    ws.emit('close', 1006, Buffer.from(''));
    expect(reports).toEqual([]);
    expect(ws.calls).toEqual(['terminate']);
  });

  it('reports one close, and nothing after it', () => {
    const { ws, reports } = open();
    ws.emit('open');
    ws.emit('close', 1000, Buffer.from('bye'));
    ws.emit('close', 1006, Buffer.from(''));
    ws.emit('message', Buffer.from('late'), false);
    ws.emit('pong');
    expect(reports).toEqual(['open chat permessage-deflate', 'close 1000 bye true']);
  });

  it.each([
    // [close frame received, close frame sent, code, wasClean]: ws's own CloseEvent reads the same flags.
    [true, true, 1000, true],
    [true, false, 1000, false],
    [false, true, 1000, false],
    [false, false, 1006, false],
    [undefined, undefined, 1000, true],
    [undefined, undefined, 1006, false],
  ] as const)('takes close frames received %s and sent %s with code %i as wasClean %s', (received, sent, code, wasClean) => {
    const { ws, reports } = open();
    Object.assign(ws, { _closeFrameReceived: received, _closeFrameSent: sent });
    ws.emit('close', code, Buffer.from(''));
    expect(reports).toEqual([`close ${code}  ${wasClean}`]);
  });
});

describe('ws adapter: writes', () => {
  it('frames a task’s first message and writes it at once, confirmed, and the rest of the task in one write at its end, confirmed', async () => {
    const { socket, tcp, ws } = openFramed();
    socket.send('a', 1, 'a');
    expect(ws.calls).toEqual(['write 7']);
    socket.send('bb', 2, 'bb');
    socket.send(new Uint8Array([1, 2, 3]), 3, 'binary');
    expect(ws.calls).toEqual(['write 7']);
    await taskOver();
    expect(ws.calls).toEqual(['write 7', `write ${8 + 9}`]);
    expect(tcp.writes.map(({ onWritten }) => onWritten !== undefined)).toEqual([true, true]);
    expect(await textsIn(tcp.writes)).toEqual(['a', 'bb', '\u0001\u0002\u0003']);
    expect(ws.sends).toEqual([]);

    // The next task starts again: its first message at once.
    socket.send('c', 1, 'c');
    expect(ws.calls.at(-1)).toBe('write 7');
  });

  it('gathers a task’s frames in a 2 KiB buffer, then each next one twice as large up to 64 KiB, a frame larger than that in one of its own', async () => {
    const { socket, tcp } = openFramed();
    socket.send('first', 5, 'first');
    const kib = 'k'.repeat(1024 - 8); // 1 KiB frames
    for (let i = 0; i < 2 + 4 + 8 + 16 + 32 + 64 + 64; i++) socket.send(kib, kib.length, kib);
    const large = 'L'.repeat(70_000);
    socket.send(large, large.length, large);
    socket.send('last', 4, 'last');
    await taskOver();
    expect(tcp.writes.map(({ chunk }) => chunk.length / 1024)).toEqual([11 / 1024, 2, 4, 8, 16, 32, 64, 64, 70_014 / 1024, 10 / 1024]);
    const texts = await textsIn(tcp.writes);
    expect(texts).toHaveLength(1 + 190 + 2);
    expect([texts[0], texts[1], texts.at(-2), texts.at(-1)]).toEqual(['first', kib, large, 'last']);
  });

  it('asks to confirm a task’s first write, the write that makes 1 MiB unconfirmed, and its last; bufferedAmount falls by what each covers', async () => {
    const { socket, tcp } = openFramed();
    const big = 'b'.repeat(256 * 1024 - 14); // frames of 256 KiB exactly
    for (let i = 0; i < 6; i++) socket.send(big, big.length, `m${i}`);
    expect(socket.bufferedAmount).toBe(6 * big.length);
    await taskOver();
    expect(tcp.writes.map(({ chunk }) => chunk.length)).toEqual(Array.from({ length: 6 }, () => 256 * 1024));
    // m0 opens the task; m1 to m3 go unconfirmed; m4 makes 1 MiB unconfirmed, exactly; m5 ends the task.
    expect(tcp.writes.map(({ onWritten }) => onWritten !== undefined)).toEqual([true, false, false, false, true, true]);
    tcp.writes[0]!.onWritten!();
    expect(socket.bufferedAmount).toBe(5 * big.length);
    tcp.writes[4]!.onWritten!();
    expect(socket.bufferedAmount).toBe(big.length);
    tcp.writes[5]!.onWritten!();
    expect(socket.bufferedAmount).toBe(0);
    expect(socket.takeUnsent()).toEqual([]);
  });

  it('hands every message to ws, confirmed, when an extension was negotiated or ws keeps no TCP socket', async () => {
    const compressed = open();
    compressed.ws.readyState = StandInWs.OPEN;
    compressed.ws.emit('open'); // with permessage-deflate
    const bare = open();
    bare.ws._socket = null;
    bare.ws.extensions = '';
    bare.ws.readyState = StandInWs.OPEN;
    bare.ws.emit('open');
    for (const { socket } of [compressed, bare]) for (const text of ['a', 'b']) socket.send(text, 1, text);
    await taskOver();
    for (const { ws } of [compressed, bare]) {
      expect(ws.sends.map(({ data, onWritten }) => [data, onWritten !== undefined])).toEqual([
        ['a', true],
        ['b', true],
      ]);
    }
    expect(compressed.ws._socket!.writes).toEqual([]);
  });

  it('once ws is no longer open, never writes the frames gathered (its close frame may be out) and hands later messages to ws, which reports them', async () => {
    const { socket, ws, tcp } = openFramed();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    ws.readyState = 2; // CLOSING: ws answered the server's close frame
    socket.send('c', 1, 'c');
    expect(ws.calls).toEqual(['write 7', 'send c']);
    tcp.writes[0]!.onWritten!();
    ws.sends[0]!.onWritten!(new Error('WebSocket is not open: readyState 2 (CLOSING)'));
    await taskOver();
    expect(ws.calls).toHaveLength(2);
    expect(socket.bufferedAmount).toBe(2);
    expect(socket.takeUnsent()).toEqual(['b', 'c']);
  });

  it('never writes the frames gathered after ws leaves OPEN in the same task, at its end or before a close()', async () => {
    const atTaskEnd = openFramed();
    atTaskEnd.socket.send('a', 1, 'a');
    atTaskEnd.socket.send('b', 1, 'b');
    atTaskEnd.ws.readyState = 2;
    await taskOver();
    const onClose = openFramed();
    onClose.socket.send('a', 1, 'a');
    onClose.socket.send('b', 1, 'b');
    onClose.ws.readyState = 2;
    onClose.socket.close(1000, 'done');
    for (const { ws, socket } of [atTaskEnd, onClose]) {
      expect(ws.calls.filter((call) => call.startsWith('write'))).toEqual(['write 7']);
      expect(socket.takeUnsent()).toEqual(['a', 'b']);
    }
  });

  it('hands a Blob to ws after the frames gathered before it, and what follows it to ws too until ws has written it', async () => {
    const { socket, ws, tcp } = openFramed();
    const blob = new Blob(['blob']);
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    socket.send(blob, 4, blob);
    socket.send('c', 1, 'c');
    await taskOver();
    socket.send('d', 1, 'd');
    expect(ws.calls).toEqual(['write 7', 'write 7', 'send [object Blob]', 'send c', 'send d']);
    // The frames before the Blob go unconfirmed: the Blob's confirmation covers them.
    expect(tcp.writes.map(({ onWritten }) => onWritten !== undefined)).toEqual([true, false]);
    expect(socket.bufferedAmount).toBe(8);
    ws.sends[0]!.onWritten!(); // the Blob is written: the socket is ws's alone no more
    expect(socket.bufferedAmount).toBe(2);
    await taskOver();
    socket.send('e', 1, 'e');
    expect(ws.calls.at(-1)).toBe('write 7');
    expect(await textsIn(tcp.writes)).toEqual(['a', 'b', 'e']);
  });

  it('after a failed write, takes no later confirmation as delivery: every message is reported back', async () => {
    const { socket, tcp } = openFramed();
    socket.send('a', 1, 'a');
    await taskOver();
    socket.send('b', 1, 'b');
    await taskOver();
    tcp.writes[0]!.onWritten!(new Error('EPIPE'));
    tcp.writes[1]!.onWritten!();
    expect(socket.bufferedAmount).toBe(2);
    expect(socket.takeUnsent()).toEqual(['a', 'b']);
  });

  it('calls whenBelow at once (a microtask) when already below, else when a confirmation brings it strictly below', async () => {
    const { socket, tcp } = openFramed();
    const calls: string[] = [];
    socket.whenBelow!(1, () => calls.push('empty'));
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual(['empty']);

    for (const text of ['aa', 'bb', 'cc']) {
      socket.send(text, 2, text);
      await taskOver();
    }
    socket.whenBelow!(4, () => calls.push('below 4'));
    tcp.writes[0]!.onWritten!(); // 4 left: not below 4
    expect(calls).toEqual(['empty']);
    tcp.writes[1]!.onWritten!(); // 2 left
    expect(calls).toEqual(['empty', 'below 4']);
    tcp.writes[2]!.onWritten!();
    expect(calls).toEqual(['empty', 'below 4']);
  });

  it('calls whenDrained once everything is confirmed, and neither wait after terminate()', async () => {
    const { socket, tcp } = openFramed();
    const calls: string[] = [];
    socket.send('a', 1, 'a');
    await taskOver();
    socket.whenDrained(() => calls.push('drained'));
    tcp.writes[0]!.onWritten!();
    expect(calls).toEqual(['drained']);

    const other = openFramed();
    other.socket.send('a', 1, 'a');
    await taskOver();
    other.socket.whenDrained(() => calls.push('late drained'));
    other.socket.whenBelow!(1, () => calls.push('late below'));
    other.socket.terminate();
    other.tcp.writes[0]!.onWritten!();
    other.socket.whenDrained(() => calls.push('late drained'));
    await taskOver();
    expect(calls).toEqual(['drained']);
  });

  it('writes the frames gathered in the task before the close frame and before a ping', async () => {
    const { socket, ws, tcp } = openFramed();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    socket.ping!();
    socket.send('c', 1, 'c');
    socket.close(1000, 'done');
    expect(ws.calls).toEqual(['write 7', 'write 7', 'ping', 'write 7', 'close 1000 done']);
    expect(tcp.writes.map(({ onWritten }) => onWritten !== undefined)).toEqual([true, true, true]);
    await taskOver();
    expect(tcp.writes).toHaveLength(3);
  });

  it('never writes the frames gathered after terminate(), and reports them back', async () => {
    const { socket, ws } = openFramed();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    socket.terminate();
    await taskOver();
    expect(ws.calls).toEqual(['write 7', 'terminate']);
    expect(socket.takeUnsent()).toEqual(['a', 'b']);
  });

  it('gives back, from takeUnsent(), the frames gathered and not yet written, and never writes them after', async () => {
    const { socket, ws } = openFramed();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    expect(socket.takeUnsent()).toEqual(['a', 'b']);
    await taskOver();
    expect(ws.calls).toEqual(['write 7']);
  });

  it('gathers the frames sent after takeUnsent() in the same task afresh, from the start of a new buffer', async () => {
    const { socket, tcp } = openFramed();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    socket.send('c', 1, 'c');
    socket.takeUnsent();
    socket.send('d', 1, 'd');
    await taskOver();
    expect(tcp.writes.map(({ chunk }) => chunk.length)).toEqual([7, 7]);
    expect(await textsIn(tcp.writes)).toEqual(['a', 'd']);
  });
});

describe('ws adapter: control', () => {
  it('pings only while ws is open, and passes pause and resume on', () => {
    const { socket, ws } = open();
    socket.ping!();
    ws.readyState = StandInWs.OPEN;
    socket.ping!();
    socket.pause!();
    socket.resume!();
    expect(ws.calls).toEqual(['ping', 'pause', 'resume']);
  });

  it('is a transport with protocol pings that can pause reads', () => {
    expect([wsTransport.pings, wsTransport.pausable]).toEqual([true, true]);
  });
});
