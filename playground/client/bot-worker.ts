/**
 * A chat bot in a dedicated Web Worker: the library's browser entry over the Worker's native
 * `WebSocket`, speaking MDN's example chat protocol through `jsonChannel`. It signs in as `worker-bot` and
 * answers every message not from a bot; it reports each state to the page. `close` stops it.
 */
import { createConnection, jsonChannel } from '../../src/index.browser.js';
import { CHAT_PATH, CHAT_PROTOCOL, type ClientMessage, type ServerMessage } from '../protocol.js';

/** What the bot tells the page. */
export type BotReport =
  | { readonly kind: 'state'; readonly state: string }
  | { readonly kind: 'said'; readonly text: string }
  | { readonly kind: 'closed'; readonly code: number };

const report = (message: BotReport) => self.postMessage(message);

// Relative to this worker script's URL, which the page loaded from the playground's origin.
const url = new URL(`${CHAT_PATH}?client=worker-bot-${Math.random().toString(36).slice(2, 8)}`, self.location.href);
const connection = createConnection(url, { protocols: [CHAT_PROTOCOL] });
const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
let myId = 0;
let myName = 'worker-bot';

connection.on('state', ({ state }) => report({ kind: 'state', state }));
// The promise settles after every event of the final close, the last `state` included.
void connection.closed.then(({ code }) => report({ kind: 'closed', code }));
const signIn = () => chat.send({ type: 'username', id: myId, name: myName, date: Date.now() });
// Queued until the first open; a reconnect's new socket is a stranger to the server: sign in again.
signIn();
let opens = 0;
connection.on('open', () => opens++ > 0 && signIn());
chat.on('id', ({ id }) => (myId = id));
chat.on('rejectusername', ({ name }) => (myName = name));
chat.on('message', ({ name, text }) => {
  if (name.startsWith('worker-bot')) return; // bots do not answer bots, or two would talk forever
  const answer = `${myName} (in a Web Worker) heard ${name}: "${text.slice(0, 200)}"`;
  chat.send({ type: 'message', id: myId, text: answer, date: Date.now() });
  report({ kind: 'said', text: answer });
});
chat.onParseError(({ reason }) => report({ kind: 'said', text: `(could not read a message: ${reason})` }));

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.data === 'close') void connection.close(1000, 'bot stopped');
});
