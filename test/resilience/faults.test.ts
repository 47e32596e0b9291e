/**
 * One fault at a time, injected by the proxy between a connection and a real `ws` server, on
 * the real clock with short timings. For each: the connection recovers; the server never sees
 * two live sockets from it, and no socket it left stays open at the server once the network
 * heals; what it queued while disconnected arrives first on the new socket, in order; every
 * message is delivered or reported, and where the fault destroyed bytes the kernel had already
 * taken, the client was told (an unclean close before the acknowledgement) and no hop of the
 * link lost more than it can hold; where a fault cannot lose anything, nothing is lost. Timing is
 * asserted as counts and order (and lower bounds a fault imposes), never as speed. More than a
 * link can hold is `overflow.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { CloseCause, ConnectionOptions } from '../../src/index.js';
import { expectAccountedFor, expectBackoff, NOTHING_LOST, whatLinksHold } from '../support/expectations.js';
import { useScene, type Scene } from '../support/scene.js';
import { BLACKHOLE, PASS, type Flow } from '../support/throttle-proxy.js';
import type { TrackedClient } from '../support/tracked-client.js';

const TIMING = {
  minReconnectDelay: 20,
  maxReconnectDelay: 200,
  reconnectFactor: 2,
  connectTimeout: 600,
  closeTimeout: 500,
  drainTimeout: 500,
  // Short enough to catch a dead link within a test, long enough that a busy CI machine does not
  // miss a pong that did come back.
  heartbeatInterval: 100,
  heartbeatTimeout: 500,
  minStableTime: 5_000,
} satisfies ConnectionOptions;

const startScene = useScene();

async function openClient(): Promise<{ scene: Scene; client: TrackedClient }> {
  const scene = await startScene(TIMING);
  const client = scene.connect();
  await client.whenOpen();
  await client.whenAcked(client.sendMany(3));
  return { scene, client };
}

/** Sends `count` messages while the connection waits to reconnect; they must queue. */
function queueWhileDown(client: TrackedClient, count: number): number[] {
  expect(client.connection.state).toBe('reconnecting');
  return client.sendMany(count);
}

/** Waits for the next open, then for the queued messages' acknowledgements: they went first on the new socket, in order. */
async function expectFlushedInOrder(scene: Scene, client: TrackedClient, queued: readonly number[]): Promise<void> {
  await client.whenOpen();
  await client.whenAcked(queued);
  const recovery = scene.ledger.recordsOf(client.id).find((record) => record.attempt === client.attempt)!;
  expect(recovery.received.slice(0, queued.length)).toEqual(queued);
}

const closesWith = (client: TrackedClient, causes: readonly CloseCause[]) =>
  client.closes.filter((close) => causes.includes(close.cause)).length;

interface ConnectFault {
  readonly name: string;
  /** Breaks the open connection and makes every new attempt fail. */
  readonly inject: (scene: Scene, client: TrackedClient) => Promise<void> | void;
  readonly restore: (scene: Scene) => Promise<void> | void;
  /** How the failed attempts end. */
  readonly causes: readonly CloseCause[];
  /** Failed attempts to wait for before restoring (each stalled one costs a connect timeout). */
  readonly failures: number;
}

const connectFaults: ConnectFault[] = [
  {
    name: 'connects are refused (nothing listens)',
    inject: (scene, client) => {
      scene.proxy.refuse();
      scene.linkOf(client).drop();
    },
    restore: (scene) => scene.proxy.listen(),
    causes: ['refused'],
    failures: 3,
  },
  {
    name: 'each connect is reset as soon as it is accepted',
    inject: (scene, client) => {
      scene.proxy.admit = 'reset';
      scene.linkOf(client).reset();
    },
    restore: (scene) => void (scene.proxy.admit = 'forward'),
    causes: ['connection-lost'],
    failures: 3,
  },
  {
    name: 'the opening handshake stalls (the request goes nowhere)',
    inject: (scene, client) => {
      scene.proxy.admit = 'stall';
      scene.linkOf(client).drop();
    },
    restore: (scene) => void (scene.proxy.admit = 'forward'),
    causes: ['connect-timeout'],
    failures: 2,
  },
  {
    // The server accepts every one of these sockets; the client never learns it did.
    name: "the server's answer to the opening handshake never arrives",
    inject: (scene, client) => {
      scene.proxy.setFlow('downstream', BLACKHOLE);
      scene.linkOf(client).drop();
    },
    restore: (scene) => scene.proxy.setFlow('downstream', PASS),
    causes: ['connect-timeout'],
    failures: 2,
  },
  {
    name: 'the backend behind the proxy is down',
    inject: (scene) => scene.backend.stop(),
    restore: async (scene) => scene.proxy.retarget(await scene.backend.start()),
    // The proxy accepts, fails to reach the backend and hangs up before any answer.
    causes: ['connection-lost', 'handshake-failed'],
    failures: 3,
  },
];

