/**
 * A Node server and client with the package's Node-side entries: `statesock/server` on a `ws`
 * `WebSocketServer`, `statesock/reliable` and `statesock/streams`, compiled with no DOM lib.
 */
import { WebSocketServer } from 'ws';
import { createConnection } from 'statesock';
import { createReliableSession, type ReliableSession } from 'statesock/reliable';
import { attachSessions, memorySessionStore, type ServerSession, type ServerSessionEndReason } from 'statesock/server';
import { connectionStreams, UNREAD_LIMIT_CLOSE_CODE } from 'statesock/streams';

const server = new WebSocketServer({ port: 0 });
const sessions = attachSessions(server, { store: memorySessionStore(), sessionTimeout: 30_000 });
sessions.on('session', (session: ServerSession) => {
  session.on('message', (data) => session.send(typeof data === 'string' ? data.toUpperCase() : data));
  void session.closed.then(({ reason }: { reason: ServerSessionEndReason }) => console.log(session.id, reason));
});

const client: ReliableSession = createReliableSession('ws://127.0.0.1:8080');
client.on('message', (data) => console.log(data));
client.on('lost', ({ messages }) => console.log('lost', messages.length));
const sent: boolean = client.send('hello');

const connection = createConnection('ws://127.0.0.1:8080');
const { readable, writable } = connectionStreams(connection, { maxUnreadBytes: 1024 * 1024 });
const writer = writable.getWriter();
void writer.ready.then(() => writer.write('chunk'));
void readable
  .getReader()
  .read()
  .then(({ value }) => console.log(sent, value, UNREAD_LIMIT_CLOSE_CODE));
