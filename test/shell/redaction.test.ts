/**
 * Secrets never surface: URL credentials and query strings, header values and the values of
 * misspelt options stay out of every error, event, machine context and inspection event, one
 * test per path by which one could surface. In-memory transport and simulated clock; the
 * real-server paths (a refused connect, `ws`'s own errors) are in `security.test.ts`.
 */
import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createConnection, type ConnectionOptions, type Transport } from '../../src/index.js';
import { createMemoryTransport, SimulatedClock } from '../../src/testing/index.js';

/** What must never appear, wherever the URL `ws://alice:pa55word@example.test/chat?token=t0psecret` surfaces. */
const SECRETS = /alice|pa55word|t0psecret/;
const SECRET_URL = 'ws://alice:pa55word@example.test/chat?token=t0psecret';

/** Every inspection event, as text: the events the machine heard, the actions it asked for with their params, its snapshots' context. */
function inspected(): { inspect: (event: InspectionEvent) => void; text: () => string } {
  const seen: string[] = [];
  const inspect = (event: InspectionEvent) => {
    const {
      event: heard,
      action,
      snapshot,
    } = event as { event?: unknown; action?: { params?: unknown }; snapshot?: { context?: unknown } };
    seen.push(JSON.stringify({ type: event.type, heard, params: action?.params, context: snapshot?.context }));
  };
  return { inspect, text: () => seen.join('\n') };
}

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('a transport that throws with the URL in its message', () => {
  // A browser's WebSocket constructor throws a SecurityError naming the URL when a Content
  // Security Policy forbids it, as written, credentials and token included.
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- stands in for a constructor, which is all it is
  class CspBlockedWebSocket {
    constructor(url: string) {
      throw new DOMException(
        `Refused to connect to '${url}' because it violates the Content Security Policy (token=t0psecret)`,
        'SecurityError',
      );
    }
  }

  it('reports the error with the URL redacted, in the error event, the machine context and every inspection event', async () => {
    const { inspect, text } = inspected();
    const connection = createConnection(SECRET_URL, {
      WebSocket: CspBlockedWebSocket as never,
      clock: new SimulatedClock(),
      reconnect: false,
      inspect,
    });
    const failure = new Promise<string>((resolve) => connection.on('error', ({ message }) => resolve(message)));
    await connection.closed;
    const message = await failure;
    expect(message).toContain('example.test/chat');
    expect(message).toContain('REDACTED');
    expect(message).not.toMatch(SECRETS);
    expect(JSON.stringify(connection.actor.getSnapshot().context)).not.toMatch(SECRETS);
    expect(text()).toContain('Content Security Policy');
    expect(text()).not.toMatch(SECRETS);
  });

  it('redacts with the URL a url() function gave for the attempt', async () => {
    const transport: Transport = (request) => {
      throw new Error(`cannot open ${request.url.href}`);
    };
    const connection = createConnection(() => SECRET_URL, { transport, clock: new SimulatedClock(), reconnect: false });
    const failure = new Promise<string>((resolve) => connection.on('error', ({ message }) => resolve(message)));
    await connection.closed;
    expect(await failure).toBe('cannot open ws://REDACTED:REDACTED@example.test/chat?REDACTED');
  });
});

describe('TypeErrors for bad options', () => {
  it('name a misspelt option, never its value', () => {
    const error = thrown(() => createConnection('ws://example.test/', { authorization: 'Bearer s3cr3t-t0ken' } as ConnectionOptions));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/Unknown option `authorization`/);
    expect(error.message).not.toContain('s3cr3t-t0ken');
  });

  it('say what `headers` given as a string or an array is, never its value', () => {
    for (const headers of ['Bearer s3cr3t-t0ken', ['Authorization', 'Bearer s3cr3t-t0ken']]) {
      const error = thrown(() => createConnection('ws://example.test/', { headers } as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(
        /^Expected `headers` to be an object of header names to strings, got (a value of type string|an array) \(not shown/,
      );
      expect(error.message).not.toContain('s3cr3t-t0ken');
    }
  });

  it('name a header whose value is not a string, never the value', () => {
    const error = thrown(() => createConnection('ws://example.test/', { headers: { Authorization: 123456789 } } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('Authorization');
    expect(error.message).not.toContain('123456789');
  });
});

describe('handshake headers with CR, LF or NUL', () => {
  // Node refuses them in every request, so each attempt would fail the same way; and CR LF in a
  // header is how a header is injected. Refused when the connection is created.
  it.each([
    ['a value with CR LF', { headers: { 'X-Token': 's3cr3t\r\nX-Injected: yes' } }, '`headers["X-Token"]`'],
    ['a value with NUL', { headers: { Authorization: 'Bearer s3cr3t\0' } }, '`headers["Authorization"]`'],
    ['a name with CR LF', { headers: { 'X-Token\r\nX-Injected': 's3cr3t' } }, '"X-Token\\r\\nX-Injected"'],
    ['an origin with LF', { origin: 'https://app.example\ns3cr3t' }, '`origin`'],
  ])('refuses %s with a TypeError that names the header, not its value', (_, options, named) => {
    const error = thrown(() => createConnection('ws://example.test/', { transport: createMemoryTransport().transport, ...options }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(named);
    expect(error.message).not.toContain('s3cr3t');
  });
});

describe('the SyntaxError for a URL that does not parse', () => {
  it('redacts everything between // and the last @ before the host, and the query', () => {
    const error = thrown(() => createConnection('ws://alice:ab@s3cret@host:99999/?token=t0psecret'));
    expect(error.name).toBe('SyntaxError');
    expect(error.message).toContain('"ws://REDACTED@host:99999/?REDACTED"');
    expect(error.message).not.toMatch(/alice|ab@|s3cret|t0psecret/);
  });

  it('redacts a password with a slash in it, which ends the authority early', () => {
    const error = thrown(() => createConnection('wss://bob:pa/ss@host:99999/'));
    expect(error.message).toContain('"wss://REDACTED@host:99999/"');
    expect(error.message).not.toMatch(/bob|pa\/ss/);
  });
});

describe('payloads', () => {
  it('never reach an inspection event, accepted or rejected', async () => {
    const { inspect, text } = inspected();
    const memory = createMemoryTransport();
    const connection = createConnection('ws://example.test/', {
      transport: memory.transport,
      clock: new SimulatedClock(),
      inspect,
      maxQueuedMessages: 1,
    });
    connection.send('queued-payload');
    connection.send('rejected-queue-full-payload');
    memory.socket.accept();
    connection.send('written-payload');
    void connection.close();
    connection.send('rejected-closing-payload');
    memory.socket.flush();
    memory.socket.completeClose();
    await connection.closed;
    connection.send('rejected-closed-payload');
    expect(text()).toContain('@xstate.snapshot');
    expect(text()).not.toMatch(/payload/);
  });

  it('never reach the snapshots of an actor created once the connection runs', () => {
    const memory = createMemoryTransport();
    const connection = createConnection('ws://example.test/', {
      transport: memory.transport,
      clock: new SimulatedClock(),
      maxQueuedMessages: 1,
    });
    const snapshots: string[] = [];
    connection.actor.subscribe((snapshot) => snapshots.push(JSON.stringify(snapshot)));
    connection.send('queued-payload');
    connection.send('rejected-payload');
    memory.socket.accept();
    connection.send('written-payload');
    void connection.close();
    connection.send('rejected-closing-payload');
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.join('\n')).not.toMatch(/payload/);
  });
});
