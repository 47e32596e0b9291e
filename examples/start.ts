/**
 * `npm start -- --headless`: a scripted tour of the connection lifecycle in the terminal, on the
 * playground's own server (embedded, loopback, port 0: offline). Two Node clients chat in the
 * JSON chat protocol of MDN's "Writing WebSocket client applications" through `jsonChannel`, then the server injects faults through the same
 * control endpoint the playground page uses. Every state each connection passes through is
 * printed as the connection reports it.
 *
 * Set `STATESOCK_INSPECT=ws://localhost:8080` to also send every machine event to a Stately
 * WebSocket inspector relay there (`createInspectorServer` from `@statelyai/inspect/server`).
 */
import { pathToFileURL } from 'node:url';
import { createConnection, jsonChannel, type Connection, type ConnectionOptions, type JsonChannel } from '../src/index.js';
import { startPlayground } from '../playground/server.js';
import {
  CHAT_PATH,
  CHAT_PROTOCOL,
  FAULT_PATH,
  type ClientMessage,
  type FaultRequest,
  type FaultResponse,
  type ServerMessage,
} from '../playground/protocol.js';

type Chat = JsonChannel<ServerMessage, ClientMessage>;

export interface TourOptions {
  /** An XState inspection observer for every connection the tour opens. */
  readonly inspect?: ConnectionOptions['inspect'];
  /** Where the tour prints. @default console.log */
  readonly print?: (line: string) => void;
}

