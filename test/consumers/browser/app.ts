/**
 * A browser application using the package's main API, compiled with the DOM lib and without
 * Node's types, resolved as a bundler resolves it: events are the DOM's own types.
 */
import {
  CloseEvent,
  ManagedWebSocket,
  UndeliveredEvent,
  createConnection,
  jsonChannel,
  nativeTransport,
  type Connection,
  type ManagedWebSocketEventMap,
} from 'statesock';
import { SimulatedClock, createMemoryTransport, lifecyclePaths, type MemorySocket } from 'statesock/testing';

const connection: Connection = createConnection(() => `wss://${location.host}/socket`, {
  transport: nativeTransport(WebSocket),
  environment: window,
  pingMessage: '{"type":"ping"}',
});
connection.on('message', (data) => {
  if (data instanceof Blob) void data.text().then(console.log);
});
connection.send(new Blob(['binary']));

type ServerMessage = { type: 'hello'; name: string };
type ClientMessage = { type: 'greet'; text: string };
const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
chat.on('hello', ({ name }) => chat.send({ type: 'greet', text: `hi ${name}` }));

const socket = new ManagedWebSocket(new URL('/socket', location.href));
// The DOM's own event types, as a native WebSocket's listeners get them.
socket.onmessage = (event: MessageEvent<string | ArrayBuffer | Blob>) => console.log(event.data, event.origin);
socket.addEventListener('close', (event: globalThis.CloseEvent) => console.log(event.code), {
  passive: true,
  signal: AbortSignal.timeout(1_000),
});
socket.addEventListener('error', (event: Event) => console.log(event.type));
socket.addEventListener('message', (event) => {
  // @ts-expect-error: `data` is typed, not `any`
  const wrong: number = event.data;
  console.log(wrong, event.ports, event.lastEventId);
});
socket.addEventListener('undelivered', (event) => console.log(event.data, event.reason));
const listener: EventListenerOrEventListenerObject = { handleEvent: (event) => console.log(event) };
socket.addEventListener('custom', listener);
socket.removeEventListener('custom', listener);
const platformLike: Pick<WebSocket, 'send' | 'close' | 'readyState' | 'bufferedAmount'> = socket;
const handlers: { [K in keyof ManagedWebSocketEventMap]?: (event: ManagedWebSocketEventMap[K]) => void } = {
  close: (event) => console.log(event instanceof CloseEvent, event.wasClean),
  undelivered: (event: UndeliveredEvent) => console.log(event.data),
};
console.log(platformLike, handlers);

const memory = createMemoryTransport();
const clock = new SimulatedClock();
createConnection('ws://example.test', { transport: memory.transport, clock });
const server: MemorySocket = memory.socket;
server.accept();
server.flush();
console.log(lifecyclePaths().length);
