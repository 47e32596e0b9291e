/**
 * The `ws` transport's adapter logic against a stand-in for the `ws` client, where a test can
 * make `ws` do what a real socket does only by chance: report after `terminate()`, close
 * twice, set the close-frame flags its own `CloseEvent` reads, confirm or fail one write, fill
 * the TCP socket to a given byte. The real-socket behaviour is in
 * `test/integration/ws-transport.test.ts`.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransportFailure } from '../../machines/connection.types.js';
import { systemClock } from '../../src/time.js';
import type { NodeClientOptions } from '../../src/transports/transport.js';
import { wsTransport } from '../../src/transports/ws-transport.js';

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
    /** The TCP socket as ws 8 keeps it: what the transport corks. */
    _socket: { corks: number; uncorks: number; writableLength: number; cork(): void; uncork(): void } | null = {
      corks: 0,
      uncorks: 0,
      writableLength: 0,
      cork() {
        this.corks += 1;
      },
      uncork() {
        this.uncorks += 1;
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
  it('gives ws small text as a Buffer flagged as text, text from 16 KiB on as the string, binary as it is', async () => {
    const { socket, ws } = open();
    const small = 'a'.repeat(16 * 1024 - 1);
    const large = 'a'.repeat(16 * 1024);
    const binary = new Uint8Array([1, 2]);
    socket.send(small, small.length, small);
    socket.send(large, large.length, large);
    socket.send(binary, 2, binary);
    await taskOver();
    expect(ws.sends.map(({ data, options }) => [Buffer.isBuffer(data) ? 'buffer' : typeof data, options])).toEqual([
      ['buffer', { binary: false }],
      ['string', { binary: false }],
      ['object', undefined],
    ]);
    expect((ws.sends[0]!.data as Buffer).toString()).toBe(small);
    expect(ws.sends[2]!.data).toBe(binary);
  });

  it('corks the TCP socket from a task’s second frame to the task’s end, once', async () => {
    const { socket, ws } = open();
    const tcp = ws._socket!;
    socket.send('a', 1, 'a');
    expect(tcp.corks).toBe(0);
    socket.send('b', 1, 'b');
    socket.send('c', 1, 'c');
    expect([tcp.corks, tcp.uncorks]).toEqual([1, 0]);
    await taskOver();
    expect([tcp.corks, tcp.uncorks]).toEqual([1, 1]);
    expect(ws.sends.map(({ data }) => String(data))).toEqual(['a', 'b', 'c']);

    // The next task corks again.
    socket.send('d', 1, 'd');
    socket.send('e', 1, 'e');
    await taskOver();
    expect([tcp.corks, tcp.uncorks]).toEqual([2, 2]);
  });

  it('leaves a lone frame per task uncorked, and never uncorks what it did not cork', async () => {
    const { socket, ws } = open();
    socket.send('a', 1, 'a');
    await taskOver();
    socket.send('b', 1, 'b');
    await taskOver();
    expect([ws._socket!.corks, ws._socket!.uncorks]).toEqual([0, 0]);
  });

  it('does not cork for a frame of 64 KiB or more, which fills a batch on its own', async () => {
    const { socket, ws } = open();
    socket.send('a', 1, 'a');
    socket.send('b', 64 * 1024, 'b');
    expect(ws._socket!.corks).toBe(0);
    socket.send('c', 64 * 1024 - 1, 'c');
    expect(ws._socket!.corks).toBe(1);
    await taskOver();
  });

  it('releases a batch once the TCP socket holds 64 KiB, not before', async () => {
    const { socket, ws } = open();
    const tcp = ws._socket!;
    socket.send('a', 1, 'a');
    tcp.writableLength = 64 * 1024 - 1;
    socket.send('b', 1, 'b');
    expect(tcp.uncorks).toBe(0);
    tcp.writableLength = 64 * 1024;
    socket.send('c', 1, 'c');
    expect(tcp.uncorks).toBe(1);
    await taskOver();
    expect(tcp.uncorks).toBe(1);
  });

  it('writes uncorked when ws has no TCP socket to cork, or loses it mid-task', async () => {
    const { socket, ws } = open();
    ws._socket = null;
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    await taskOver();

    const other = open();
    other.socket.send('a', 1, 'a');
    other.socket.send('b', 1, 'b');
    other.ws._socket = null;
    expect(() => other.socket.send('c', 1, 'c')).not.toThrow();
    await taskOver();
    expect([...ws.sends, ...other.ws.sends].map(({ data }) => String(data))).toEqual(['a', 'b', 'a', 'b', 'c']);
  });

  it('asks ws to confirm a task’s first and last writes, and counts bufferedAmount down by what is confirmed', async () => {
    const { socket, ws } = open();
    for (const text of ['a', 'bb', 'ccc', 'dddd']) socket.send(text, text.length, text);
    expect(socket.bufferedAmount).toBe(10);
    await taskOver();
    expect(ws.sends.map(({ onWritten }) => onWritten !== undefined)).toEqual([true, false, false, true]);
    ws.sends[0]!.onWritten!();
    expect(socket.bufferedAmount).toBe(9);
    ws.sends[3]!.onWritten!();
    expect(socket.bufferedAmount).toBe(0);
    expect(socket.takeUnsent()).toEqual([]);
  });

  it('asks ws to confirm a write again once 1 MiB went unconfirmed', async () => {
    const { socket, ws } = open();
    const half = 512 * 1024;
    for (let i = 0; i < 5; i++) socket.send(`m${i}`, half, `m${i}`);
    await taskOver();
    // m0 opens the task; m1 and m2 make 1 MiB unconfirmed; m3 alone is half; m4 ends the task.
    expect(ws.sends.map(({ onWritten }) => onWritten !== undefined)).toEqual([true, false, true, false, true]);
  });

  it('after a failed write, takes no later confirmation as delivery: every message is reported back', async () => {
    const { socket, ws } = open();
    socket.send('a', 1, 'a');
    await taskOver();
    socket.send('b', 1, 'b');
    await taskOver();
    ws.sends[0]!.onWritten!(new Error('EPIPE'));
    ws.sends[1]!.onWritten!();
    expect(socket.bufferedAmount).toBe(2);
    expect(socket.takeUnsent()).toEqual(['a', 'b']);
  });

  it('calls whenBelow at once (a microtask) when already below, else when a confirmation brings it strictly below', async () => {
    const { socket, ws } = open();
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
    ws.sends[0]!.onWritten!(); // 4 left: not below 4
    expect(calls).toEqual(['empty']);
    ws.sends[1]!.onWritten!(); // 2 left
    expect(calls).toEqual(['empty', 'below 4']);
    ws.sends[2]!.onWritten!();
    expect(calls).toEqual(['empty', 'below 4']);
  });

  it('calls whenDrained once everything is confirmed, and neither wait after terminate()', async () => {
    const { socket, ws } = open();
    const calls: string[] = [];
    socket.send('a', 1, 'a');
    await taskOver();
    socket.whenDrained(() => calls.push('drained'));
    ws.sends[0]!.onWritten!();
    expect(calls).toEqual(['drained']);

    const other = open();
    other.socket.send('a', 1, 'a');
    await taskOver();
    other.socket.whenDrained(() => calls.push('late drained'));
    other.socket.whenBelow!(1, () => calls.push('late below'));
    other.socket.terminate();
    other.ws.sends[0]!.onWritten!();
    other.socket.whenDrained(() => calls.push('late drained'));
    await taskOver();
    expect(calls).toEqual(['drained']);
  });

  it('hands over the held last message before the close frame', async () => {
    const { socket, ws } = open();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    socket.close(1000, 'done');
    expect(ws.calls).toEqual(['send a', 'send b', 'close 1000 done']);
    await taskOver();
  });

  it('reports the held message back after terminate(), never handing it over', async () => {
    const { socket, ws } = open();
    socket.send('a', 1, 'a');
    socket.send('b', 1, 'b');
    socket.terminate();
    expect(socket.takeUnsent()).toEqual(['a', 'b']);
    await taskOver();
    expect(ws.sends.map(({ data }) => String(data))).toEqual(['a']);
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
