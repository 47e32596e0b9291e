/**
 * `createConnection` against real servers on loopback, for what guards the connection: the
 * secure-only policy, redaction of credentials and tokens, `maxPayload`, TLS verification with
 * a test CA, and the handshake headers. Port 0 everywhere, no sleeps, nothing left behind.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/index.js';
import { startUnknownIssuerWssServer, startWssServer, TEST_CA } from '../support/tls.js';
import { refusedPort, startWsServer } from '../support/ws-server.js';
import { nextEvent, useHarness } from '../support/harness.js';

const { serve, connect } = useHarness();

/** Sends `text` and resolves with the next message (the server echoes). */
async function echo(connection: Connection, text: string): Promise<unknown> {
  const reply = nextEvent(connection, 'message');
  connection.send(text);
  return reply;
}

describe('createConnection security', () => {
  it('refuses ws: to a remote host with secureOnly, and allows ws: to loopback', async () => {
    let error: unknown;
    try {
      connect('ws://example.com/', { secureOnly: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('SecurityError');

    const server = serve(await startWsServer({ echo: true }));
    const connection = connect(server.url, { secureOnly: true });
    await nextEvent(connection, 'open');
    expect(await echo(connection, 'loopback')).toBe('loopback');
  });

  it('keeps the password and the query out of error messages and the machine context', async () => {
    const connection = connect(`ws://user:pass@127.0.0.1:${await refusedPort()}/?token=s3cret`, { reconnect: false });
    const failure = nextEvent(connection, 'error');

    const { message } = await failure;
    const { url } = connection.actor.getSnapshot().context;
    await connection.closed;
    for (const text of [message, url]) {
      expect(text).not.toContain('pass');
      expect(text).not.toContain('s3cret');
    }
    expect(url).toContain('127.0.0.1');
  });

  it('closes with 1009 when an inbound message exceeds maxPayload', async () => {
    const server = serve(await startWsServer());
    const serverClosed = new Promise<number>((resolve) =>
      server.server.on('connection', (socket) => {
        socket.on('close', (code) => resolve(code));
        socket.send(new Uint8Array(4096));
      }),
    );
    const connection = connect(server.url, { maxPayload: 1024 });
    const events: string[] = [];
    connection.on('message', () => events.push('message'));
    connection.on('close', () => events.push('close'));
    const failure = nextEvent(connection, 'error').then((payload) => {
      events.push('error');
      return payload;
    });

    expect(await failure).toMatchObject({ cause: 'message-too-big' });
    expect(await connection.closed).toMatchObject({ cause: 'message-too-big' });
    expect(events).toEqual(['error', 'close']);
    expect(await serverClosed).toBe(1009);
  });

  describe('a compression bomb', () => {
    /** 24 MiB of one byte: about 24 KiB on the wire with permessage-deflate, past the default maxPayload once inflated. */
    const BOMB = 24 * 1024 * 1024;

    /** A server that sends the bomb, compressed, as soon as a client connects; resolves with the close code it gets back. */
    async function bombServer() {
      const server = serve(await startWsServer({ perMessageDeflate: true }));
      const closedWith = new Promise<number>((resolve) =>
        server.server.on('connection', (socket) => {
          socket.on('close', (code) => resolve(code));
          socket.send(Buffer.alloc(BOMB, 0x61), { compress: true });
        }),
      );
      return { server, closedWith };
    }

    it('closes with 1009 once the inflated message passes the default maxPayload, and does not reconnect', async () => {
      const { server, closedWith } = await bombServer();
      const connection = connect(server.url);
      const opened = nextEvent(connection, 'open');
      const delivered = nextEvent(connection, 'message').then(() => 'the bomb was delivered');
      const giveup = nextEvent(connection, 'giveup');
      expect((await opened).extensions).toContain('permessage-deflate');
      expect(await Promise.race([delivered, connection.closed])).toMatchObject({ code: 1006, cause: 'message-too-big' });
      expect(await giveup).toMatchObject({ reason: 'not-retryable' });
      expect(await closedWith).toBe(1009);
      expect(server.connections).toHaveLength(1);
    });

    it('negotiates no compression with perMessageDeflate: false', async () => {
      const server = serve(await startWsServer({ perMessageDeflate: true }));
      const connection = connect(server.url, { perMessageDeflate: false });
      expect((await nextEvent(connection, 'open')).extensions).toBe('');
    });
  });

  describe('wss: with the test certificate', () => {
    it('opens and echoes when the certificate is trusted through ca', async () => {
      const server = serve(await startWssServer({ echo: true }));
      expect(server.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
      const connection = connect(server.url, { ca: TEST_CA });
      await nextEvent(connection, 'open');
      expect(await echo(connection, 'over tls')).toBe('over tls');
    });

    it('fails the TLS handshake when the certificate is not trusted, and gives up: it would fail again', async () => {
      const server = serve(await startWssServer({ echo: true }));
      const connection = connect(server.url);
      const failure = nextEvent(connection, 'error');
      const giveup = nextEvent(connection, 'giveup');

      expect(await failure).toMatchObject({ cause: 'tls-failed' });
      expect(await giveup).toMatchObject({ reason: 'not-retryable' });
      expect(await connection.closed).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'tls-failed' });
      expect(server.connections).toEqual([]);
    });

    it('gives up as well on a certificate whose issuer is unknown (a chain missing its intermediate)', async () => {
      const server = serve(await startUnknownIssuerWssServer({ echo: true }));
      const connection = connect(server.url, { ca: TEST_CA });
      const failure = nextEvent(connection, 'error');
      const giveup = nextEvent(connection, 'giveup');

      expect(await failure).toMatchObject({
        cause: 'tls-failed',
        message: expect.stringMatching(/unable to verify the first certificate/),
      });
      expect(await giveup).toMatchObject({ reason: 'not-retryable' });
      expect(server.connections).toEqual([]);
    });
  });

  it('sends custom headers and the origin with the opening handshake', async () => {
    const server = serve(await startWsServer());
    const upgrade = once(server.server, 'connection');
    connect(server.url, { headers: { Authorization: 'Bearer t0ken' }, origin: 'https://app.example' });

    const [, request] = (await upgrade) as [unknown, { headers: Record<string, string | undefined> }];
    expect({ authorization: request.headers.authorization, origin: request.headers.origin }).toEqual({
      authorization: 'Bearer t0ken',
      origin: 'https://app.example',
    });
  });
});