describe('a connection behind a faulty proxy', () => {
  it.each(connectFaults)('recovers when $name, then flushes what it queued across the failed attempts, in order', async (fault) => {
    const { scene, client } = await openClient();
    await fault.inject(scene, client);
    await client.until(() => client.closes.length === 1, 'the close of the open connection');
    // Queued before failed attempts and after them: the queue survives each one, in order.
    const early = queueWhileDown(client, 5);
    await client.until(() => closesWith(client, fault.causes) >= fault.failures, `${fault.failures} failed attempts`);
    const late = queueWhileDown(client, 5);
    await fault.restore(scene);
    await expectFlushedInOrder(scene, client, [...early, ...late]);
    await client.whenAcked(client.sendMany(3));

    // Per attempt: the drop, then failed attempts (error, then close), each followed by a wait.
    expect(client.timeline.join(' ')).toMatch(/^open close reconnecting (error close reconnecting )+open$/);
    expect(client.closes[0]).toMatchObject({ wasClean: false, willReconnect: true });
    for (const close of client.closes.slice(1)) expect(close).toMatchObject({ wasClean: false, willReconnect: true });
    expect(client.closes.slice(1).every((close) => fault.causes.includes(close.cause))).toBe(true);
    expect(client.urlCalls).toBe(client.closes.length + 1);
    expectBackoff(client, TIMING);
    expectAccountedFor(await scene.finish(), NOTHING_LOST);
  });

  interface LinkFault {
    readonly name: string;
    readonly flow?: { readonly direction: 'upstream' | 'downstream' | 'both'; readonly flow: Flow };
    readonly cut?: 'drop' | 'reset';
    readonly cause: CloseCause;
  }

  const linkFaults: LinkFault[] = [
    { name: 'the link drops mid-stream', cut: 'drop', cause: 'connection-lost' },
    { name: 'the link is reset mid-stream', cut: 'reset', cause: 'connection-lost' },
    { name: 'the link blackholes what the client sends', flow: { direction: 'upstream', flow: BLACKHOLE }, cause: 'heartbeat-timeout' },
    { name: 'the link blackholes what the server sends', flow: { direction: 'downstream', flow: BLACKHOLE }, cause: 'heartbeat-timeout' },
    { name: 'the link blackholes both ways', flow: { direction: 'both', flow: BLACKHOLE }, cause: 'heartbeat-timeout' },
    // 100 bytes a second: the pings queue behind the data, so the link looks dead.
    {
      name: 'the link slows to a crawl',
      flow: { direction: 'upstream', flow: { kind: 'throttle', bytesPerTick: 1, tickMs: 10 } },
      cause: 'heartbeat-timeout',
    },
  ];

  it.each(linkFaults)('recovers when $name while it sends, and tells of what may be lost', async (fault) => {
    const { scene, client } = await openClient();
    const link = scene.linkOf(client);
    const faulted = client.attempt;
    const burst = client.sendMany(100);
    if (fault.flow !== undefined) link.setFlow(fault.flow.direction, fault.flow.flow);
    if (fault.cut === 'drop') link.drop();
    if (fault.cut === 'reset') link.reset();
    burst.push(...client.sendMany(20));
    await client.until(() => client.closes.length === 1, 'the close of the faulted attempt');
    expect(client.closes[0]).toMatchObject({ cause: fault.cause, wasClean: false, willReconnect: true });

    const queued = queueWhileDown(client, 5);
    await expectFlushedInOrder(scene, client, queued);
    await client.whenAcked(client.sendMany(3));

    // Whatever of the burst is unaccounted for is what the client was told may be lost: written
    // on the faulted attempt, never acknowledged, and the attempt ended uncleanly.
    for (const seq of client.unconfirmed) expect(client.writtenOn.get(seq)).toBe(faulted);
    expect(client.timeline.join(' ')).toMatch(/^open (error )?close reconnecting open$/);
    const finish = await scene.finish();
    expectAccountedFor(finish, whatLinksHold());
    expect(finish.accounts[0]!.lostInFlight.every((seq) => burst.includes(seq))).toBe(true);
  });

  it('keeps its socket through latency below the heartbeat timeout, and delivers everything in order', async () => {
    const { scene, client } = await openClient();
    scene.linkOf(client).setFlow('both', { kind: 'delay', ms: 100 });
    const started = performance.now();
    const sent = client.sendMany(20);
    await client.whenAcked(sent);
    // A lower bound only: it proves the delay was in the path both ways, whatever the machine's speed.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(client.closes).toEqual([]);
    expectAccountedFor(await scene.finish(), NOTHING_LOST);
  });

  it('keeps its socket through a throttled link, and delivers everything in order', async () => {
    const { scene, client } = await openClient();
    // 10 kB/s against ~2 kB of frames: slow enough to hold bytes back, fast enough for the pings.
    scene.linkOf(client).setFlow('upstream', { kind: 'throttle', bytesPerTick: 100, tickMs: 10 });
    const started = performance.now();
    const sent = client.sendMany(120);
    await client.whenAcked(sent);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(client.closes).toEqual([]);
    expectAccountedFor(await scene.finish(), NOTHING_LOST);
  });

  it('recovers when the backend restarts, and the server never holds two live sockets of one client', async () => {
    const scene = await startScene(TIMING);
    const clients = Array.from({ length: 10 }, () => scene.connect());
    await Promise.all(clients.map((client) => client.whenOpen()));
    for (const client of clients) client.sendMany(10);
    await scene.restartBackend();
    // The server has dropped them; each client learns of it once the proxy passes the end on.
    await Promise.all(clients.map((client) => client.until(() => client.closes.length === 1, 'the close')));
    await Promise.all(clients.map((client) => client.whenOpen()));
    await Promise.all(clients.map((client) => client.whenAcked(client.sendMany(3))));
    for (const client of clients) expect(client.closes[0]).toMatchObject({ wasClean: false, willReconnect: true });
    expect(scene.ledger.openSockets).toBe(clients.length);
    expectAccountedFor(await scene.finish(), whatLinksHold());
  });
});
