/**
 * `ManagedWebSocket` and reconnection, on the in-memory transport: as a drop-in it means what
 * `WebSocket` means (one connection, no reconnect); with `{ reconnect: true }` every attempt
 * fires its own events, in the platform's order, and `readyState` reads CONNECTING during the wait.
 */
import { describe, expect, it } from 'vitest';
import { CloseEvent, ManagedWebSocket } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

function managed(options: { reconnect?: boolean } = {}) {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  const ws = new ManagedWebSocket('ws://example.test/chat', [], {
    transport: memory.transport,
    clock,
    reconnectJitter: false,
    minReconnectDelay: 1000,
    ...options,
  });
  const log: string[] = [];
  for (const type of ['open', 'error', 'close']) {
    ws.addEventListener(type, (event) => {
      const detail = event instanceof CloseEvent ? ` ${event.code}` : '';
      log.push(`${type}${detail}@${ws.readyState}`);
    });
  }
  return { memory, clock, ws, log };
}

describe('ManagedWebSocket and reconnection', () => {
  it('does not reconnect by default: one error, one close, then CLOSED for good', () => {
    const { memory, clock, ws, log } = managed();
    memory.socket.refuse();
    expect(log).toEqual(['error@3', 'close 1006@3']);
    clock.advance(3_600_000);
    expect(memory.sockets).toHaveLength(1);
    expect(ws.readyState).toBe(ManagedWebSocket.CLOSED);
  });

  it('with { reconnect: true }, fires each attempt its own error and close, and reads CONNECTING during the wait', async () => {
    const { memory, clock, ws, log } = managed({ reconnect: true });
    memory.socket.refuse();
    // The standard fires error right before close; here the connection already waits to reconnect.
    expect(log).toEqual(['error@0', 'close 1006@0']);
    expect(ws.readyState).toBe(ManagedWebSocket.CONNECTING);
    clock.advance(999);
    expect(memory.sockets).toHaveLength(1);
    clock.advance(1);
    memory.socket.accept();
    memory.socket.completeClose(1012, 'restart');
    expect(log.slice(2)).toEqual(['open@1', 'close 1012@0']);
    expect(ws.readyState).toBe(ManagedWebSocket.CONNECTING);
    clock.advance(2000);
    memory.socket.accept();
    ws.close(1000);
    await Promise.resolve(); // nothing buffered: the drain is reported in a microtask, then the handshake starts
    memory.socket.completeClose();
    expect(log.slice(4)).toEqual(['open@1', 'close 1000@3']);
    expect(memory.sockets).toHaveLength(3);
  });

  it('queues what is sent during the wait and sends it on the next open', () => {
    const { memory, clock, ws } = managed({ reconnect: true });
    memory.socket.accept();
    memory.socket.drop();
    ws.send('while reconnecting');
    expect(ws.bufferedAmount).toBe('while reconnecting'.length);
    clock.advance(1000);
    memory.socket.accept();
    memory.socket.flush();
    expect(memory.socket.written.map((message) => message.data)).toEqual(['while reconnecting']);
  });
});
