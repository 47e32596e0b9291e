// Imports the built package by its own name, as an application would (through package.json
// "exports"), and runs an echo, a queued send and a clean close against a local ws server, and a
// reliable session against the session server attached to it.
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { createConnection, ManagedWebSocket, connectionMachine } from 'statesock';
import { createMemoryTransport, SimulatedClock } from 'statesock/testing';
import { createReliableSession } from 'statesock/reliable';
import { attachSessions, offersSession } from 'statesock/server';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => server.once('listening', resolve));
server.on('connection', (socket, request) => {
  if (offersSession(request)) return; // the session server below takes those
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
const sessions = attachSessions(server);
sessions.on('session', (session) => session.on('message', (data) => session.send(`echo ${data.toString()}`)));
const url = `ws://127.0.0.1:${server.address().port}`;

const connection = createConnection(url);
connection.send('queued before open');
const echo = await new Promise((resolve) => connection.on('message', resolve));
assert.equal(echo, 'queued before open');
assert.deepEqual(await connection.close(1000, 'done'), { code: 1000, reason: 'done', wasClean: true, cause: 'normal' });

const socket = new ManagedWebSocket(url);
const closeEvent = await new Promise((resolve) => {
  socket.onopen = () => socket.close(4000, 'bye');
  socket.onclose = resolve;
});
assert.equal(closeEvent.code, 4000);

const memory = createMemoryTransport();
const inMemory = createConnection('ws://example.test', { transport: memory.transport, clock: new SimulatedClock() });
memory.socket.accept();
assert.equal(inMemory.readyState, 1);
assert.equal(connectionMachine.id, 'connection');

// The optional entries load in Node: the inspector, without a DOM, defines and records nothing;
// the React hooks render on the server and open nothing (the server would see an upgrade).
const { StatesockInspector } = await import('statesock/inspector');
assert.equal(typeof StatesockInspector, 'function');
const { useConnection } = await import('statesock/react');
const { createElement } = await import('react');
const { renderToString } = await import('react-dom/server');
let upgrades = 0;
server.on('connection', () => (upgrades += 1));
const Status = () => createElement('p', null, useConnection(url).state);
assert.equal(renderToString(createElement(Status)), '<p>connecting</p>');
const probe = createConnection(url);
await new Promise((resolve) => probe.on('open', resolve));
await probe.close(1000);
assert.equal(upgrades, 1); // the probe's alone

const reliable = createReliableSession(url);
reliable.send('numbered');
assert.equal(await new Promise((resolve) => reliable.on('message', resolve)), 'echo numbered');
assert.equal(reliable.state, 'live');
await reliable.close(1000);
sessions.close();

server.close();
console.log('dist smoke test passed: the built package works through its exports');
