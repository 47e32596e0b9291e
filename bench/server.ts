/**
 * The `ws` server the benchmark drives, in its own process so that its CPU time is never
 * counted as the client's. Sink connections count what arrives and report once the announced
 * number of messages is in; echo connections send every message back; floods are requested
 * over IPC. A second server, with permessage-deflate, sends each client a compression bomb.
 * Started by `run.ts` with `fork()`; not meant to be run alone.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { nowNs, type FromServer, type ServerMode, type ToServer } from './protocol.js';

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
const byId = new Map<number, WebSocket>();

wss.on('connection', (ws, request) => {
  const query = new URL(request.url ?? '/', 'ws://localhost').searchParams;
  const id = Number(query.get('id'));
  const mode = (query.get('mode') ?? 'sink') as ServerMode;
  const expect = Number(query.get('expect') ?? 0);
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
