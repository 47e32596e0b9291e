// @vitest-environment happy-dom
/**
 * The hooks of `statesock/react` rendered by `react-dom` in Node on happy-dom, with the in-memory
 * transport and a simulated clock: state and `readyState` that follow the machine, one shared
 * connection for components (and StrictMode's double mount) that ask for the same URL and
 * options, its release after the last unmount, a connection given by its owner, and events and
 * typed messages handed to callbacks. Chromium runs the hooks against real servers
 * (`react.browser.test.ts`); this suite is what mutation testing can run.
 */
import { act, createElement, StrictMode, type ReactNode } from 'react';
import { createRoot, hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection, type Connection, type ConnectionOptions } from '../../src/index.js';
import { onConnectionCreated } from '../../src/connection-internals.js';
import { RELEASE_DELAY } from '../../src/react/shared.js';
import { useConnection, useConnectionEvent, useJsonChannel, useJsonMessage, type UseConnectionResult } from '../../src/react/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const roots: Root[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) act(() => root.unmount());
  onConnectionCreated(undefined);
});

/** Every connection created from now on, by anyone. */
function watchCreated(): Connection[] {
  const created: Connection[] = [];
  onConnectionCreated((connection) => created.push(connection));
  return created;
}

function render(node: ReactNode): Root {
  const root = createRoot(document.createElement('div'));
  roots.push(root);
  act(() => root.render(node));
  return root;
}

/** Options whose transport and clock are this test's: the same objects in every render, so one sharing key. */
function setup(): { memory: ReturnType<typeof createMemoryTransport>; clock: SimulatedClock; options: ConnectionOptions } {
  const memory = createMemoryTransport();
  const clock = new SimulatedClock();
  return { memory, clock, options: { transport: memory.transport, clock, heartbeatInterval: 0 } };
}

/** A component that reports what `useConnection` gave it on each render. */
function Probe({ url, options, seen }: { url: string; options: ConnectionOptions; seen: UseConnectionResult[] }): ReactNode {
  seen.push(useConnection(url, options));
  return null;
}

describe('useConnection(url, options)', () => {
  it('renders the state and readyState as the machine moves, and sends through the connection', () => {
    const { memory, options } = setup();
    const seen: UseConnectionResult[] = [];
    render(createElement(Probe, { url: 'wss://chat.test/', options, seen }));
    expect(seen.at(-1)).toMatchObject({ state: 'connecting', readyState: 0 });
    act(() => memory.socket.accept());
    expect(seen.at(-1)).toMatchObject({ state: 'open', readyState: 1 });
    expect(seen.at(-1)!.send('hello')).toBe(true);
    memory.socket.flush();
    expect(memory.socket.written.map(({ data }) => data)).toEqual(['hello']);
  });

  it('gives components asking for the same URL and options one connection, under StrictMode too', () => {
    const { memory, options } = setup();
    const first: UseConnectionResult[] = [];
    const second: UseConnectionResult[] = [];
    render(
      createElement(
        StrictMode,
        null,
        createElement(Probe, { url: 'wss://chat.test/', options, seen: first }),
        createElement(Probe, { url: 'wss://chat.test/', options: { ...options }, seen: second }),
      ),
    );
    expect(memory.sockets).toHaveLength(1);
    expect(first.at(-1)!.connection).toBe(second.at(-1)!.connection);
  });

  it('closes the connection RELEASE_DELAY after its last user unmounts, and keeps it through a quicker remount', () => {
    const { memory, clock, options } = setup();
    const seen: UseConnectionResult[] = [];
    const root = render(createElement(Probe, { url: 'wss://chat.test/', options, seen }));
    act(() => memory.socket.accept());
    const connection = seen.at(-1)!.connection!;
    act(() => root.render(null));
    act(() => clock.advance(RELEASE_DELAY - 1));
    act(() => root.render(createElement(Probe, { url: 'wss://chat.test/', options, seen })));
    expect(seen.at(-1)!.connection).toBe(connection);
    act(() => clock.advance(RELEASE_DELAY * 5));
    expect(connection.state).toBe('open');
    act(() => root.render(null));
    act(() => clock.advance(RELEASE_DELAY));
    expect(connection.state).toBe('closing.draining');
  });

  it('asks for a new connection when the URL changes', () => {
    const { memory, options } = setup();
    const seen: UseConnectionResult[] = [];
    const root = render(createElement(Probe, { url: 'wss://chat.test/a', options, seen }));
    const first = seen.at(-1)!.connection;
    act(() => root.render(createElement(Probe, { url: 'wss://chat.test/b', options, seen })));
    expect(seen.at(-1)!.connection).not.toBe(first);
    expect(seen.at(-1)!.connection!.url).toBe('wss://chat.test/b');
    expect(memory.sockets).toHaveLength(2);
    act(() => memory.socket.accept());
    expect(seen.at(-1)).toMatchObject({ state: 'open', readyState: 1 }); // the state of the new connection
  });

  it('lets go of its shared connection when given one of its own instead', () => {
    const { memory, clock, options } = setup();
    const seen: UseConnectionResult[] = [];
    function Switcher({ given }: { given?: Connection }): ReactNode {
      seen.push(given === undefined ? useConnection('wss://chat.test/', options) : useConnection(given));
      return null;
    }
    const root = render(createElement(Switcher));
    act(() => memory.socket.accept());
    const shared = seen.at(-1)!.connection!;
    const own = createConnection('wss://chat.test/own', options);
    act(() => root.render(createElement(Switcher, { given: own })));
    act(() => clock.advance(RELEASE_DELAY));
    expect(shared.state).toBe('closing.draining');
    expect(seen.at(-1)!.connection).toBe(own);
  });
});

