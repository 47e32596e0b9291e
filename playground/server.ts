/**
 * The playground's server: one http server on loopback that serves the page, its script
 * (bundled from `client.ts` with esbuild at startup, in memory), the committed
 * `diagrams/connection.svg` byte for byte, MDN's example chat over WebSocket at `/chat`, and the
 * fault control endpoint at `/fault`. Nothing is fetched from the network. Only requests for its
 * own host, from its own page or from no page, are answered (`admission.ts`), and chat messages
 * are capped at `MAX_CHAT_MESSAGE`.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import { Admission } from './admission.js';
import { ChatRoom } from './chat-room.js';
import { FaultInjector } from './faults.js';
import { CHAT_PATH, CHAT_PROTOCOL, FAULT_PATH, MAX_CHAT_MESSAGE } from './protocol.js';

export interface PlaygroundOptions {
  /** The port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** The address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Hears what the server does: chat clients coming and going, faults taking effect. @default nothing */
  readonly log?: (line: string) => void;
}

export interface Playground {
  /** The page's URL, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  /** Closes every socket (chat, stalled handshakes, page loads) and stops listening. */
  close(): Promise<void>;
}

interface Asset {
  readonly body: string | Uint8Array;
  readonly type: string;
}

const MAX_FAULT_BODY = 4096;

/** The path of the diagram the page shows: the committed one, so the page draws exactly what `diagrams/` does. */
export const DIAGRAM_FILE = fileURLToPath(new URL('../diagrams/connection.svg', import.meta.url));

/** Starts the playground; resolves once it listens. */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const assets = await loadAssets();
  const room = new ChatRoom();
  const log = options.log ?? (() => {});
  const faults = new FaultInjector(log);
  const chat = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(CHAT_PROTOCOL) ? CHAT_PROTOCOL : false),
    // A bigger message closes its socket with 1009 before it is buffered whole.
    maxPayload: MAX_CHAT_MESSAGE,
  });
  /** Set once listening, before any request can arrive. */
  let admission: Admission | undefined = undefined; // set once the server listens

  const server = createServer((request, response) => {
    const refusal = admission === undefined ? 'not listening yet' : admission.refusal(request);
    if (refusal !== undefined) {
      log(`refused ${request.method ?? ''} ${request.url ?? ''}: ${refusal}`);
      response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`forbidden: ${refusal}\n`);
      return;
    }
    void answer(request, response, assets, faults).catch(() => response.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, duplex: Duplex, head: Buffer) => {
    // Node types the upgrade's socket as a stream; on a TCP server it is the TCP socket.
    if (!(duplex instanceof Socket)) throw new TypeError('Expected the upgrade to arrive on a TCP socket');
    const tcp = duplex;
    tcp.on('error', () => {}); // a client that gives up mid-handshake is expected here
    const refusal = admission === undefined ? 'not listening yet' : admission.refusal(request);
    if (refusal !== undefined) {
      log(`refused a WebSocket upgrade: ${refusal}`);
      tcp.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://playground');
    if (url.pathname !== CHAT_PATH) {
      tcp.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const client = url.searchParams.get('client') ?? '';
    if (faults.intercept(client, tcp)) return;
    chat.handleUpgrade(request, tcp, head, (socket) => {
      log(`chat: ${JSON.stringify(client)} connected`);
      socket.once('close', (code) => log(`chat: ${JSON.stringify(client)} disconnected (${code})`));
      faults.attach(client, socket, tcp);
      room.join(socket);
    });
  });

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  admission = new Admission(host, port);
  return {
    url: `http://${host}:${port}/`,
    port,
    async close() {
      faults.close();
      // Each chat socket's close is awaited, so what it logs comes before close() resolves.
      const chatClosed = [...chat.clients].map((client) => once(client, 'close'));
      for (const client of chat.clients) client.terminate();
      chat.close();
      await Promise.all(chatClosed);
      const closed = server.listening ? once(server, 'close') : Promise.resolve();
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  assets: ReadonlyMap<string, Asset>,
  faults: FaultInjector,
): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://playground');
  if (pathname === FAULT_PATH) {
    if (request.method !== 'POST') {
      reply(response, 405, { ok: false, error: 'POST a fault request as JSON' }, { allow: 'POST' });
      return;
    }
    // Requiring JSON keeps other sites out: a cross-origin JSON POST needs a CORS preflight, which this server never grants.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      reply(response, 415, { ok: false, error: 'expected application/json' });
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      reply(response, 413, { ok: false, error: `expected at most ${MAX_FAULT_BODY} bytes` });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      reply(response, 400, { ok: false, error: 'expected a JSON body' });
      return;
    }
    const { status, body: result } = faults.apply(parsed);
    reply(response, status, result);
    return;
  }
  const asset = request.method === 'GET' || request.method === 'HEAD' ? assets.get(pathname) : undefined;
  if (asset === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  response
    .writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' })
    .end(request.method === 'HEAD' ? undefined : asset.body);
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

/** The request's body as text, or undefined if it is too long for a fault request. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_FAULT_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The page, its bundled script (and lazily loaded chunks) and the diagram, by URL path. */
async function loadAssets(): Promise<Map<string, Asset>> {
  const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  const [page, diagram, bundle] = await Promise.all([
    readFile(here('./page.html'), 'utf8'),
    readFile(DIAGRAM_FILE),
    build({
      entryPoints: [here('./client/main.ts'), here('./client/bot-worker.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      // Splitting keeps the Stately inspector (online only) out of the page until it is asked for.
      splitting: true,
      platform: 'browser',
      target: 'chrome120',
      outdir: '/assets',
      sourcemap: 'inline',
      logLevel: 'silent',
    }),
  ]);
  const assets = new Map<string, Asset>([
    ['/', { body: page, type: 'text/html; charset=utf-8' }],
    ['/diagram.svg', { body: diagram, type: 'image/svg+xml' }],
  ]);
  for (const file of bundle.outputFiles) assets.set(`/${basename(file.path)}`, { body: file.text, type: 'text/javascript; charset=utf-8' });
  return assets;
}
