/**
 * `resetSocket`, the reset every fault helper uses: whatever the socket is doing when the fault
 * lands, it closes (a test's teardown waits for its 'close') and leaves no handle behind; one
 * that is simply open is reset, so its peer sees ECONNRESET.
 */
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { TEARDOWN_ALLOWANCE, within } from './deadline.js';
import { activeResources, excessOver } from './handles.js';
import { closeServer, HOST, listenOnLoopback, resetSocket, trackSockets } from './loopback.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that reads everything; resolves with its port and the socket it accepts next. */
async function target(): Promise<{ port: number; accepted: Promise<net.Socket> }> {
  const server = net.createServer((socket) => socket.resume());
  const sockets = trackSockets(server);
  cleanups.push(() => closeServer(server, sockets));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  return { port: await listenOnLoopback(server), accepted };
}

/** Resolves at the socket's 'close'; the `error` it reports on the way, if any, is what it resolves with. */
function closeOf(socket: net.Socket): Promise<string | undefined> {
  let error: string | undefined;
  socket.on('error', (cause: NodeJS.ErrnoException) => (error = `${cause.code ?? cause.message} (${cause.syscall ?? '?'})`));
  // Not `once()`, which rejects at the first 'error'.
  return within('the socket closing', TEARDOWN_ALLOWANCE, new Promise((resolve) => socket.once('close', () => resolve(error))), () => [
    `its 'close' (${error === undefined ? 'no error' : `error ${error}`})`,
  ]);
}

it('resets an open socket: its peer sees ECONNRESET', async () => {
  const baseline = activeResources();
  const { port, accepted } = await target();
  const socket = net.connect(port, HOST);
  await new Promise((resolve) => socket.once('connect', resolve));
  const peer = await accepted;
  const peerClosed = closeOf(peer);
  const closed = closeOf(socket);
  resetSocket(socket);
  expect(await closed).toBeUndefined();
  expect(await peerClosed).toBe('ECONNRESET (read)');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(await excessOver(baseline)).toEqual({});
});

it('closes a socket whose end is under way, which Node cannot reset', async () => {
  const baseline = activeResources();
  const { port, accepted } = await target();
  const socket = net.connect(port, HOST);
  await new Promise((resolve) => socket.once('connect', resolve));
  const peerClosed = closeOf(await accepted);
  const closed = closeOf(socket);
  socket.end();
  resetSocket(socket);
  await Promise.all([closed, peerClosed]);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(await excessOver(baseline), 'handles left above the baseline').toEqual({});
});

it('closes a socket ended while connecting, whose shutdown runs when it connects, right before the reset', async () => {
  const baseline = activeResources();
  const { port } = await target();
  const socket = net.connect(port, HOST);
  const closed = closeOf(socket);
  // Both wait for the connect, in this order: the proxy's pipe ends the socket toward the server
  // when the client's end arrives before that socket has connected, then a fault resets the link.
  socket.end();
  resetSocket(socket);
  await closed;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(await excessOver(baseline), 'handles left above the baseline').toEqual({});
});
