/**
 * Reliable sessions end to end over real sockets: a `ws` server with the session server
 * attached, and the client's session with the `ws` transport, on loopback.
 */
import { describe, expect, it } from 'vitest';
import { createReliableSession } from '../../src/reliable/index.js';
import { attachSessions, type ServerSession } from '../../src/server/index.js';
import { startWsServer } from '../support/ws-server.js';

describe('a reliable session over ws', () => {
  it('carries messages both ways, resumes after the server drops the socket, and ends with byes', async () => {
    const server = await startWsServer();
    const hub = attachSessions(server.server);
    const got: string[] = [];
    const sessions: ServerSession[] = [];
    const urls: (string | undefined)[] = [];
    hub.on('session', (s) => {
      urls.push(s.request?.url);
      sessions.push(s);
      s.on('message', (m) => {
        got.push(String(m));
        s.send(`echo ${String(m)}`);
      });
    });
    const client = createReliableSession(`${server.url}?room=1`);
    const back: string[] = [];
    const events: string[] = [];
    client.on('state', (e) => events.push(e.state));
    client.on('message', (m) => back.push(m as string));
    client.send('a');
    client.send('b');
    await new Promise<void>((resolve) => client.on('message', () => back.length === 2 && resolve()));
    expect(got).toEqual(['a', 'b']);
    expect(back).toEqual(['echo a', 'echo b']);
    // drop the socket server-side
    server.connections[0]!.socket.terminate();
    await new Promise<void>((resolve) => client.on('session', (s) => s.resumed && resolve()));
    client.send('c');
    await new Promise<void>((resolve) => client.on('message', () => back.length === 3 && resolve()));
    expect(back).toEqual(['echo a', 'echo b', 'echo c']);
    const closed = await client.close(1000, 'done');
    expect(events).toContain('live');
    expect(closed.code).toBe(1000);
    expect(sessions[0]!.state).toBe('closed');
    expect(await sessions[0]!.closed).toEqual({ reason: 'client-closed' });
    expect(sessions.length).toBe(1);
    // The upgrade request is there for the application's session listener (its URL, its cookies).
    expect(urls).toEqual(['/?room=1']);
    hub.close();
    await server.close();
  });
});
