/**
 * A plain page with the inspector element: `npm run example:inspector` serves it.
 *
 * The page opens a connection to the playground's chat first, and adds `<statesock-inspector>`
 * only when asked: the element still shows it from its creation, with its statechart, because
 * `statesock/inspector` was imported (first) before the connection was created. No framework,
 * no network beyond the page's own server: the statechart is in the script.
 */
import 'statesock/inspector';
import { createConnection, jsonChannel, type Connection } from 'statesock';
import { CHAT_PATH, CHAT_PROTOCOL, type ClientMessage, type ServerMessage } from '../../playground/protocol.js';

const button = (id: string) => document.getElementById(id) as HTMLButtonElement;
let connection: Connection | undefined;

function connect(): void {
  const url = new URL(`${CHAT_PATH}?client=inspector-example-${Math.random().toString(36).slice(2, 8)}`, location.href);
  const current = createConnection(url, { protocols: [CHAT_PROTOCOL] });
  connection = current;
  const chat = jsonChannel<ServerMessage, ClientMessage>(current);
  // Queued while connecting, sent on open: the inspector shows the queue until then.
  chat.send({ type: 'username', id: 0, name: 'inspected', date: Date.now() });
  chat.send({ type: 'message', id: 0, text: 'hello from a plain page', date: Date.now() });
}

button('connect').addEventListener('click', connect);
button('close').addEventListener('click', () => void connection?.close(1000, 'bye'));
button('show').addEventListener('click', () => {
  // Created after the connection: it shows every live connection of the page, newest first.
  document.getElementById('inspectors')!.append(document.createElement('statesock-inspector'));
  button('show').disabled = true;
});
connect();
