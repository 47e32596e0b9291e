/**
 * Runs lifecycle paths against real `ws` sockets: the connection uses its default Node
 * transport (the `ws` client) and reaches a scripted `ws` server on loopback, port 0, through
 * the server's agent, so each socket event of a path becomes what a server or network really
 * does. Time still comes from the simulated clock (the `clock` option works with any
 * transport), so timeouts take no real time.
 *
 * Each attempt connects over a link of its own (the server's agent makes one per socket), and a
 * step's stimulus is made on the link of the attempt it belongs to. Each stimulus, by state:
 * - connecting: `socket.open` accepts the held upgrade; `socket.error` refuses it with the
 *   failure's HTTP status (403, final; 503, retried); `socket.close` resets the TCP connection mid-handshake. `ws` reports
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
 * - open, heartbeat: the client's pings go out through the link like any write; the server
 *   never answers one by itself, and `socket.pong` is it sending the pong, so `timer.pong`
 *   (no answer) is simply the server keeping quiet.
 */
import type { Connection } from '../../src/connection.js';
import { wsTransport } from '../../src/index.js';
import { MODEL_TIMEOUTS, stateName } from '../../src/testing/model/lifecycle-model.js';
import type { LifecycleDriver } from '../../src/testing/model/lifecycle-runner.js';
import { SimulatedClock } from '../../src/testing/simulated-clock.js';
import { overrideHandlers, wrapTransport } from '../../src/testing/model/transport-tap.js';
import type { Link, ScriptedConnection, ScriptedServer } from '../support/scripted-server.js';

export function wsDriver(server: ScriptedServer): LifecycleDriver {
  const clock = new SimulatedClock();
  const linksBefore = server.links.length;
  /** The server's side of each attempt's socket, once accepted. */
  const accepted = new Map<number, ScriptedConnection>();
  let pongArrived: (() => void) | undefined;
  // `ws` asks the agent for one socket per attempt, synchronously as the attempt starts, so the
  // links are the attempts' in order.
  const linkOf = (attempt: number): Link => {
    const link = server.links[linksBefore + attempt - 1];
    if (link === undefined) throw new Error(`Attempt ${attempt} did not connect through the scripted server`);
    return link;
  };
  const upgrade = (attempt: number) => server.upgradeOver(linkOf(attempt));
  // A pong changes nothing an app sees, so the step waits for the transport to report it.
  const transport = wrapTransport(wsTransport, (request, handlers) =>
    wsTransport(
      request,
      overrideHandlers(handlers, {
        pong: () => {
          handlers.pong();
          pongArrived?.();
        },
      }),
    ),
  );

  return {
    url: server.url,
    clock,
    transport,
    options: { agent: server.agent },
    attach() {
      if (server.links.length !== linksBefore + 1) throw new Error('The connection did not connect through the scripted server');
    },
    async socket({ event, before }) {
      const state = stateName(before.machine);
      const attempt = before.machine.context.attempt;
      switch (event.type) {
        case 'socket.open':
          accepted.set(attempt, (await upgrade(attempt)).accept());
          return;
        case 'socket.error':
          if (state === 'connecting') (await upgrade(attempt)).refuse(event.failure.status);
          else if (state !== 'closing.aborting') accepted.get(attempt)!.breakProtocol();
          return;
        case 'socket.close':
          if (state === 'connecting') (await upgrade(attempt)).drop();
          else if (state === 'closing.aborting') return;
          else if (!event.wasClean) accepted.get(attempt)!.drop();
          else {
            if (state === 'open') accepted.get(attempt)!.close(event.code, event.reason);
            linkOf(attempt).open();
          }
          return;
        case 'socket.drained':
          linkOf(attempt).release();
          return;
        case 'socket.pong': {
          const arrived = new Promise<void>((resolve) => (pongArrived = resolve));
          accepted.get(attempt)!.pong();
          await arrived;
          return;
        }
        default:
          throw new Error(`The ws driver has no stimulus for ${event.type}`);
      }
    },
    settle() {
      // One turn of the event loop: pending ticks, microtasks and I/O callbacks all run.
      return new Promise((resolve) => setImmediate(resolve));
    },
    async dispose(connection: Connection) {
      // close(), then every lifecycle timer expires, so the socket is dropped whatever state the
      // path ended in. While closing, close() changes nothing and the attempt's end may still
      // lead to a reconnect wait; from there, close() ends the connection at once.
      for (let round = 0; round < 2 && connection.readyState !== 3; round++) {
        void connection.close();
        clock.advance(MODEL_TIMEOUTS.connect + MODEL_TIMEOUTS.drain + MODEL_TIMEOUTS.close);
      }
      await connection.closed;
    },
  };
}
