/**
 * A Node application using the package's main API, compiled with no DOM lib: the package's
 * declarations must need no more than Node's own global types.
 */
import {
  CloseEvent,
  ManagedWebSocket,
  UndeliveredEvent,
  createConnection,
  jsonChannel,
  wsTransport,
  type CloseEventInfo,
  type Connection,
  type ConnectionStateName,
  type IncomingData,
  type UndeliveredMessage,
} from 'statesock';
import { SimulatedClock, createMemoryTransport, lifecyclePaths, type LifecyclePath, type MemorySocket } from 'statesock/testing';

const connection: Connection = createConnection('wss://example.test/socket', {
  transport: wsTransport,
  headers: { authorization: 'Bearer token' },
  signal: AbortSignal.timeout(60_000),
  shouldReconnect: ({ code }) => code !== 4001,
});
connection.on('message', (data: IncomingData) =>
  console.log(typeof data === 'string' ? data : data instanceof ArrayBuffer ? data.byteLength : data.size),
);
connection.on('close', ({ code, willReconnect }: CloseEventInfo) => console.log(code, willReconnect));
connection.on('undelivered', ({ data, reason }: UndeliveredMessage) => console.log(data, reason));
connection.on('state', ({ state }: { state: ConnectionStateName }) => console.log(state));
const accepted: boolean = connection.send(new Uint8Array([1, 2, 3]));
void connection.close(1000, 'done').then(({ cause }) => console.log(accepted, cause));

type ServerMessage = { type: 'hello'; name: string };
type ClientMessage = { type: 'greet'; text: string };
const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
chat.on('hello', ({ name }) => chat.send({ type: 'greet', text: `hi ${name}` }));

const socket = new ManagedWebSocket('ws://127.0.0.1:8080', ['chat'], { reconnect: true });
socket.binaryType = 'arraybuffer';
socket.onmessage = (event) => {
  const data: IncomingData = event.data;
  // @ts-expect-error: `data` is typed, not `any`
  const wrong: number = event.data;
  console.log(data, wrong, event.origin, socket.readyState === ManagedWebSocket.OPEN);
};
socket.addEventListener('close', (event) => console.log(event.code, event.reason, event.wasClean), { once: true });
socket.addEventListener('undelivered', (event) => console.log(event.data, event.reason));
socket.addEventListener('open', { handleEvent: (event: Event) => console.log(event.type) });
socket.onclose = function (event) {
  console.log(this.url, event instanceof CloseEvent);
};
socket.send('hello');
const closeEvent = new CloseEvent('close', { code: 1000, wasClean: true });
const undelivered = new UndeliveredEvent('undelivered', { data: 'lost', reason: 'closed' });
console.log(closeEvent.code, undelivered.reason);

const memory = createMemoryTransport({ pings: true });
const clock = new SimulatedClock();
const tested = createConnection('ws://example.test', { transport: memory.transport, clock });
const server: MemorySocket = memory.socket;
server.accept();
server.deliver('welcome');
tested.send('ping');
server.flush();
clock.advance(1_000);
console.log(server.written.map(({ data }) => data));
const paths: LifecyclePath[] = lifecyclePaths();
void paths[0]?.run().then(({ connection: run, events }) => console.log(run.state, events));
