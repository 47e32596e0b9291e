/**
 * `npm start`: a short tour of the library on an embedded local `ws` server (port 0, offline).
 * It follows the seed guide (MDN, "Writing WebSocket client applications"): open with a
 * subprotocol, send before open (queued), send JSON, receive and dispatch JSON by `type`,
 * close after buffered data drains, and a failed connect reported as error, then close.
 */
import { createServer } from 'node:net';
import { WebSocketServer } from 'ws';
import { createConnection, type CloseInfo } from '../src/index.js';

type ChatMessage =
  | { type: 'id'; id: number }
  | { type: 'message'; id: number; text: string; date: number }
  | { type: 'userlist'; users: string[] };

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('json') ? 'json' : false) });
await new Promise<void>((resolve) => server.once('listening', resolve));
const { port } = server.address() as { port: number };
let nextId = 1;
server.on('connection', (socket) => {
  const id = nextId++;
  socket.send(JSON.stringify({ type: 'id', id }));
  socket.on('message', (data) => {
    // Chat messages arrive as JSON ({ type: 'message', text }); anything else is echoed as text.
    let text = String(data);
    try {
      text = (JSON.parse(text) as { text?: string }).text ?? text;
    } catch {}
    socket.send(JSON.stringify({ type: 'message', id, text, date: Date.now() }));
  });
});

const url = `ws://127.0.0.1:${port}/chat`;
console.log(`server listening on ${url}`);

const connection = createConnection(url, { protocols: ['json'] });
connection.on('state', ({ state, readyState }) => console.log(`  state    ${state} (readyState ${readyState})`));
connection.on('open', ({ protocol }) => console.log(`  open     subprotocol "${protocol}"`));
connection.on('undelivered', ({ data, reason }) => console.log(`  undelivered ${String(data)}: ${reason}`));

// Sent while connecting: queued, then flushed in order on open, before the open event.
connection.send('hello before open');
console.log(`  queued   ${connection.queuedMessages} message(s), bufferedAmount ${connection.bufferedAmount}`);

let received = 0;
const allEchoed = new Promise<void>((resolve) => {
  connection.on('message', (data) => {
    const message = JSON.parse(String(data)) as ChatMessage;
    switch (message.type) {
      case 'id':
        console.log(`  message  the server calls us client ${message.id}`);
        break;
      case 'message':
        console.log(`  message  echo of "${message.text}"`);
        if (++received === 3) resolve();
        break;
      case 'userlist':
        console.log(`  message  users: ${message.users.join(', ')}`);
        break;
    }
  });
});
connection.on('open', () => {
  connection.send(JSON.stringify({ type: 'message', text: 'hi' }));
  connection.send(new Uint8Array([104, 105])); // binary: "hi"
});
await allEchoed;

const info: CloseInfo = await connection.close(1000, 'bye');
console.log(`  closed   ${JSON.stringify(info)}`);

// A failed connect: exactly one error, then exactly one close 1006; the queued message is reported.
const refused = createConnection(`ws://127.0.0.1:${await closedPort()}/`);
refused.on('error', ({ cause, message }) => console.log(`  error    ${cause}: ${message}`));
refused.on('undelivered', ({ data, reason }) => console.log(`  undelivered "${String(data)}": ${reason}`));
refused.send('never sent');
console.log(`  closed   ${JSON.stringify(await refused.closed)}`);

server.close();
console.log('done');

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