/** Runs the tour; resolves once every connection and the server are closed. */
export async function runTour({ inspect, print = console.log }: TourOptions = {}): Promise<void> {
  const playground = await startPlayground({ port: 0 });
  const base = new URL(playground.url);
  print(`statesock tour: the playground's chat server is at ${playground.url} (ws: ${CHAT_PATH}, faults: POST ${FAULT_PATH})`);
  const step = (title: string) => print(`\n${title}`);

  /** Opens a connection as `client` (the name the server aims faults at), printing what it reports. */
  const open = (client: string, options: ConnectionOptions = {}): { connection: Connection; chat: Chat } => {
    const url = new URL(`${CHAT_PATH}?client=${client}`, base);
    // Short reconnect waits, so the tour does not stand still; the defaults start at 1 s.
    const connection = createConnection(url, {
      protocols: [CHAT_PROTOCOL],
      minReconnectDelay: 200,
      ...(inspect ? { inspect } : {}),
      ...options,
    });
    const say = (text: string) => print(`  [${client}] ${text}`);
    connection.on('state', ({ state, readyState }) =>
      say(`state ${state} (readyState ${readyState}), bufferedAmount ${connection.bufferedAmount}`),
    );
    connection.on('open', ({ protocol }) => say(`open, subprotocol "${protocol}"`));
    connection.on('error', ({ cause, message }) => say(`error ${cause}: ${message}`));
    connection.on('close', ({ code, reason, cause, wasClean, willReconnect }) =>
      say(
        `close ${code}${reason ? ` "${reason}"` : ''}, cause ${cause}, ${wasClean ? 'clean' : 'unclean'}, ${willReconnect ? 'will reconnect' : 'final'}`,
      ),
    );
    connection.on('reconnecting', ({ attempt, retry, delay }) =>
      say(`reconnecting: attempt ${attempt} in ${delay} ms (reconnect ${retry} in a row), queue ${connection.queuedMessages}`),
    );
    connection.on('giveup', ({ reason }) => say(`giveup ${reason}`));
    connection.on('undelivered', ({ data, reason }) => say(`undelivered (${reason}): ${typeof data === 'string' ? data : 'binary data'}`));
    const chat: Chat = jsonChannel<ServerMessage, ClientMessage>(connection);
    chat.on('id', ({ id }) => say(`← id ${id}`));
    chat.on('rejectusername', ({ name }) => say(`← rejectusername: the server calls us ${name}`));
    chat.on('userlist', ({ users }) => say(`← userlist ${users.join(', ')}`));
    chat.on('message', ({ name, text }) => say(`← message ${name}: ${text}`));
    chat.onParseError(({ reason, data }) => say(`parse-error (${reason}) ${JSON.stringify(data)}; state still ${connection.state}`));
    return { connection, chat };
  };

  const fault = async (request: FaultRequest): Promise<void> => {
    if (request.fault !== 'refuse' && request.fault !== 'stall') print(`  [server] fault ${request.fault} for ${request.client}`);
    const response = await fetch(new URL(FAULT_PATH, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const result = (await response.json()) as FaultResponse;
    if (!result.ok) throw new Error(`fault ${request.fault}: ${result.error}`);
    if (result.applies === 'next-handshake') print(`  [server] fault ${request.fault} armed for ${request.client}'s next handshake`);
  };

  try {
    step('1. Two clients sign in, both as "alice"; what they send while connecting is queued and flushed on open.');
    const alice = open('alice');
    const bob = open('bob');
    alice.chat.send({ type: 'username', id: 0, name: 'alice', date: Date.now() });
    print(`  [alice] queued ${alice.connection.queuedMessages} message(s), bufferedAmount ${alice.connection.bufferedAmount}`);
    bob.chat.send({ type: 'username', id: 0, name: 'alice', date: Date.now() }); // taken: the server renames bob
    await Promise.all([until(alice.chat, 'userlist', ({ users }) => users.length === 2), until(bob.chat, 'rejectusername')]);

    step('2. They chat: messages are objects out, typed objects in, dispatched by `type`.');
    const heard = until(bob.chat, 'message', ({ text }) => text === 'hello bob');
    alice.chat.send({ type: 'message', id: 0, text: 'hello bob', date: Date.now() });
    await heard;

    step('3. The server sends something that is not JSON: a parse-error, and the connection stays open.');
    const parseError = new Promise<void>((resolve) => alice.chat.onParseError(() => resolve()));
    await fault({ client: 'alice', fault: 'garbage' });
    await parseError;

    step('4. The server reads alice slowly; 8 MiB pile up; close() waits in closing.draining until they are out.');
    await fault({ client: 'alice', fault: 'slow-drain', bytesPerSecond: 8 * 1024 * 1024 });
    const filler = 'x'.repeat(64 * 1024 - 30);
    for (let i = 0; i < 128; i++) alice.chat.send({ type: 'filler', data: filler });
    print(`  [alice] bufferedAmount ${alice.connection.bufferedAmount} after sending; close(1000)`);
    await alice.connection.close(1000, 'bye');

    step('5. The server closes bob with code 4001: an application code, which the default policy will not retry, so he gives up.');
    await fault({ client: 'bob', fault: 'close', code: 4001, reason: 'kicked' });
    await bob.connection.closed;

    step(
      "6. The server refuses carol's handshake with HTTP 503: error, then close 1006; a 503 is worth a retry, and her queued message waits for it.",
    );
    await fault({ client: 'carol', fault: 'refuse' });
    const carol = open('carol');
    carol.chat.send({ type: 'message', id: 0, text: 'anyone?', date: Date.now() });
    await until(carol.chat, 'message', ({ text }) => text === 'anyone?'); // flushed on the reconnect's open
    await carol.connection.close(1000);

    step("7. The server never answers dave's handshake: connectTimeout (1 s here) ends it, and with maxRetries 0 he gives up at once.");
    await fault({ client: 'dave', fault: 'stall' });
    await open('dave', { connectTimeout: 1000, maxRetries: 0 }).connection.closed;

    step("8. The server drops erin's TCP connection: close 1006, no closing handshake; she reconnects (a new id) until she closes.");
    const erin = open('erin');
    await until(erin.chat, 'id');
    const reconnected = until(erin.chat, 'id');
    await fault({ client: 'erin', fault: 'drop' });
    await reconnected;
    await erin.connection.close(1000);
  } finally {
    await playground.close();
  }
  print('\ndone: every connection is closed and the server has stopped.');
}

/** Resolves with the first message of `type` that `test` accepts. */
function until<T extends ServerMessage['type']>(
  chat: Chat,
  type: T,
  test: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true,
): Promise<void> {
  return new Promise((resolve) => {
    const stop = chat.on(type, (message) => {
      if (!test(message)) return;
      stop();
      resolve();
    });
  });
}

/**
 * A Stately WebSocket inspector, only when `STATESOCK_INSPECT` names a relay: it retries every
 * 5 s forever when nothing listens, so it never starts unasked (and never in tests).
 */
export async function inspectorFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ inspect: ConnectionOptions['inspect']; stop(): void } | undefined> {
  const url = env.STATESOCK_INSPECT;
  if (!url) return undefined;
  const { createWebSocketInspector } = await import('@statelyai/inspect');
  const inspector = createWebSocketInspector({ url, autoStart: false });
  inspector.start();
  console.log(`inspector: sending machine events to ${url}`);
  return { inspect: inspector.inspect, stop: () => inspector.stop() };
}

/** Runs the tour, with the inspector if asked; exits 0 when done, even if the inspector is still retrying. */
export async function main(): Promise<void> {
  const inspector = await inspectorFromEnv();
  await runTour(inspector ? { inspect: inspector.inspect } : {});
  if (inspector) {
    // The inspector converts each event in a later task (setTimeout 0): let those run first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    inspector.stop();
    // The inspector may have a reconnect timer pending; give its close frame a moment, then leave.
    setTimeout(() => process.exit(0), 200).unref();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
