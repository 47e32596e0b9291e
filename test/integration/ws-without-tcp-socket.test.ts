/**
 * The `ws` transport when `ws` has changed shape and its TCP socket cannot be reached: every
 * message goes to `ws`, which frames and writes it on its own, and nothing else changes. Every
 * message is confirmed, in order, and `bufferedAmount` counts what is not.
 */
import { EventEmitter, once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/time.js';
import { wsTransport } from '../../src/transports/ws-transport.js';
import { countingAgent } from '../support/counting-agent.js';
import { useHarness } from '../support/harness.js';
import { startWsServer } from '../support/ws-server.js';

// A ws whose TCP socket is not where ws 8 keeps it.
vi.mock('../../src/transports/ws-internals.js', () => ({ TESTED_WS_MAJOR: 8, tcpSocketOf: () => undefined }));

const { serve } = useHarness();

describe('ws transport without a reachable TCP socket', () => {
  it('hands every message to ws, confirming every message in order', async () => {
    const server = serve(await startWsServer());
    const { agent, counts } = countingAgent();
    const events = new EventEmitter();
    const socket = wsTransport(
      { url: new URL(server.url), protocols: [], binaryType: 'arraybuffer', maxPayload: 1024, node: { agent }, clock: systemClock },
      { open: () => events.emit('open'), message: () => {}, error: () => {}, close: () => {}, pong: () => {} },
    );
    const [{ socket: peer }] = await Promise.all([server.nextConnection(), once(events, 'open')]);
    const messages = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const received: string[] = [];
    const all = new Promise<void>((resolve) =>
      peer.on('message', (data) => received.push((data as Buffer).toString()) === messages.length && resolve()),
    );
    const before = counts.writes;
    for (const message of messages) socket.send(message, message.length, message);
    expect(socket.bufferedAmount).toBe(messages.reduce((sum, m) => sum + m.length, 0));
    await new Promise<void>((resolve) => socket.whenDrained(resolve));
    // Frame by frame, Node hands the first to the kernel alone and batches what queued behind it: more than one write.
    expect(counts.writes - before).toBeGreaterThan(1);
    expect(socket.bufferedAmount).toBe(0);
    await all;
    expect(received).toEqual(messages);
    socket.terminate();
  });
});
