/**
 * The browser transport (`nativeTransport`) in Node, over a scripted platform `WebSocket`: the
 * test opens, writes out, fails and closes it by hand, on a simulated clock, so every event the
 * platform can report, in any order, and every `bufferedAmount` it can show are reachable.
 * Chromium runs the same transport over its real `WebSocket` (`test/browser/`).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingData } from '../../src/byte-length.js';
import { SimulatedClock } from '../../src/testing/index.js';
import { nativeTransport, type WebSocketLike, type WebSocketLikeEventMap } from '../../src/transports/native-transport.js';
import type { TransportHandlers, TransportRequest, TransportSocket } from '../../src/transports/transport.js';

type Listener = (event: never) => void;

/** A platform `WebSocket` the test drives: what the transport asked of it, and the events it reports. */
class ScriptedWebSocket implements WebSocketLike {
  static made: ScriptedWebSocket[] = [];
  readonly url: string;
  readonly protocols: string[];
  readyState = 0;
  bufferedAmount = 0;
  protocol = '';
  extensions = '';
  binaryType = 'blob';
  readonly sent: OutgoingData[] = [];
  readonly closeCalls: unknown[][] = [];
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(url: string, protocols?: string | string[]) {
    this.url = url;
    this.protocols = typeof protocols === 'string' ? [protocols] : [...(protocols ?? [])];
    ScriptedWebSocket.made.push(this);
  }

  send(data: OutgoingData): void {
    this.sent.push(data);
    this.bufferedAmount += typeof data === 'string' ? Buffer.byteLength(data) : (data as ArrayBuffer).byteLength;
  }

  close(...args: unknown[]): void {
    this.closeCalls.push(args);
    if (this.readyState < 2) this.readyState = 2;
  }

  addEventListener<K extends keyof WebSocketLikeEventMap>(type: K, listener: (event: WebSocketLikeEventMap[K]) => void): void {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)!.add(listener);
  }

  removeEventListener<K extends keyof WebSocketLikeEventMap>(type: K, listener: (event: WebSocketLikeEventMap[K]) => void): void {
    this.#listeners.get(type)?.delete(listener);
  }

  listening(): number {
    return [...this.#listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }

  #dispatch(type: keyof WebSocketLikeEventMap, event: object): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) (listener as (event: object) => void)(event);
  }

  open(protocol = '', extensions = ''): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.extensions = extensions;
    this.#dispatch('open', {});
  }

  receive(data: unknown): void {
    this.#dispatch('message', { data });
  }

  fail(): void {
    this.#dispatch('error', {});
  }

  closed(code: number, reason: string, wasClean: boolean): void {
    this.readyState = 3;
    this.#dispatch('close', { code, reason, wasClean });
  }

  /** The platform wrote `bytes` of what it buffered. */
  wrote(bytes: number): void {
    this.bufferedAmount -= bytes;
  }
}

class Rig {
  readonly clock = new SimulatedClock();
  readonly heard: string[] = [];
  readonly socket: TransportSocket;
  readonly platform: ScriptedWebSocket;

  constructor(request: Partial<TransportRequest> = {}) {
    ScriptedWebSocket.made = [];
    const handlers: TransportHandlers = {
      open: (protocol, extensions) => this.heard.push(`open ${protocol} ${extensions}`.trimEnd()),
      message: (data) => this.heard.push(`message ${typeof data === 'string' ? data : Object.prototype.toString.call(data)}`),
      error: ({ cause, message }) => this.heard.push(`error ${cause}: ${message}`),
      close: (code, reason, wasClean) => this.heard.push(`close ${code} ${reason} ${wasClean}`),
      pong: () => this.heard.push('pong'),
    };
    this.socket = nativeTransport(ScriptedWebSocket)(
      {
        url: new URL('wss://user:secret@example.test/feed?token=t'),
        protocols: ['chat', 'v2'],
        binaryType: 'arraybuffer',
        maxPayload: 1_000,
        node: {},
        clock: this.clock,
        ...request,
      },
      handlers,
    );
    this.platform = ScriptedWebSocket.made[0]!;
  }
}

