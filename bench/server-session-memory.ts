/**
 * The server's heap per idle reliable session (`npm run bench` runs it in a fresh process; on its
 * own: `npm run build && npx tsx bench/server-session-memory.ts [count]`),
 * the session's own cost apart from its `ws` socket (which raw `ws` pays the same): `count`
 * sessions started through the session server on in-memory sockets, each having exchanged one
 * message each way and its acknowledgements, then idle; heap (JS heap plus external memory)
 * after a full GC, before and after, per session. One process, one figure; the `ws` socket's
 * own cost is in `npm run bench`'s connection workloads.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LinkSocket } from '../src/server/session-server.js';
import { sessionServer } from './built.js';

const { createHub } = sessionServer;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const count = Number(process.argv[2] ?? 10_000);
const socket: LinkSocket = { send: () => {}, close: () => {}, terminate: () => {} };
const start = Buffer.from(JSON.stringify({ t: 'start', v: 1, maxMessages: 10_000, maxBytes: 16 * 1024 * 1024 }));
const ack = Buffer.from(JSON.stringify({ t: 'ack', seq: 1 }));

function heap(): number {
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

const hub = createHub();
hub.on('session', (session) => session.on('message', () => {}));
const before = heap();
const links = [];
for (let i = 0; i < count; i++) {
  const link = hub.accept(socket);
  link.message(start, false);
  link.message(Buffer.from('1:hello'), false);
  const session = [...hub.sessions.values()].at(-1)!;
  session.send('welcome');
  link.message(ack, false);
  links.push(link);
}
// Let every acknowledgement timer fire, so each session is idle.
await new Promise((resolve) => setTimeout(resolve, 300));
const after = heap();
const held = [...hub.sessions.values()].reduce((sum, session) => sum + session.unackedMessages, 0);
const figures = { sessions: hub.sessions.size, heldMessages: held, heapBytesPerSession: Math.round((after - before) / count) };
hub.close();
// Forked by the bench: the figures go back over IPC; run by hand, to the terminal.
if (process.send) process.send(figures);
else console.log(JSON.stringify(figures));
