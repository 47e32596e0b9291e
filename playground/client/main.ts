/**
 * The playground page: a chat client of MDN's example protocol on the library's browser entry
 * (`createConnection` over the native `WebSocket`, `jsonChannel` for the typed messages), fault
 * buttons, and the `<statesock-inspector>` element any application can show: the machine's
 * diagram with the current state marked, the connection's event log, the queue and
 * `bufferedAmount`. The page's own log keeps what only the page knows: chat messages, parse
 * errors, faults asked for, the bot in its Worker.
 */
import type { InspectionEvent } from 'xstate';
// First, so the element hears every connection this page creates.
import '../../src/inspector/index.js';
import { createConnection, jsonChannel, type Connection, type JsonChannel } from '../../src/index.browser.js';
import {
  CHAT_PATH,
  CHAT_PROTOCOL,
  FAULT_PATH,
  type ClientMessage,
  type FaultRequest,
  type FaultResponse,
  type ServerMessage,
} from '../protocol.js';
import type { BotReport } from './bot-worker.js';
import { createChatView } from './chat-view.js';
import { createLog, preview } from './log.js';

const FILLER_CHUNK = 64 * 1024;
const FILLER_TOTAL = 8 * 1024 * 1024;

// The element is the page's own, of the type the caller names.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- names the element type for the caller
const $ = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;
const log = createLog($('log'));
const chatView = createChatView($('users'), $('messages'));
const usernameInput = $<HTMLInputElement>('username');
const textInput = $<HTMLInputElement>('text');

/** Names this page to the server, so faults hit this page's connection and no other. */
const clientToken = Math.random().toString(36).slice(2, 10);
let connection: Connection | undefined;
let chat: JsonChannel<ServerMessage, ClientMessage> | undefined;
let myId = 0;
let myName = '';
/** Forwards inspection events to the Stately inspector once someone opens it (online only). */
let stately: { next?: (event: InspectionEvent) => void } | undefined;
/** The chat bot running in a Web Worker, while it runs. */
let bot: Worker | undefined;

function connect(): void {
  if (connection !== undefined && connection.readyState !== 3) return;
  myId = 0;
  $('m-id').textContent = '(not yet)';
  const url = new URL(`${CHAT_PATH}?client=${clientToken}`, location.href); // http: becomes ws:
  const current = createConnection(url, { protocols: [CHAT_PROTOCOL], inspect: (event) => stately?.next?.(event) });
  connection = current;
  chat = jsonChannel<ServerMessage, ClientMessage>(current);
  log.append('info', `new connection to ${url.pathname}${url.search}`);

  current.on('state', updateButtons);
  let opens = 0;
  current.on('open', () => {
    // A reconnect is a new socket, which the server knows by a new id and no name: sign in again.
    // The first open needs nothing: the name queued below was flushed before this event.
    if (opens++ > 0) sendName();
  });
  current.on('close', ({ code, cause, willReconnect }) => {
    chatView.notice(`Disconnected (${code}, ${cause})${willReconnect ? '; reconnecting…' : '.'}`);
    chatView.showUsers([], myName);
  });
  current.on('reconnecting', () => {
    myId = 0;
    $('m-id').textContent = '(not yet)';
  });
  current.on('giveup', ({ reason, close }) => {
    chatView.notice(
      reason === 'not-retryable'
        ? `The server ended the chat (${close.code}); Connect starts again.`
        : 'Gave up reconnecting; Connect starts again.',
    );
  });

  chat.onMessage((message) => log.append('message', `← ${message.type}`));
  chat.onParseError(({ reason, data }) => {
    log.append('parse-error', `${reason}: ${preview(data)} (the connection stays up)`);
    chatView.notice('The server sent something that is not JSON; see the log.');
  });
  chat.on('id', ({ id }) => {
    myId = id;
    $('m-id').textContent = String(id);
  });
  chat.on('userlist', ({ users }) => chatView.showUsers(users, myName));
  chat.on('message', ({ name, text, date }) => chatView.say(name, text, date));
  chat.on('username', ({ name }) => chatView.notice(`${name} signed in.`));
  chat.on('rejectusername', ({ name }) => {
    myName = name;
    usernameInput.value = name;
    chatView.notice(`That name is taken: you are ${name}.`);
  });
  // Sent while connecting: queued, and flushed before the open event.
  sendName();
}

