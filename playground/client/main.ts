/**
 * The playground page: a chat client of MDN's example protocol on the library's browser entry
 * (`createConnection` over the native `WebSocket`, `jsonChannel` for the typed messages), beside
 * the machine's diagram with the current state marked, an event log fed by the connection's
 * events and a plain `inspect` function, the queue and `bufferedAmount`, and fault buttons.
 */
import type { InspectionEvent } from 'xstate';
import { createConnection, jsonChannel, type Connection, type ConnectionStateName, type JsonChannel } from '../../src/index.browser.js';
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
import { loadDiagram } from './diagram.js';
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
const diagram = await loadDiagram($('diagram'), '/diagram.svg');

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
/** The machine state the diagram last saw, from inspection snapshots: edges are drawn from it. */
let machineState = 'connecting';

function connect(): void {
  if (connection !== undefined && connection.readyState !== 3) return;
  myId = 0;
  $('m-id').textContent = '(not yet)';
  machineState = 'connecting';
  const url = new URL(`${CHAT_PATH}?client=${clientToken}`, location.href); // http: becomes ws:
  const current = createConnection(url, { protocols: [CHAT_PROTOCOL], inspect: (event) => inspect(event) });
  connection = current;
  chat = jsonChannel<ServerMessage, ClientMessage>(current);
  diagram.showState(current.state);
  // The connection reports its initial state itself, with the first `state` event.
  log.append('info', `new connection to ${url.pathname}${url.search}`);

  current.on('state', ({ state, readyState }) => {
    diagram.showState(state);
    log.append('state', `${state} (readyState ${readyState})`);
    updateMeters();
  });
  let opens = 0;
  current.on('open', ({ protocol }) => {
    log.append('open', `subprotocol "${protocol}"`);
    // A reconnect is a new socket, which the server knows by a new id and no name: sign in again.
    // The first open needs nothing: the name queued below was flushed before this event.
    if (opens++ > 0) sendName();
  });
  current.on('error', ({ cause, message }) => log.append('error', `${cause}: ${message}`));
  current.on('close', ({ code, reason, wasClean, cause, willReconnect }) => {
    log.append(
      'close',
      `${code} ${reason ? `"${reason}" ` : ''}${cause} ${wasClean ? 'clean' : 'unclean'}${willReconnect ? ', will reconnect' : ''}`,
    );
    chatView.notice(`Disconnected (${code}, ${cause})${willReconnect ? '; reconnecting…' : '.'}`);
    chatView.showUsers([], myName);
  });
  current.on('reconnecting', ({ attempt, retry, delay }) => {
    myId = 0;
    $('m-id').textContent = '(not yet)';
    log.append('reconnecting', `attempt ${attempt} in ${delay} ms (reconnect ${retry} in a row); what you send meanwhile is queued`);
  });
  current.on('giveup', ({ reason, close }) => {
    log.append('giveup', `${reason} after ${close.code} ${close.cause}`);
    chatView.notice(
      reason === 'not-retryable'
        ? `The server ended the chat (${close.code}); Connect starts again.`
        : 'Gave up reconnecting; Connect starts again.',
    );
  });
  current.on('undelivered', ({ data, reason }) => log.append('undelivered', `${reason}: ${preview(data)}`));

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

function inspect(event: InspectionEvent): void {
  stately?.next?.(event);
  if (event.type === '@xstate.event') log.append('machine', event.event.type);
  if (event.type === '@xstate.snapshot') {
    const value = (event.snapshot as { value?: unknown }).value;
    const next =
      typeof value === 'string'
        ? value
        : Object.entries(value as Record<string, string>).map(([parent, child]) => `${parent}.${child}`)[0]!;
    diagram.showTransition(machineState, next, event.event.type);
    machineState = next;
  }
}

function sendName(): void {
  myName = usernameInput.value.trim() || 'guest';
  chat?.send({ type: 'username', id: myId, name: myName, date: Date.now() });
}

function updateMeters(): void {
  const state: ConnectionStateName | 'none' = connection?.state ?? 'none';
  const buffered = connection?.bufferedAmount ?? 0;
  const stateMeter = $('m-state');
  stateMeter.textContent = state;
  stateMeter.dataset.state = state;
  $('m-ready').textContent = String(connection?.readyState ?? '');
  $('m-queued').textContent = String(connection?.queuedMessages ?? 0);
  $('m-buffered').textContent = buffered.toLocaleString('en');
  $<HTMLProgressElement>('m-buffered-bar').value = Math.min(buffered, FILLER_TOTAL);
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

$<HTMLProgressElement>('m-buffered-bar').max = FILLER_TOTAL;
// bufferedAmount and the queue change without an event to say so: sample them.
setInterval(updateMeters, 100);
connect();
updateMeters();
document.body.dataset.ready = 'true';