describe('useConnection while hydrating', () => {
  it('opens nothing while hydrating server HTML, then one connection, which the state, sends, events and messages follow', () => {
    const { memory, options } = setup();
    const seen: UseConnectionResult[] = [];
    const refused: string[] = [];
    const heard: string[] = [];
    function App(): ReactNode {
      const result = useConnection('wss://chat.test/', options);
      seen.push(result);
      if (result.connection === undefined) {
        try {
          result.send('too early');
        } catch (error) {
          refused.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
      useConnectionEvent(result.connection, 'message', (data) => heard.push(data as string));
      useJsonMessage(useJsonChannel<{ type: 'id'; id: number }>(result.connection), 'id', ({ id }) => heard.push(`id ${id}`));
      return createElement('p', null, result.state);
    }
    const container = document.createElement('div');
    container.innerHTML = renderToString(createElement(App));
    expect([container.textContent, memory.sockets.length]).toEqual(['connecting', 0]);
    seen.length = 0;
    refused.length = 0;
    act(() => {
      roots.push(hydrateRoot(container, createElement(App)));
    });
    expect(seen[0]).toMatchObject({ connection: undefined, state: 'connecting', readyState: 0 });
    expect(refused[0]).toBe(
      'InvalidStateError: useConnection has no connection during server rendering or hydration: send from an effect or an event handler',
    );
    expect(memory.sockets).toHaveLength(1);
    act(() => memory.socket.accept());
    expect(container.textContent).toBe('open');
    act(() => memory.socket.deliver('{"type":"id","id":3}'));
    expect([...heard].sort()).toEqual(['id 3', '{"type":"id","id":3}']);
    expect(seen.at(-1)!.send('in time')).toBe(true);
  });

  it("renders a given connection's state on the server and while hydrating", () => {
    const { memory, options } = setup();
    const connection = createConnection('wss://chat.test/', options);
    memory.socket.accept();
    const seen: UseConnectionResult[] = [];
    function Follower(): ReactNode {
      const result = useConnection(connection);
      seen.push(result);
      return createElement('p', null, result.state);
    }
    const container = document.createElement('div');
    container.innerHTML = renderToString(createElement(Follower));
    expect(container.textContent).toBe('open');
    act(() => {
      roots.push(hydrateRoot(container, createElement(Follower)));
    });
    expect(seen.length).toBeGreaterThanOrEqual(2); // the server render, then hydration
    expect(seen.every(({ state }) => state === 'open')).toBe(true);
  });
});

describe('useConnection(connection)', () => {
  it('follows a connection its owner made, and leaves closing it to the owner', () => {
    const { memory, clock, options } = setup();
    const connection = createConnection('wss://chat.test/', options);
    const seen: UseConnectionResult[] = [];
    function Follower(): ReactNode {
      seen.push(useConnection(connection));
      return null;
    }
    const created = watchCreated();
    const root = render(createElement(Follower));
    expect(created).toEqual([]); // nothing shared is made for a given connection
    expect(seen.at(-1)).toMatchObject({ connection, state: 'connecting', readyState: 0 });
    act(() => memory.socket.accept());
    expect(seen.at(-1)).toMatchObject({ state: 'open', readyState: 1 });
    act(() => root.render(null));
    act(() => clock.advance(RELEASE_DELAY * 5));
    expect(connection.state).toBe('open');
  });

  it('refuses options beside a connection, saying why', () => {
    const { options } = setup();
    const connection = createConnection('wss://chat.test/', options);
    function Wrong(): ReactNode {
      (useConnection as (source: unknown, options: unknown) => unknown)(connection, { reconnect: false });
      return null;
    }
    const root = createRoot(document.createElement('div'));
    expect(() => act(() => root.render(createElement(Wrong)))).toThrow(
      new TypeError('Expected no options with a connection given to useConnection: options apply to a connection it creates'),
    );
  });
});

describe('events and typed messages', () => {
  it('hand each event to the latest callback, and stop on unmount', () => {
    const { memory, options } = setup();
    const connection = createConnection('wss://chat.test/', options);
    const heard: string[] = [];
    function Listener({ tag }: { tag: string }): ReactNode {
      useConnectionEvent(connection, 'message', (data) => heard.push(`${tag} ${data as string}`));
      return null;
    }
    const root = render(createElement(Listener, { tag: 'first' }));
    act(() => memory.socket.accept());
    act(() => memory.socket.deliver('a'));
    act(() => root.render(createElement(Listener, { tag: 'second' })));
    act(() => memory.socket.deliver('b'));
    act(() => root.render(null));
    act(() => memory.socket.deliver('c'));
    expect(heard).toEqual(['first a', 'second b']);
  });

  it('share one JSON channel per connection and dispatch each type to its callback', () => {
    const { memory, options } = setup();
    const connection = createConnection('wss://chat.test/', options);
    type Incoming = { type: 'id'; id: number } | { type: 'text'; text: string };
    const ids: number[] = [];
    const channels: unknown[] = [];
    function Chat(): ReactNode {
      const channel = useJsonChannel<Incoming>(connection);
      channels.push(channel);
      useJsonMessage(channel, 'id', ({ id }) => ids.push(id));
      return null;
    }
    render(createElement(Chat));
    render(createElement(Chat));
    act(() => memory.socket.accept());
    act(() => memory.socket.deliver('{"type":"id","id":7}'));
    act(() => memory.socket.deliver('{"type":"text","text":"hi"}'));
    expect(ids).toEqual([7, 7]); // one callback per component
    expect(new Set(channels).size).toBe(1);
    expect(useJsonChannel(undefined)).toBeUndefined(); // no connection yet (server rendering): no channel
  });
});
