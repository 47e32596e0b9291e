/**
 * Reliable sessions through the fault proxy, against a real `ws` server with the session server
 * attached, on the real clock with short timings: links reset (RST) or dropped (FIN, no closing
 * handshake) in the middle of bursts in either direction and in both at once, links that turn
 * into a blackhole either way, a client whose wall clock jumps as after a sleep, and a server
 * that restarts and forgets every session.
 *
 * What each run must show: no message lost without a report, and none delivered twice to an
 * application. Where the session survives (resets), every message arrives, in order; where it
 * does not (a restart), every message the server never acknowledged is in the `lost` event.
 * Resets are triggered by counts of what arrived, never by time.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createReliableSession, type ReliableSession, type ReliableSessionOptions } from '../../src/reliable/index.js';
import type { Clock, TimerHandle } from '../../src/time.js';
import { createSessionServer, type ServerSession, type SessionServer } from '../../src/server/index.js';
import { startBackend, type RestartableBackend } from '../support/restartable-backend.js';
import { BLACKHOLE, startProxy, type Direction, type TestProxy } from '../support/throttle-proxy.js';

const PAYLOAD = 'x'.repeat(1024);
const LIMITS = { maxUnackedMessages: 20_000, maxUnackedBytes: 64 * 1024 * 1024 };

/** Resolves once `check()` holds, checked whenever `poke()` is called. */
class Condition {
  readonly #waiters: { check: () => boolean; resolve: () => void }[] = [];
  poke(): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (waiter.check()) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ check, resolve }));
  }
}

