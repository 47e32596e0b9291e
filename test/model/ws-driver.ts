/**
 * Runs lifecycle paths against real `ws` sockets: the connection uses its default Node
 * transport (the `ws` client) and reaches a scripted `ws` server on loopback, port 0, through
 * the server's agent, so each socket event of a path becomes what a server or network really
 * does. Time still comes from the simulated clock (the `clock` option works with any
 * transport), so timeouts take no real time.
 *
 * Each stimulus, by state:
 * - connecting: `socket.open` accepts the held upgrade; `socket.error` refuses it with a 403
 *   (`handshake-failed`); `socket.close` resets the TCP connection mid-handshake. `ws` reports
 *   that reset as an error before its close, which the machine handles as it would a bare
 *   close: the app sees the same events (an error is logged by cause, `connection-lost`).
 * - open, closing: the link holds everything the client writes from the moment the server
 *   accepts (see `scripted-server.ts`), so `bufferedAmount` counts what the path sent.
 *   `socket.drained` lets through what is held (later writes, such as the close frame, stay
 *   held); `socket.error` is a frame with a reserved opcode (`protocol-error`); a clean
 *   `socket.close` is the server's closing frame (from `open`) or its echo of the client's
 *   (from `closing.handshake`), after everything held was let through, as a real peer must
 *   read it first; an unclean one is a TCP reset.
 * - closing.aborting: `ws` confirms the abort of a connecting socket by itself, in a later
 *   tick: with an error and then a close, so `socket.close` there is also seen as the error.
 */
import type { Connection } from '../../src/connection.js';
import { wsTransport } from '../../src/index.js';
import { MODEL_TIMEOUTS, stateName } from '../../src/testing/lifecycle-model.js';
import type { LifecycleDriver } from '../../src/testing/lifecycle-runner.js';
import { SimulatedClock } from '../../src/testing/simulated-clock.js';
import type { Link, PendingUpgrade, ScriptedConnection, ScriptedServer } from '../support/scripted-server.js';

export function wsDriver(server: ScriptedServer): LifecycleDriver {
  const clock = new SimulatedClock();
  const linksBefore = server.links.length;
  let link: Link | undefined;
  let accepted: ScriptedConnection | undefined;
  const upgrade = (): Promise<PendingUpgrade> => server.upgradeOver(link!);

  return {
    url: server.url,
    clock,
    transport: wsTransport,
    options: { agent: server.agent },
    attach() {
      // The `ws` client asks the agent for its socket synchronously, inside createConnection().
      if (server.links.length !== linksBefore + 1) throw new Error('The connection did not connect through the scripted server');
      link = server.links.at(-1)!;
    },
    async socket({ event, before }) {
      const state = stateName(before.machine);
      switch (event.type) {
        case 'socket.open':
          accepted = (await upgrade()).accept();
          return;
        case 'socket.error':
          if (state === 'connecting') (await upgrade()).refuse(403);
          else if (state !== 'closing.aborting') accepted!.breakProtocol();
          return;
        case 'socket.close':
          if (state === 'connecting') (await upgrade()).drop();
          else if (state === 'closing.aborting') return;
          else if (!event.wasClean) accepted!.drop();
          else {
            if (state === 'open') accepted!.close(event.code, event.reason);
            link!.open();
          }
          return;
        case 'socket.drained':
          link!.release();
          return;
        default:
          throw new Error(`The ws driver has no stimulus for ${event.type}`);
      }
    },
    settle() {
      // One turn of the event loop: pending ticks, microtasks and I/O callbacks all run.
      return new Promise((resolve) => setImmediate(resolve));
    },
    async dispose(connection: Connection) {
      if (connection.readyState < 2) void connection.close();
      // Every lifecycle timer expires, so whatever state the path ended in, the socket is dropped.
      clock.advance(MODEL_TIMEOUTS.connect + MODEL_TIMEOUTS.drain + MODEL_TIMEOUTS.close);
      await connection.closed;
    },
  };
}
