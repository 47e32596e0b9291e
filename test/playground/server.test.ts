/**
 * The playground's server from Node, with the library's own clients (`ws` transport, typed
 * through `jsonChannel`): the chat protocol of MDN's guide, each fault the page can inject, the control
 * endpoint's answers to bad requests, and a close that leaves nothing behind. Port 0, no sleeps:
 * every wait is for an event, and the one timeout runs on a simulated clock.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection, jsonChannel, type ConnectionOptions } from '../../src/index.js';
import { SimulatedClock } from '../../src/testing/index.js';
import { startPlayground, type Playground } from '../../playground/server.js';
import type { ClientMessage, ServerMessage } from '../../playground/protocol.js';

let playground: Playground;
const serverLog: string[] = [];
let onServerLog = () => {};

beforeAll(async () => {
  playground = await startPlayground({
    port: 0,
    log: (line) => {
      serverLog.push(line);
      onServerLog();
    },
  });
});

afterAll(async () => {
  // Set by beforeAll, unless it failed part way: then some are still undefined.
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  await playground?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

/** Resolves once the server has logged a line matching `pattern`. */
function serverSaid(pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => serverLog.some((line) => pattern.test(line)) && resolve();
    const previous = onServerLog;
    onServerLog = () => {
      previous();
      check();
    };
    check();
  });
}

/** A chat client named `client` (the name faults are aimed at), recording what it hears. */
function join(client: string, options: ConnectionOptions = {}, base = playground) {
  const connection = createConnection(new URL(`/chat?client=${client}`, base.url), { protocols: ['json'], ...options });
  const chat = jsonChannel<ServerMessage, ClientMessage>(connection);
  const states: string[] = []; // the first state event reports the initial state
  const events: string[] = [];
  connection.on('state', ({ state }) => states.push(state));
  connection.on('error', ({ cause }) => events.push(`error ${cause}`));
  connection.on('close', ({ code, reason, wasClean, willReconnect }) =>
    events.push(`close ${code}${reason ? ` ${reason}` : ''} ${wasClean ? 'clean' : 'unclean'}${willReconnect ? ' will-reconnect' : ''}`),
  );
  connection.on('giveup', ({ reason }) => events.push(`giveup ${reason}`));
  chat.onParseError(({ reason }) => events.push(`parse-error ${reason}`));
  /** The next message of `type` that `test` accepts. */
  const next = <T extends ServerMessage['type']>(type: T, test: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true) =>
    new Promise<Extract<ServerMessage, { type: T }>>((resolve) => {
      const stop = chat.on(type, (message) => {
        if (!test(message)) return;
        stop();
        resolve(message);
      });
    });
  const signIn = (name: string) => chat.send({ type: 'username', id: 0, name, date: Date.now() });
  const say = (text: string) => chat.send({ type: 'message', id: 0, text, date: Date.now() });
  return { connection, chat, states, events, next, signIn, say };
}

