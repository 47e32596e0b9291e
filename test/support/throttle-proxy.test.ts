/**
 * The fault proxy's own promises, on loopback with real sockets: a fault takes its link down
 * whatever state the link is in when it lands, and `close()` then ends, with nothing left behind.
 * The resilience tests' teardown waits on `close()` with no deadline of its own, so a socket the
 * proxy cannot close hangs them.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { TEARDOWN_ALLOWANCE, within } from './deadline.js';
import { activeResources, excessOver } from './handles.js';
import { closeServer, HOST, listenOnLoopback, trackSockets } from './loopback.js';
import { startProxy, type Link, type TestProxy } from './throttle-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Stage {
  readonly proxy: TestProxy;
  /** The raw TCP client, connected through the proxy. */
  readonly client: net.Socket;
  /** The target's socket for the client's link. */
  readonly accepted: net.Socket;
  readonly link: Link;
  /** The codes of the errors the client reported. */
  readonly clientErrors: string[];
}

/** A plain TCP target that reads everything, the proxy in front of it, and one client through it, its link connected at both ends. */
async function connectThroughProxy(): Promise<Stage> {
  const target = net.createServer((socket) => socket.resume());
  const targetSockets = trackSockets(target);
  const proxy = await startProxy({ target: await listenOnLoopback(target) });
  cleanups.push(() => closeServer(target, targetSockets));
  cleanups.push(() => proxy.close());
  const accepting = once(target, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(proxy.port, HOST);
  const clientErrors: string[] = [];
  client.on('error', (error: NodeJS.ErrnoException) => clientErrors.push(error.code ?? error.message));
  cleanups.push(async () => {
    if (client.destroyed) return;
    const closed = once(client, 'close');
    client.destroy();
    await closed;
  });
  await once(client, 'connect');
  const [accepted] = await accepting;
  const link = [...proxy.links][0]!;
  if (link.server.connecting) await once(link.server, 'connect');
  return { proxy, client, accepted, link, clientErrors };
}

it('resets a link whose socket toward the server is still ending, and then closes', async () => {
  const baseline = activeResources();
  const { proxy, client, accepted, link, clientErrors } = await connectThroughProxy();
  // The client ends its side. The proxy passes the end on: it ends its socket toward the server
  // as it reads the client's end, and Node shuts that socket down in a later turn of the loop.
  // A reset that lands in between (here at once; in the soak, a fault timer firing before the
  // shutdown's turn) must still take the link down.
  let endingWhenReset = false;
  link.client.once('end', () => {
    endingWhenReset = link.server.writableEnded && !link.server.writableFinished;
    link.reset();
  });
  client.end();

  // Both of the link's sockets close, and the target and the client see their ends.
  const sockets = {
    "the link's client side": link.client,
    "the link's server side": link.server,
    'the target': accepted,
    'the client': client,
  };
  const closing = new Set(Object.keys(sockets));
  await within(
    'the reset link closing',
    TEARDOWN_ALLOWANCE,
    // Not `once()`, which rejects at the first 'error': a reset socket reports one before its 'close'.
    Promise.all(
      Object.entries(sockets).map(([name, socket]) =>
        new Promise((resolve) => socket.once('close', resolve)).then(() => closing.delete(name)),
      ),
    ),
    () => [...closing].map((name) => `the 'close' of ${name}`),
  );
  expect(endingWhenReset, 'the socket toward the server was ending when the reset came').toBe(true);
  expect(clientErrors).toEqual(['ECONNRESET']);
  expect(proxy.links.size).toBe(0);
  await proxy.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(await excessOver(baseline), 'handles left above the baseline').toEqual({});
});
