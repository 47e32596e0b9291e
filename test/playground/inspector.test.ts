/**
 * `@statelyai/inspect` with the `inspect` option: the observer its inspectors share takes the
 * connection's actor, machine definition and events. Nothing here starts an inspector or opens
 * a socket: the inspector is built on a capturing adapter with `autoStart: false` (the browser
 * and WebSocket inspectors differ from it only in where the adapter sends events).
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { inspectorFromEnv } from '../../examples/start.js';
import { createConnection } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

describe('the Stately inspector', () => {
  it("receives the connection's machine definition, its events and each snapshot through the inspect option", async () => {
    const seen: StatelyInspectionEvent[] = [];
    let settle = () => {};
    const inspector = createInspector(
      {
        send: (event) => {
          seen.push(event);
          settle();
        },
      },
      { autoStart: false },
    );
    const memory = createMemoryTransport();
    const connection = createConnection('wss://user:secret@chat.example.test/socket?token=abc', {
      transport: memory.transport,
      clock: new SimulatedClock(),
      inspect: inspector.inspect,
    });
    memory.socket.accept();
    void connection.close();
    memory.socket.flush();
    await Promise.resolve(); // the drain report is a microtask
    memory.socket.completeClose();
    expect(connection.state).toBe('closed');
    // The inspector converts events in a later task (setTimeout in Node): wait for the last snapshot.
    await new Promise<void>((resolve) => {
      settle = () => seen.some((e) => e.type === '@xstate.snapshot' && (e.snapshot as { value?: unknown }).value === 'closed') && resolve();
      settle();
    });
    const actor = seen.find((e) => e.type === '@xstate.actor');
    expect(actor?.type === '@xstate.actor' && JSON.parse(actor.definition!)).toMatchObject({ id: 'connection', initial: 'connecting' });
    const events = seen.flatMap((e) => (e.type === '@xstate.event' ? [e.event.type] : []));
    expect(events).toEqual(['xstate.init', 'socket.open', 'user.close', 'socket.drained', 'socket.close']);
    // Inspectors see the context, so the URL there has no credentials or query.
    expect(JSON.stringify(seen)).not.toMatch(/secret|token=abc/);
  });

  it('starts no WebSocket inspector unless STATESOCK_INSPECT names one', async () => {
    expect(await inspectorFromEnv({})).toBeUndefined();
    expect(await inspectorFromEnv({ STATESOCK_INSPECT: '' })).toBeUndefined();
  });
});
