/**
 * A local `wss:` server for tests, with the test-only self-signed certificate in
 * `test/fixtures/` (valid for `localhost` and 127.0.0.1; see the README there). Clients trust
 * it only by being given `TEST_CA` explicitly: nothing here touches the system's trust store or
 * `NODE_TLS_REJECT_UNAUTHORIZED`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { serveWebSockets, type TestWsServer, type WsServerOptions } from './ws-server.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** The test certificate (PEM), to pass as the `ca` option. */
export const TEST_CA: string = fixture('localhost-cert.pem');
const TEST_KEY: string = fixture('localhost-key.pem');

/** Starts an `https` server with the test certificate and a `WebSocketServer` on it, on 127.0.0.1, port 0. */
export function startWssServer(options: WsServerOptions = {}): Promise<TestWsServer> {
  return serveWebSockets(createServer({ cert: TEST_CA, key: TEST_KEY }), 'wss', options);
}

/**
 * Like `startWssServer`, with a certificate for `localhost` signed by a test CA nobody has (not
 * self-signed): a client cannot verify it, and OpenSSL says `UNABLE_TO_VERIFY_LEAF_SIGNATURE`,
 * as for a server that leaves out its intermediate certificate.
 */
export function startUnknownIssuerWssServer(options: WsServerOptions = {}): Promise<TestWsServer> {
  const server = createServer({ cert: fixture('unknown-issuer-cert.pem'), key: fixture('unknown-issuer-key.pem') });
  return serveWebSockets(server, 'wss', options);
}
