/**
 * The `ws` server the benchmark drives, in its own process so that its CPU time is never
 * counted as the client's. Sink connections count what arrives and report once the announced
 * number of messages is in; echo connections send every message back; floods are requested
 * over IPC. A second server, with permessage-deflate, sends each client a compression bomb.
 * Started by `run.ts` with `fork()`; not meant to be run alone.
 */
import { WebSocketServer } from 'ws';
import type { ServerSession } from '../src/server/index.js';
import { server } from './built.js';
import { nowNs, THROTTLE_BYTES_PER_SECOND, type FromServer, type ServerMode, type ToServer } from './protocol.js';

const { createSessionServer, offersSession } = server;

function report(message: FromServer): void {
  process.send!(message);
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  // 10,000 connections are opened in windows; a deep backlog keeps SYNs from being dropped
  // (a dropped SYN costs a 1 s retransmit and would wreck the timings).
  backlog: 4096,
  maxPayload: 256 * 1024 * 1024,
  perMessageDeflate: false,
});
/** What a flood sends on: a socket, or a reliable session. */
const byId = new Map<number, { send(data: string): void }>();

/** Reliable sessions, for clients that offer the session protocol, bounded so that a 100,000-message flood fits unacknowledged. */
const sessions = createSessionServer({ maxUnackedMessages: 2_000_000, maxUnackedBytes: 1024 * 1024 * 1024 });
sessions.on('session', serveSession);

function parse(url: string | undefined) {
  const query = new URL(url ?? '/', 'ws://localhost').searchParams;
  return { id: Number(query.get('id')), mode: (query.get('mode') ?? 'sink') as ServerMode, expect: Number(query.get('expect') ?? 0) };
}

/** The same modes for a reliable session: count or echo application messages, report as for a socket. */
function serveSession(session: ServerSession): void {
  const { id, mode, expect } = parse(session.request?.url);
  if (mode === 'idle') return;
  byId.set(id, session);
  let messages = 0;
  let bytes = 0;
  let lastAt = 0;
  session.on('message', (data) => {
    messages++;
    bytes += data.length;
    lastAt = nowNs();
    if (mode === 'echo') session.send(data);
    else if (messages === expect) report({ type: 'delivered', id, messages, bytes, at: nowNs() });
  });
  session.on('close', () => {
    byId.delete(id);
    report({ type: 'closed', id, messages, bytes, code: 1000, lastAt });
  });
}

wss.on('connection', (ws, request) => {
  if (offersSession(request)) {
    sessions.handle(ws, request);
    return;
  }
  const { id, mode, expect } = parse(request.url);
  if (mode === 'idle') return; // the 10,000-connection workload: nothing per message, no reports
  byId.set(id, ws);
  let messages = 0;
  let bytes = 0;
  let lastAt = 0;
  if (mode === 'echo') {
    ws.on('message', (data: Buffer, isBinary) => {
      messages++;
      bytes += data.length;
      ws.send(data, { binary: isBinary });
    });
  } else if (mode === 'throttle') {
    // A 10 MB/s link: past what the rate allows so far, stop reading (TCP then slows the
    // client) until the clock catches up. Counts like a sink.
    const start = nowNs();
    ws.on('message', (data: Buffer) => {
      messages++;
      bytes += data.length;
      lastAt = nowNs();
      if (messages === expect) report({ type: 'delivered', id, messages, bytes, at: nowNs() });
      const ahead = bytes - ((lastAt - start) / 1e9) * THROTTLE_BYTES_PER_SECOND;
      if (ahead > 0 && !ws.isPaused) {
        ws.pause();
        setTimeout(() => ws.resume(), (ahead / THROTTLE_BYTES_PER_SECOND) * 1000);
      }
    });
  } else {
    ws.on('message', (data: Buffer) => {
      messages++;
      bytes += data.length;
      lastAt = nowNs();
      if (messages === expect) report({ type: 'delivered', id, messages, bytes, at: nowNs() });
    });
  }
  ws.on('close', (code) => {
    byId.delete(id);
    report({ type: 'closed', id, messages, bytes, code, lastAt });
  });
});

process.on('message', (message: ToServer) => {
  switch (message.type) {
    case 'flood': {
      const ws = byId.get(message.id);
      if (ws === undefined) throw new Error(`flood: no connection ${message.id}`);
      const payload = 'f'.repeat(message.size);
      for (let i = 0; i < message.count; i++) ws.send(payload);
      break;
    }
    case 'stats':
      report({ type: 'stats', clients: wss.clients.size });
      break;
  }
});

/**
 * The compression bomb: one text message of `?bytes=` of one repeated byte, which
 * permessage-deflate shrinks about a thousandfold (90 MiB travel as about 90 KiB). The client
 * inflates it as it arrives, up to its `maxPayload`.
 */
const bombs = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true, maxPayload: 1024 });
bombs.on('connection', (ws, request) => {
  const bytes = Number(new URL(request.url ?? '/', 'ws://localhost').searchParams.get('bytes'));
  ws.on('error', () => {}); // a client that refuses the bomb closes with 1009, or drops
  ws.send(Buffer.alloc(bytes, 0x61), { binary: false, compress: true });
});

function portOf(server: WebSocketServer): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

void Promise.all([
  new Promise((resolve) => wss.once('listening', resolve)),
  new Promise((resolve) => bombs.once('listening', resolve)),
]).then(() => report({ type: 'listening', port: portOf(wss), bombPort: portOf(bombs) }));

// Leave with the parent, however it ends.
process.on('disconnect', () => process.exit(0));