describe('nativeTransport', () => {
  it('opens the platform socket with the full URL, the protocols and the binary type', () => {
    const rig = new Rig();
    expect(ScriptedWebSocket.made).toHaveLength(1);
    expect([rig.platform.url, rig.platform.protocols, rig.platform.binaryType]).toEqual([
      'wss://user:secret@example.test/feed?token=t',
      ['chat', 'v2'],
      'arraybuffer',
    ]);
    rig.socket.binaryType = 'blob';
    expect([rig.platform.binaryType, rig.socket.binaryType]).toEqual(['blob', 'blob']);
  });

  it('reports open with the negotiated protocol and extensions, then messages as they come', () => {
    const rig = new Rig();
    rig.platform.open('chat', 'permessage-deflate');
    rig.platform.receive('hi');
    rig.platform.receive(new ArrayBuffer(2));
    expect(rig.heard).toEqual(['open chat permessage-deflate', 'message hi', 'message [object ArrayBuffer]']);
  });

  it('tells a failed connect from a failure once open, as the platform gives no detail', () => {
    const before = new Rig();
    before.platform.fail();
    before.platform.closed(1006, '', false);
    expect(before.heard).toEqual([
      'error handshake-failed: The WebSocket connection could not be established (the platform gives no detail)',
      'close 1006  false',
    ]);
    const after = new Rig();
    after.platform.open();
    after.platform.fail();
    expect(after.heard.at(-1)).toBe('error transport-error: The WebSocket connection failed (the platform gives no detail)');
  });

  it('stops listening once closed, and hears nothing after', () => {
    const rig = new Rig();
    expect(rig.platform.listening()).toBe(4);
    rig.platform.open();
    rig.platform.closed(1000, 'bye', true);
    expect(rig.platform.listening()).toBe(0);
    rig.platform.receive('late');
    expect(rig.heard).toEqual(['open', 'close 1000 bye true']);
  });

  it('passes close() its code and reason only as given', () => {
    const rig = new Rig();
    rig.socket.close(undefined, undefined);
    rig.socket.close(4000, undefined);
    rig.socket.close(4001, 'why');
    expect(rig.platform.closeCalls).toEqual([[], [4000], [4001, 'why']]);
  });

  it('terminates by closing and no longer listening', () => {
    const rig = new Rig();
    rig.platform.open();
    rig.socket.terminate();
    expect(rig.platform.closeCalls).toEqual([[]]);
    expect(rig.platform.listening()).toBe(0);
    rig.platform.closed(1006, '', false);
    expect(rig.heard).toEqual(['open']);
  });

  it('counts what the platform has not written, and forgets messages as bufferedAmount shows them written, in order', () => {
    const rig = new Rig();
    rig.platform.open();
    rig.socket.send('aaaa', 4, 'aaaa');
    rig.socket.send('bb', 2, 'bb');
    rig.socket.send('cccccc', 6, 'cccccc');
    expect(rig.platform.sent).toEqual(['aaaa', 'bb', 'cccccc']);
    expect(rig.socket.bufferedAmount).toBe(12);
    rig.platform.wrote(5); // all of the first, part of the second: the second is still unwritten
    expect(rig.socket.bufferedAmount).toBe(8);
    expect(rig.socket.takeUnsent()).toEqual(['bb', 'cccccc']);
    expect(rig.socket.bufferedAmount).toBe(0);
  });

  it('keeps what is sent once the platform socket left OPEN apart, and reports it unsent after the rest', () => {
    const rig = new Rig();
    rig.platform.open();
    rig.socket.send('written', 7, 'written');
    rig.platform.close();
    rig.socket.send('too late', 8, 'too late original');
    expect(rig.platform.sent).toEqual(['written']);
    expect(rig.socket.bufferedAmount).toBe(15);
    expect(rig.socket.takeUnsent()).toEqual(['written', 'too late original']);
  });

  it('tells a drain and a fall below a level by polling, every 10 ms once the first look found it waiting', () => {
    const rig = new Rig();
    rig.platform.open();
    rig.socket.send('1234', 4, 'a');
    rig.socket.send('5678', 4, 'b');
    const seen: string[] = [];
    rig.socket.whenBelow!(5, () => seen.push(`below at ${rig.clock.now()}`));
    rig.socket.whenDrained(() => seen.push(`drained at ${rig.clock.now()}`));
    rig.clock.advance(0);
    expect(seen).toEqual([]);
    rig.platform.wrote(4); // the first message: 4 bytes left, below 5, not drained
    rig.clock.advance(9);
    expect(seen).toEqual([]);
    rig.clock.advance(1);
    expect(seen).toEqual(['below at 10']);
    rig.platform.wrote(4);
    rig.clock.advance(10);
    expect(seen).toEqual(['below at 10', 'drained at 20']);
    expect(rig.clock.nextDue).toBeUndefined(); // nobody waits: no more polling
  });

  it('polls once for both waits, and takes a level reached exactly as not below it', () => {
    const rig = new Rig();
    rig.platform.open();
    rig.socket.send('aa', 2, 'a');
    rig.socket.send('bb', 2, 'b');
    const seen: string[] = [];
    rig.socket.whenBelow!(2, () => seen.push(`below at ${rig.clock.now()}`));
    rig.socket.whenDrained(() => seen.push(`drained at ${rig.clock.now()}`));
    expect(rig.clock.pendingTimers).toBe(1);
    rig.clock.advance(30);
    expect(rig.clock.pendingTimers).toBe(1);
    rig.platform.wrote(2); // 2 left: at the level, not below it
    rig.clock.advance(10);
    expect(seen).toEqual([]);
    rig.platform.wrote(2);
    rig.clock.advance(10);
    expect(seen).toEqual(['below at 50', 'drained at 50']);
  });

  it('calls no wait after a callback terminated the socket, even one due in the same look', () => {
    const rig = new Rig();
    rig.platform.open();
    const seen: string[] = [];
    rig.socket.whenBelow!(1, () => {
      seen.push('below');
      rig.socket.terminate();
    });
    rig.socket.whenDrained(() => seen.push('drained'));
    rig.clock.advance(0);
    expect(seen).toEqual(['below']);
    expect(rig.clock.pendingTimers).toBe(0);
  });

  it('answers no wait asked for once the socket is closed', () => {
    const rig = new Rig();
    rig.platform.open();
    rig.platform.closed(1006, '', false);
    const seen: string[] = [];
    rig.socket.whenDrained(() => seen.push('drained'));
    rig.socket.whenBelow!(1, () => seen.push('below'));
    rig.clock.advance(100);
    expect(seen).toEqual([]);
    expect(rig.clock.pendingTimers).toBe(0);
  });

  it('answers a wait at once (on the next look) when already drained, and stops polling when the socket closes', () => {
    const rig = new Rig();
    rig.platform.open();
    const seen: number[] = [];
    rig.socket.whenDrained(() => seen.push(rig.clock.now()));
    rig.clock.advance(0);
    expect(seen).toEqual([0]);

    rig.socket.send('abc', 3, 'abc');
    rig.socket.whenDrained(() => seen.push(rig.clock.now()));
    rig.clock.advance(10);
    rig.platform.closed(1006, '', false);
    expect(rig.clock.nextDue).toBeUndefined();
    rig.platform.wrote(3);
    rig.clock.advance(100);
    expect(seen).toEqual([0]);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('uses the global WebSocket when given none, and refuses to start without one, naming what to pass', () => {
    vi.stubGlobal('WebSocket', ScriptedWebSocket);
    ScriptedWebSocket.made = [];
    nativeTransport()(
      { url: new URL('ws://example.test/'), protocols: [], binaryType: 'blob', maxPayload: 1, node: {}, clock: new SimulatedClock() },
      {} as TransportHandlers,
    );
    expect(ScriptedWebSocket.made.map(({ url }) => url)).toEqual(['ws://example.test/']);
    vi.stubGlobal('WebSocket', undefined);
    const transport = nativeTransport();
    const request = {
      url: new URL('ws://example.test/'),
      protocols: [],
      binaryType: 'blob',
      maxPayload: 1,
      node: {},
      clock: new SimulatedClock(),
    } as const;
    const handlers = {} as TransportHandlers;
    expect(() => transport(request, handlers)).toThrow(
      new TypeError('Expected a global WebSocket, found none: pass the `WebSocket` or `transport` option'),
    );
  });
});