interface Rig {
  readonly backend: RestartableBackend;
  readonly proxy: TestProxy;
  readonly client: ReliableSession;
  /** What the server application received, across sessions and restarts. */
  readonly serverReceived: string[];
  readonly clientReceived: string[];
  readonly lost: string[][];
  readonly clientUndelivered: string[];
  readonly serverSessions: ServerSession[];
  readonly changed: Condition;
  /** Restarts the server: every session it held is forgotten. */
  restart(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rig(
  onServerMessage: (rig: Rig, session: ServerSession, data: string) => void = () => {},
  clientOptions: ReliableSessionOptions = {},
): Promise<Rig> {
  const changed = new Condition();
  const serverReceived: string[] = [];
  const serverSessions: ServerSession[] = [];
  let hub: SessionServer;
  const startHub = () => {
    hub = createSessionServer(LIMITS);
    hub.on('session', (session) => {
      serverSessions.push(session);
      session.on('message', (data) => {
        const text = data.toString();
        serverReceived.push(text);
        onServerMessage(self, session, text);
        changed.poke();
      });
      changed.poke();
    });
  };
  startHub();
  const backend = await startBackend((socket: WebSocket, request: IncomingMessage) => void hub.handle(socket, request));
  const proxy = await startProxy({ target: backend.port, identify: () => undefined });
  const client = createReliableSession(proxy.url, {
    ...LIMITS,
    minReconnectDelay: 10,
    maxReconnectDelay: 50,
    reconnectJitter: false,
    heartbeatInterval: 0,
    ...clientOptions,
  });
  const self: Rig = {
    backend,
    proxy,
    client,
    serverReceived,
    clientReceived: [],
    lost: [],
    clientUndelivered: [],
    serverSessions,
    changed,
    async restart() {
      hub.close();
      await backend.stop();
      startHub();
      proxy.retarget(await backend.start());
    },
  };
  client.on('message', (data) => {
    self.clientReceived.push(data as string);
    changed.poke();
  });
  client.on('lost', ({ messages }) => {
    self.lost.push(messages as string[]);
    changed.poke();
  });
  client.on('undelivered', ({ data }) => self.clientUndelivered.push(data as string));
  client.on('state', () => changed.poke());
  client.on('session', () => changed.poke());
  cleanups.push(async () => {
    await client.close().catch(() => undefined);
    hub.close();
    await proxy.close();
    await backend.stop();
  });
  return self;
}

const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}:${PAYLOAD}`);
const resetLinks = (proxy: TestProxy) => cutLinks(proxy, 'reset');
/** Cuts every open link: `reset` (RST, each side sees ECONNRESET) or `drop` (FIN both ways, no closing handshake). */
const cutLinks = (proxy: TestProxy, how: 'reset' | 'drop') => {
  for (const link of proxy.links) link[how]();
};
/** Turns the links open now into a blackhole in `direction`, without a word to either end; links made later pass. */
const blackholeOpenLinks = (proxy: TestProxy, direction: Direction) => {
  for (const link of proxy.links) link.setFlow(direction, BLACKHOLE);
};

/** The real clock, but with a wall clock that can jump forward, as a device's does when it wakes from sleep. */
class JumpingClock implements Clock {
  #jumped = 0;
  jump(ms: number): void {
    this.#jumped += ms;
  }
  now(): number {
    return Date.now() + this.#jumped;
  }
  monotonic(): number {
    return performance.now();
  }
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return setTimeout(callback, delayMs);
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

describe('reliable sessions through a faulty network', () => {
  it('loses nothing and duplicates nothing when the link resets mid-burst, client to server', async () => {
    const COUNT = 4_000;
    const resetsAt = new Set([300, 1_500, 3_000]);
    const r = await rig((self) => {
      if (resetsAt.has(self.serverReceived.length)) resetLinks(self.proxy);
    });
    const sent = numbered('c', COUNT);
    for (const message of sent) expect(r.client.send(message)).toBe(true);
    await r.changed.until(() => r.serverReceived.length >= COUNT);
    expect(r.serverReceived).toEqual(sent);
    expect(r.serverSessions).toHaveLength(1);
    expect(r.proxy.accepted.length).toBeGreaterThanOrEqual(1 + resetsAt.size);
    expect(r.clientUndelivered).toEqual([]);
  }, 60_000);

  it('loses nothing and duplicates nothing when the link resets while the server streams', async () => {
    const COUNT = 4_000;
    const resetsAt = new Set([200, 1_000, 2_500, 3_500]);
    const r = await rig();
    await r.changed.until(() => r.serverSessions.length === 1);
    const session = r.serverSessions[0]!;
    r.client.on('message', () => {
      if (resetsAt.has(r.clientReceived.length)) resetLinks(r.proxy);
    });
    const sent = numbered('s', COUNT);
    for (const message of sent) expect(session.send(message)).toBe(true);
    await r.changed.until(() => r.clientReceived.length >= COUNT);
    expect(r.clientReceived).toEqual(sent);
    expect(r.proxy.accepted.length).toBeGreaterThanOrEqual(1 + resetsAt.size);
  }, 60_000);

  it.each(['reset', 'drop'] as const)(
    'loses nothing and duplicates nothing with bursts both ways and links cut (%s) from either side',
    async (how) => {
      const COUNT = 2_000;
      const r = await rig((self) => {
        if (self.serverReceived.length % 700 === 0) cutLinks(self.proxy, how);
      });
      await r.changed.until(() => r.serverSessions.length === 1);
      r.client.on('message', () => {
        if (r.clientReceived.length % 900 === 0) cutLinks(r.proxy, how);
      });
      const up = numbered('c', COUNT);
      const down = numbered('s', COUNT);
      for (let i = 0; i < COUNT; i++) {
        r.client.send(up[i]!);
        r.serverSessions[0]!.send(down[i]!);
      }
      await r.changed.until(() => r.serverReceived.length >= COUNT && r.clientReceived.length >= COUNT);
      expect(r.serverReceived).toEqual(up);
      expect(r.clientReceived).toEqual(down);
      expect(r.serverSessions).toHaveLength(1);
      expect(r.proxy.accepted.length).toBeGreaterThanOrEqual(1 + 4);
    },
    60_000,
  );

  it('reports a server restart at once with every message the server never acknowledged, and starts a new session', async () => {
    const COUNT = 3_000;
    let restarting: Promise<void> | undefined;
    const r = await rig((self) => {
      if (self.serverReceived.length === 1_000) restarting ??= self.restart();
    });
    const sent = numbered('c', COUNT);
    for (const message of sent) r.client.send(message);
    await r.changed.until(() => r.lost.length === 1);
    await restarting;
    const lost = r.lost[0]!;
    expect(lost.length).toBeGreaterThan(0);
    // Nothing silent: every message reached the old server's application or is in the report.
    const accounted = new Set([...r.serverReceived, ...lost]);
    expect(sent.filter((message) => !accounted.has(message))).toEqual([]);
    // Nothing twice: the application saw each message at most once, in order, and the report is in send order.
    expect(new Set(r.serverReceived).size).toBe(r.serverReceived.length);
    expect(r.serverReceived).toEqual(sent.slice(0, r.serverReceived.length));
    expect(lost).toEqual(sent.slice(sent.length - lost.length));
    // The next session is new, names the lost one, and carries what is sent next.
    await r.changed.until(() => r.client.state === 'live' && r.serverSessions.length === 2);
    expect(r.serverSessions[1]!.lostSession).toBe(r.serverSessions[0]!.id);
    r.client.send('after');
    await r.changed.until(() => r.serverReceived.at(-1) === 'after');
    expect(r.clientUndelivered).toEqual([]);
  }, 60_000);

  it('loses nothing and duplicates nothing when the link turns into a blackhole mid-burst, resuming on the next link', async () => {
    const COUNT = 2_000;
    const r = await rig(() => {}, { heartbeatInterval: 50, heartbeatTimeout: 200 });
    await r.changed.until(() => r.client.state === 'live');
    const states: string[] = [];
    r.client.on('state', ({ state }) => states.push(state));
    const sent = numbered('c', COUNT);
    for (const message of sent.slice(0, COUNT / 2)) r.client.send(message);
    // Only the links open now: the client's next one passes. Neither end hears of it; the client's heartbeat finds out.
    blackholeOpenLinks(r.proxy, 'both');
    for (const message of sent.slice(COUNT / 2)) r.client.send(message);
    await r.changed.until(() => r.serverReceived.length >= COUNT);
    expect(r.serverReceived).toEqual(sent);
    expect(r.serverSessions).toHaveLength(1);
    // The heartbeat found the dead link, and the session was resumed on another.
    expect(states).toContain('resuming');
    expect(r.serverSessions[0]!.epoch).toBeGreaterThan(1);
  }, 60_000);

  it('loses nothing and duplicates nothing when the link to the client turns into a blackhole while the server streams', async () => {
    const COUNT = 2_000;
    const r = await rig(() => {}, { heartbeatInterval: 50, heartbeatTimeout: 200 });
    await r.changed.until(() => r.serverSessions.length === 1 && r.client.state === 'live');
    const session = r.serverSessions[0]!;
    const states: string[] = [];
    r.client.on('state', ({ state }) => states.push(state));
    const sent = numbered('s', COUNT);
    for (const message of sent.slice(0, COUNT / 2)) session.send(message);
    await r.changed.until(() => r.clientReceived.length >= COUNT / 4);
    // Server to client only, on the links open now: the server writes on, the client hears nothing, not even its pongs.
    blackholeOpenLinks(r.proxy, 'downstream');
    for (const message of sent.slice(COUNT / 2)) session.send(message);
    await r.changed.until(() => r.clientReceived.length >= COUNT);
    expect(r.clientReceived).toEqual(sent);
    expect(r.serverSessions).toHaveLength(1);
    expect(states).toContain('resuming');
    expect(session.epoch).toBeGreaterThan(1);
  }, 60_000);

  it('loses nothing and duplicates nothing when the client wakes from a sleep that killed its link, its wall clock an hour on', async () => {
    const COUNT = 2_000;
    const clock = new JumpingClock();
    const heard: string[] = [];
    const r = await rig(() => {}, {
      clock,
      heartbeatInterval: 100,
      heartbeatTimeout: 300,
      inspect: (event) => {
        if (event.type === '@xstate.event' && event.event.type === 'env.wake')
          heard.push(`${event.event.type} ${(event.event as { reason?: string }).reason}`);
      },
    });
    await r.changed.until(() => r.serverSessions.length === 1 && r.client.state === 'live');
    const session = r.serverSessions[0]!;
    const up = numbered('c', COUNT);
    const down = numbered('s', COUNT);
    for (let i = 0; i < COUNT / 2; i++) {
      r.client.send(up[i]!);
      session.send(down[i]!);
    }
    // The device sleeps: its link dies without a word either way, and its wall clock moves on an hour.
    blackholeOpenLinks(r.proxy, 'both');
    clock.jump(60 * 60 * 1000);
    for (let i = COUNT / 2; i < COUNT; i++) {
      r.client.send(up[i]!);
      session.send(down[i]!);
    }
    await r.changed.until(() => r.serverReceived.length >= COUNT && r.clientReceived.length >= COUNT);
    expect(r.serverReceived).toEqual(up);
    expect(r.clientReceived).toEqual(down);
    expect(r.serverSessions).toHaveLength(1);
    // The first ping after the jump read as a wake, and the session was resumed on a new link.
    expect(heard).toContain('env.wake timer-late');
    expect(session.epoch).toBeGreaterThan(1);
  }, 60_000);

  it('keeps 200 sessions exactly once each way while every link resets twice', async () => {
    const CLIENTS = 200;
    const EACH = 40;
    const changed = new Condition();
    const received = new Map<string, string[]>();
    const hub = createSessionServer();
    hub.on('session', (session) => {
      session.on('message', (data) => {
        const text = data.toString();
        const client = text.slice(0, text.indexOf(':'));
        received.set(client, [...(received.get(client) ?? []), text]);
        session.send(`echo ${text}`);
        changed.poke();
      });
    });
    const backend = await startBackend((socket: WebSocket, request: IncomingMessage) => void hub.handle(socket, request));
    const proxy = await startProxy({ target: backend.port, identify: () => undefined });
    const clients = Array.from({ length: CLIENTS }, (_, n) => {
      const session = createReliableSession(proxy.url, { minReconnectDelay: 10, maxReconnectDelay: 100, heartbeatInterval: 0 });
      const echoes: string[] = [];
      session.on('message', (data) => {
        echoes.push(data as string);
        changed.poke();
      });
      return { name: `k${n}`, session, echoes };
    });
    cleanups.push(async () => {
      await Promise.all(clients.map(({ session }) => session.close().catch(() => undefined)));
      hub.close();
      await proxy.close();
      await backend.stop();
    });
    const total = () => [...received.values()].reduce((sum, list) => sum + list.length, 0);
    for (let i = 1; i <= EACH; i++) {
      for (const { name, session } of clients) session.send(`${name}:${i}`);
      if (i === EACH / 4 || i === EACH / 2) {
        await changed.until(() => total() >= (CLIENTS * i) / 2);
        resetLinks(proxy);
      }
    }
    await changed.until(() => clients.every(({ echoes }) => echoes.length >= EACH));
    for (const { name, echoes } of clients) {
      const expected = Array.from({ length: EACH }, (_, i) => `${name}:${i + 1}`);
      expect(received.get(name)).toEqual(expected);
      expect(echoes).toEqual(expected.map((text) => `echo ${text}`));
    }
    // Each client's session lives on at the server (a reset that swallowed a session frame leaves an
    // unused one behind, which expires).
    expect(clients.filter(({ session }) => hub.sessions.get(session.sessionId!)?.state !== 'attached')).toEqual([]);
    expect(proxy.accepted.length).toBeGreaterThan(CLIENTS);
  }, 120_000);
});
