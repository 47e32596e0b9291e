/**
 * The one hook through which an optional layer hears connections being created
 * (`onConnectionCreated`, set by `statesock/inspector`): every `Connection` reaches it, whichever
 * way it was made, once fully built; unset, nothing is called.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, createConnection, ManagedWebSocket } from '../../src/index.js';
import { onConnectionCreated } from '../../src/connection-internals.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

afterEach(() => onConnectionCreated(undefined));

const options = () => ({ transport: createMemoryTransport().transport, clock: new SimulatedClock() });

describe('onConnectionCreated', () => {
  it('hears every connection once, built: from createConnection, new Connection and a ManagedWebSocket', () => {
    const heard: { connection: Connection; state: string; url: string }[] = [];
    onConnectionCreated((connection) => heard.push({ connection, state: connection.state, url: connection.url }));
    const first = createConnection('ws://one.test/', options());
    const second = new Connection('ws://two.test/', options());
    const socket = new ManagedWebSocket('ws://three.test/', undefined, options());
    expect(heard.map(({ connection }) => connection)).toEqual([first, second, socket.connection]);
    expect(heard.map(({ state, url }) => [state, url])).toEqual([
      ['connecting', 'ws://one.test/'],
      ['connecting', 'ws://two.test/'],
      ['connecting', 'ws://three.test/'],
    ]);
  });

  it('is not called once removed, nor for a connection whose arguments are refused', () => {
    const heard: Connection[] = [];
    onConnectionCreated((connection) => heard.push(connection));
    expect(() => createConnection('ftp://bad.test/', options())).toThrow(/the scheme "ftp:"/);
    onConnectionCreated(undefined);
    createConnection('ws://after.test/', options());
    expect(heard).toEqual([]);
  });
});