function sendName(): void {
  myName = usernameInput.value.trim() || 'guest';
  chat?.send({ type: 'username', id: myId, name: myName, date: Date.now() });
}

/** Connect while there is no connection or it is over; Close while it is neither closing nor over. */
function updateButtons(): void {
  const closed = connection === undefined || connection.readyState === 3;
  $<HTMLButtonElement>('connect').disabled = !closed;
  $<HTMLButtonElement>('close').disabled = closed || connection?.readyState === 2;
}

async function injectFault(request: FaultRequest): Promise<void> {
  log.append('fault', `${request.fault}${request.fault === 'close' ? ` ${request.code}` : ''} requested`);
  const response = await fetch(FAULT_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const result = (await response.json()) as FaultResponse;
  log.append(
    'fault',
    result.ok
      ? `${request.fault}: applies ${result.applies === 'now' ? 'now' : 'to the next handshake'}`
      : `${request.fault}: ${result.error}`,
  );
}

async function openStatelyInspector(): Promise<void> {
  // Online only: the Stately inspector is a page on stately.ai. Loaded on demand, so the
  // playground itself never touches the network.
  const { createBrowserInspector } = await import('@statelyai/inspect');
  const inspector = createBrowserInspector();
  stately = inspector.inspect;
  if (connection !== undefined) inspector.actor(connection.actor, connection.actor.getSnapshot());
  log.append('info', 'Stately inspector opened in a new window (it needs internet)');
}

$('connect').addEventListener('click', connect);
$('close').addEventListener('click', () => void connection?.close(1000, 'bye'));
$('name-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (connection?.readyState === 3) connect();
  else sendName();
});
$('message-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = textInput.value.trim();
  if (text === '' || chat === undefined) return;
  chat.send({ type: 'message', id: myId, text, date: Date.now() });
  textInput.value = '';
});
$('burst').addEventListener('click', () => {
  const data = 'x'.repeat(FILLER_CHUNK - 30);
  for (let sent = 0; sent < FILLER_TOTAL; sent += FILLER_CHUNK) chat?.send({ type: 'filler', data });
  log.append('info', `sent ${FILLER_TOTAL / 1024 / 1024} MiB of filler in ${FILLER_TOTAL / FILLER_CHUNK} messages`);
});
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-fault]')) {
  button.addEventListener('click', () => {
    const fault = button.dataset.fault as FaultRequest['fault'];
    const request: FaultRequest =
      fault === 'close'
        ? { client: clientToken, fault, code: Number($<HTMLInputElement>('close-code').value), reason: 'closed from the playground' }
        : { client: clientToken, fault };
    injectFault(request).catch((error: unknown) => log.append('fault', `${fault}: ${String(error)}`));
  });
}
$('bot').addEventListener('click', () => {
  if (bot !== undefined) {
    bot.postMessage('close');
    return;
  }
  const worker = new Worker('/bot-worker.js', { type: 'module' });
  bot = worker;
  const stopped = () => {
    worker.terminate();
    bot = undefined;
    $('bot').textContent = 'Start a bot in a Web Worker';
  };
  worker.onmessage = ({ data }: MessageEvent<BotReport>) => {
    if (data.kind === 'state') log.append('worker', `bot state ${data.state}`);
    if (data.kind === 'said') log.append('worker', `bot said ${preview(data.text)}`);
    if (data.kind === 'closed') {
      log.append('worker', `bot closed (${data.code})`);
      stopped();
    }
  };
  worker.onerror = (event) => {
    log.append('worker', `bot failed: ${event.message}`);
    stopped();
  };
  $('bot').textContent = 'Stop the bot';
});
$('stately').addEventListener('click', () => {
  openStatelyInspector().catch((error: unknown) => log.append('info', `the Stately inspector did not load: ${String(error)}`));
});

connect();
updateButtons();
document.body.dataset.ready = 'true';