async function fault(body: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL('/fault', playground.url), {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('the chat, as MDN\'s "Writing WebSocket client applications" describes it', () => {
  it('gives each client its id first, renames a taken username and keeps every user list current', async () => {
    const ann = join('chat-1');
    const firstId = ann.next('id');
    ann.signIn('ann');
    expect((await firstId).id).toBeGreaterThan(0);
    await ann.next('userlist', ({ users }) => users.includes('ann'));
    const other = join('chat-2');
    const renamed = other.next('rejectusername');
    const announced = ann.next('username');
    const bothListed = ann.next('userlist', ({ users }) => users.length === 2);
    other.signIn('ann');
    expect((await renamed).name).toBe('ann2');
    expect((await announced).name).toBe('ann2');
    expect((await bothListed).users).toEqual(['ann', 'ann2']);
    const alone = ann.next('userlist', ({ users }) => users.length === 1);
    await other.connection.close();
    expect((await alone).users).toEqual(['ann']);
    await ann.connection.close();
  });

  it("sends each message to everyone, its sender included, with the sender's name; ignores what it cannot read", async () => {
    const a = join('chat-3');
    const b = join('chat-4');
    a.signIn('amy');
    b.signIn('bo');
    await b.next('userlist', ({ users }) => users.includes('amy') && users.includes('bo'));
    a.connection.send('not json');
    a.connection.send(new Uint8Array([1, 2, 3]));
    const [toA, toB] = [a.next('message'), b.next('message')];
    a.say('hello');
    for (const message of await Promise.all([toA, toB])) expect(message).toMatchObject({ type: 'message', name: 'amy', text: 'hello' });
    await Promise.all([a.connection.close(), b.connection.close()]);
  });
});

describe('faults', () => {
  it('drop: destroys the TCP connection, so the client closes 1006 without a handshake, and reconnects', async () => {
    const client = join('drop-1');
    const firstId = (await client.next('id')).id;
    const nextId = client.next('id');
    expect(await fault({ client: 'drop-1', fault: 'drop' })).toEqual({ status: 200, body: { ok: true, applies: 'now' } });
    expect((await nextId).id).toBeGreaterThan(firstId); // a new socket, which the server numbers anew
    expect(client.events).toEqual(['close 1006 unclean will-reconnect']);
    expect(client.states).toEqual(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
    await client.connection.close();
  });

  it('close: starts the closing handshake with the code and reason given', async () => {
    const client = join('close-1');
    await client.next('id');
    await fault({ client: 'close-1', fault: 'close', code: 4001, reason: 'kicked' });
    await client.connection.closed;
    // 4001 is the application's code: the default policy does not retry it.
    expect(client.events).toEqual(['close 4001 kicked clean', 'giveup not-retryable']);
  });

  it('refuse: answers the next handshake with 503, which the client reports as error, then close 1006, and retries', async () => {
    expect(await fault({ client: 'refuse-1', fault: 'refuse' })).toEqual({ status: 200, body: { ok: true, applies: 'next-handshake' } });
    const client = join('refuse-1');
    await client.next('id'); // the fault was for one handshake only: the retry gets through
    expect(client.events).toEqual(['error handshake-failed', 'close 1006 unclean will-reconnect']);
    expect(client.states).toEqual(['connecting', 'reconnecting', 'connecting', 'open']);
    await client.connection.close();
  });

  it('stall: never answers the next handshake, so only the connect timeout ends it', async () => {
    await fault({ client: 'stall-1', fault: 'stall' });
    const clock = new SimulatedClock();
    const client = join('stall-1', { clock, connectTimeout: 5000, reconnect: false });
    await serverSaid(/stalled the opening handshake of "stall-1"/);
    expect(client.connection.state).toBe('connecting');
    clock.advance(5000);
    await client.connection.closed;
    expect(client.events).toEqual(['error connect-timeout', 'close 1006 unclean']);
  });

  it('garbage: sends text that is not JSON, a parse-error for the client, whose connection stays open', async () => {
    const client = join('garbage-1');
    await client.next('id');
    await fault({ client: 'garbage-1', fault: 'garbage' });
    const echoed = client.next('message');
    client.say('still here');
    expect((await echoed).text).toBe('still here');
    expect(client.events).toEqual(['parse-error invalid-json']);
    expect(client.connection.state).toBe('open');
    await client.connection.close();
  });

  it('slow-drain: reads slowly, so close() after a burst waits in closing.draining until it is written out', async () => {
    const client = join('slow-1');
    await client.next('id');
    await fault({ client: 'slow-1', fault: 'slow-drain', bytesPerSecond: 8 * 1024 * 1024 });
    const filler = 'x'.repeat(64 * 1024 - 30); // with its JSON, just under the server's 64 KiB cap
    for (let i = 0; i < 128; i++) client.chat.send({ type: 'filler', data: filler });
    const started = performance.now();
    const drained = new Promise<number>((resolve) =>
      client.connection.on('state', ({ state }) => state === 'closing.handshake' && resolve(performance.now())),
    );
    const closing = client.connection.close(1000, 'done');
    expect(client.connection.state).toBe('closing.draining');
    // Unthrottled, 8 MiB cross loopback in a few ms; at 8 MiB/s, what the kernel's buffers do not
    // hold takes hundreds. A lower bound only: a slow machine cannot make this fail.
    expect((await drained) - started).toBeGreaterThan(150);
    expect(await closing).toMatchObject({ code: 1000, wasClean: true });
    expect(client.states).toEqual(['connecting', 'open', 'closing.draining', 'closing.handshake', 'closed']);
  });
});

describe('the control endpoint', () => {
  it('answers a fault for a client without a connection with 409, and a malformed request with 4xx', async () => {
    expect(await fault({ client: 'nobody', fault: 'drop' })).toMatchObject({ status: 409, body: { ok: false } });
    for (const bad of [
      { client: 'x', fault: 'explode' },
      { fault: 'drop' },
      { client: 'x', fault: 'close', code: 1005 },
      { client: 'x', fault: 'close', code: 4001, reason: 'é'.repeat(62) },
      [1],
    ]) {
      expect(await fault(bad), JSON.stringify(bad)).toMatchObject({ status: 400, body: { ok: false } });
    }
    // A form post from another site cannot send JSON without a CORS preflight, which never succeeds.
    expect((await fault({ client: 'x', fault: 'drop' }, 'text/plain')).status).toBe(415);
    expect((await fetch(new URL('/fault', playground.url))).status).toBe(405);
  });

  it('serves the page, its script and the diagram, and 404 for anything else', async () => {
    const get = (path: string) => fetch(new URL(path, playground.url));
    expect((await get('/')).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await get('/main.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get('/bot-worker.js')).status).toBe(200);
    expect((await get('/diagram.svg')).headers.get('content-type')).toBe('image/svg+xml');
    expect((await get('/nothing-here')).status).toBe(404);
  });
});

/**
 * A raw HTTP request to the playground with the headers a test chooses (fetch will not set
 * `Host`): resolves with the status, 101 for an accepted WebSocket upgrade.
 */
async function rawStatus(path: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  const { port } = playground;
  const upgrade = headers['upgrade'] === 'websocket';
  const sent = request({ host: '127.0.0.1', port, path, method, headers: { ...headers, ...(upgrade ? WS_HEADERS : {}) } });
  sent.end(method === 'POST' ? JSON.stringify({ client: 'nobody', fault: 'drop' }) : undefined);
  // A refusal is a `response`; an accepted upgrade an `upgrade`, whose socket is then dropped.
  const [answer] = (await Promise.race([once(sent, 'response'), once(sent, 'upgrade')])) as [
    { statusCode: number; socket: { destroy(): void } },
  ];
  answer.socket.destroy();
  return answer.statusCode;
}

const WS_HEADERS = {
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
  'sec-websocket-protocol': 'json',
};

describe('who may connect', () => {
  const own = () => ({ host: `127.0.0.1:${playground.port}`, origin: `http://127.0.0.1:${playground.port}` });

  it('accepts a WebSocket from its own page, and one from a client that sends no Origin (not a browser)', async () => {
    expect(await rawStatus('/chat?client=who-1', { ...own(), upgrade: 'websocket' })).toBe(101);
    expect(await rawStatus('/chat?client=who-2', { host: own().host, upgrade: 'websocket' })).toBe(101);
  });

  it('refuses a WebSocket from another origin: a page elsewhere cannot join the chat and read it', async () => {
    expect(await rawStatus('/chat?client=who-3', { host: own().host, origin: 'http://evil.example', upgrade: 'websocket' })).toBe(403);
    const client = join('who-4', { origin: 'http://evil.example' }); // 403 is final: no reconnect
    await client.connection.closed;
    expect(client.events).toEqual(['error handshake-failed', 'close 1006 unclean', 'giveup not-retryable']);
    expect(serverLog).not.toContainEqual(expect.stringContaining('"who-4" connected'));
  });

  it('refuses any request under another Host: a name rebound to 127.0.0.1 reaches neither the page, the chat nor /fault', async () => {
    const rebound = { host: `rebound.example:${playground.port}` };
    expect(await rawStatus('/', rebound)).toBe(403);
    expect(await rawStatus('/chat?client=who-5', { ...rebound, upgrade: 'websocket' })).toBe(403);
    expect(await rawStatus('/fault', { ...rebound, 'content-type': 'application/json' }, 'POST')).toBe(403);
    expect(await rawStatus('/', own())).toBe(200);
  });

  it('refuses a fault request from another origin', async () => {
    expect(await rawStatus('/fault', { host: own().host, origin: 'http://evil.example', 'content-type': 'application/json' }, 'POST')).toBe(
      403,
    );
    expect(await rawStatus('/fault', { ...own(), 'content-type': 'application/json' }, 'POST')).toBe(409); // its own page's: no such client
  });
});

describe('chat messages', () => {
  it('are capped at 64 KiB: a bigger one closes that client with 1009, and nobody hears it', async () => {
    const big = join('cap-1', { reconnect: false });
    const other = join('cap-2', { reconnect: false });
    await Promise.all([big.next('id'), other.next('id')]);
    const heard: string[] = [];
    other.chat.on('message', ({ text }) => heard.push(text));
    big.say('x'.repeat(64 * 1024));
    const heardFirst = other.next('message').then(({ text }) => `heard ${text.length} characters`);
    expect(await Promise.race([big.connection.closed, heardFirst])).toMatchObject({ code: 1009, wasClean: true });
    const echoed = other.next('message');
    other.say('after');
    expect((await echoed).text).toBe('after');
    expect(heard).toEqual(['after']);
    await other.connection.close();
  });
});

describe('closing the server', () => {
  it('ends open connections and stalled handshakes alike, and stops listening', async () => {
    let stalledNow = () => {};
    const stalledSeen = new Promise<void>((resolve) => (stalledNow = resolve));
    const own = await startPlayground({ port: 0, log: (line) => line.startsWith('stalled') && stalledNow() });
    // One attempt each: this is about what the server ends, and a reconnect to it could only be refused.
    const open = join('end-1', { reconnect: false }, own);
    await open.next('id');
    await fetch(new URL('/fault', own.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'end-2', fault: 'stall' }),
    });
    const stalled = join('end-2', { reconnect: false }, own);
    await stalledSeen;
    await own.close();
    expect(await open.connection.closed).toMatchObject({ code: 1006, wasClean: false });
    expect(await stalled.connection.closed).toMatchObject({ code: 1006, wasClean: false });
    await expect(fetch(own.url)).rejects.toThrow();
  });
});
