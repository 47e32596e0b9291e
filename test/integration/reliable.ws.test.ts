/**
 * Reliable sessions end to end over real sockets: a `ws` server with the session server
 * attached, and the client's session with the `ws` transport, on loopback.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { createReliableSession } from '../../src/reliable/index.js';
import { attachSessions, type ServerSession } from '../../src/server/index.js';
import { SimulatedClock } from '../../src/testing/index.js';
import { startWsServer } from '../support/ws-server.js';

/** A raw `ws` client offering the session subprotocol: the test writes its frames by hand. */
async function rawSessionClient(url: string): Promise<{ socket: WebSocket; frames: string[]; closed: Promise<[number, string]> }> {
  const socket = new WebSocket(url, ['statesock.session.v1']);
  const frames: string[] = [];
  socket.on('message', (data, isBinary) => frames.push(isBinary ? '<binary>' : (data as Buffer).toString()));
  const closed = once(socket, 'close').then(([code, reason]) => [code as number, String(reason)] as [number, string]);
  await once(socket, 'open');
  return { socket, frames, closed };
}

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

  it('closes a socket that breaks the protocol (4400), and drops one whose client never answers the bye', async () => {
    const server = await startWsServer();
    const clock = new SimulatedClock();
    const hub = attachSessions(server.server, { clock, byeTimeout: 500 });
    const sessions: ServerSession[] = [];
    hub.on('session', (session) => sessions.push(session));

    const rude = await rawSessionClient(server.url);
    rude.socket.send('not a start');
    expect(await rude.closed).toEqual([4400, 'protocol-error']);
    expect(rude.frames).toEqual(['{"t":"hello","protocol":"statesock.session.v1","v":1,"maxMessages":1000,"maxBytes":1048576}']);

    const deaf = await rawSessionClient(server.url);
    const answered = new Promise<void>((resolve) => deaf.socket.on('message', () => deaf.frames.length === 2 && resolve()));
    deaf.socket.send('{"t":"start","v":1,"maxMessages":4,"maxBytes":100}');
    await answered;
    const [session] = sessions;
    const bye = new Promise<void>((resolve) => deaf.socket.on('message', () => deaf.frames.length === 3 && resolve()));
    const ended = session!.close();
    await bye;
    expect(deaf.frames[2]).toBe('{"t":"bye","seq":0}');
    clock.advance(500); // no bye comes back: the server drops the socket
    expect((await deaf.closed)[0]).toBe(1006);
    expect(await ended).toEqual({ reason: 'server-closed' });
    hub.close();
    await server.close();
  });
});
