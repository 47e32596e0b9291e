/**
 * A React chat on the playground's protocol (MDN's "Writing WebSocket client applications"
 * chat), with `statesock/react`: `npm run example:react-chat` serves it.
 *
 * Three components ask for the same URL and options, and share one connection: the header's
 * status, the user list and the chat. Messages reach them through callbacks, which set state only
 * where something is shown. The page mounts in StrictMode: in development React mounts every
 * component twice, and the server still sees one connection.
 */
import { StrictMode, useState, type SyntheticEvent } from 'react';
import { createRoot } from 'react-dom/client';
import type { ConnectionOptions } from 'statesock';
import { useConnection, useConnectionEvent, useJsonChannel, useJsonMessage } from 'statesock/react';
import { CHAT_PATH, CHAT_PROTOCOL, type ClientMessage, type ServerMessage } from '../../playground/protocol.js';

const CHAT_URL = new URL(`${CHAT_PATH}?client=react-chat-${Math.random().toString(36).slice(2, 8)}`, location.href).href;
/** The same options in every component: that, with the URL, is what makes them share a connection. */
const OPTIONS: ConnectionOptions = { protocols: [CHAT_PROTOCOL] };

/** The shared connection's JSON channel, typed with the chat's messages. */
function useChat() {
  const result = useConnection(CHAT_URL, OPTIONS);
  return { ...result, chat: useJsonChannel<ServerMessage, ClientMessage>(result.connection) };
}

function Status() {
  const { state, readyState } = useConnection(CHAT_URL, OPTIONS);
  return (
    <p className="status" data-state={state}>
      {state} <small>(readyState {readyState})</small>
    </p>
  );
}

function Users() {
  const { chat } = useChat();
  const [users, setUsers] = useState<readonly string[]>([]);
  useJsonMessage(chat, 'userlist', (message) => setUsers(message.users));
  return (
    <ul className="users" aria-label="users">
      {users.map((user) => (
        <li key={user}>{user}</li>
      ))}
    </ul>
  );
}

interface Line {
  readonly key: number;
  readonly name: string;
  readonly text: string;
}

function Chat() {
  const { connection, chat, readyState } = useChat();
  const [name, setName] = useState('react-guest');
  const [lines, setLines] = useState<readonly Line[]>([]);
  const [draft, setDraft] = useState('');
  const note = (text: string) => setLines((old) => [...old.slice(-199), { key: Date.now() + Math.random(), name: '', text }]);

  // Sign in on every open: a reconnect is a new socket, which the server knows by no name.
  useConnectionEvent(connection, 'open', () => chat?.send({ type: 'username', id: 0, name, date: Date.now() }));
  useConnectionEvent(connection, 'close', ({ code, willReconnect }) =>
    note(`disconnected (${code})${willReconnect ? ', reconnecting…' : ''}`),
  );
  useJsonMessage(chat, 'message', (message) => setLines((old) => [...old.slice(-199), { key: message.date + message.id, ...message }]));
  useJsonMessage(chat, 'rejectusername', (message) => {
    setName(message.name);
    note(`that name is taken: you are ${message.name}`);
  });

  const say = (event: SyntheticEvent) => {
    event.preventDefault();
    if (draft.trim() === '') return;
    // Queued while connecting or reconnecting, sent once open: nothing is lost meanwhile.
    chat?.send({ type: 'message', id: 0, text: draft.trim(), date: Date.now() });
    setDraft('');
  };
  const rename = (event: SyntheticEvent) => {
    event.preventDefault();
    chat?.send({ type: 'username', id: 0, name, date: Date.now() });
  };

  return (
    <section>
      <form onSubmit={rename}>
        <input aria-label="name" value={name} onChange={(event) => setName(event.target.value)} maxLength={32} />
        <button>Set name</button>
      </form>
      <ol className="messages" aria-label="messages">
        {lines.map((line) => (
          <li key={line.key} className={line.name === '' ? 'notice' : undefined}>
            {line.name !== '' && <b>{line.name}</b>} {line.text}
          </li>
        ))}
      </ol>
      <form onSubmit={say}>
        <input aria-label="message" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Say something" />
        <button>Send</button>
        <button type="button" disabled={readyState === 3} onClick={() => void connection?.close(1000, 'bye')}>
          Close
        </button>
      </form>
    </section>
  );
}

function App() {
  return (
    <>
      <header>
        <h1>React chat</h1>
        <Status />
      </header>
      <main>
        <Users />
        <Chat />
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
