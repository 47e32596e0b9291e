/**
 * Unit tests of the pure statechart for one attempt (no reconnection, no heartbeat: see
 * `machine.reconnect.test.ts` and `machine.heartbeat.test.ts`): each transition, and the
 * effects it asks for in order, computed with XState's pure `transition()` (no actor, no
 * shell, no time).
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../machines/connection.types.js';
import { SINGLE_ATTEMPT, effects, opened, params, runFrom, send, type Step } from '../support/machine-steps.js';

const run = (...events: Step[]): ReturnType<typeof runFrom> => runFrom(SINGLE_ATTEMPT, events);
const open = opened();
/** What `open` cancels on its way out, whatever ran: the stable, ping and pong timers. */
const leaveOpen = ['cancelTimer', 'cancelTimer', 'cancelTimer'];

describe('connecting', () => {
  it('starts on attempt 1 with no subprotocol, extensions, failure, close request or close yet', () => {
    // What `connection.protocol` and `connection.extensions` read before the socket opens, and
    // what an inspector shows of a new connection.
    expect(run().snapshot.context).toStrictEqual({
      ...SINGLE_ATTEMPT,
      attempt: 1,
      retries: 0,
      awaitingPong: false,
      redrawnOnWake: false,
      closeRequest: undefined,
      failure: undefined,
      protocol: '',
      extensions: '',
      closeInfo: undefined,
    });
  });

  it('opens a socket and starts the connect timer for attempt 1', () => {
    const { snapshot, steps } = run();
    expect(snapshot.value).toBe('connecting');
    expect(effects(steps[0]!)).toEqual(['openSocket', 'startTimer']);
    expect(params(steps[0]!, 'openSocket')).toEqual([{ attempt: 1 }]);
    expect(params(steps[0]!, 'startTimer')).toEqual([{ timer: 'connect', attempt: 1, retry: 0 }]);
  });

  it('queues sends within both bounds and rejects the one past them as queue-full', () => {
    const { steps, queue } = run(send(4), send(7), send(6), send(0));
    expect(effects(steps[1]!)).toEqual(['enqueueMessage']);
    expect(effects(steps[2]!)).toEqual(['rejectMessage']); // 4 + 7 > 10 bytes
    expect(params(steps[2]!, 'rejectMessage')).toEqual([{ reason: 'queue-full' }]);
    expect(effects(steps[3]!)).toEqual(['enqueueMessage']); // 4 + 6 = 10 bytes: at the bound
    expect(effects(steps[4]!)).toEqual(['rejectMessage']); // no bytes, but 2 messages already
    expect(params(steps[4]!, 'rejectMessage')).toEqual([{ reason: 'queue-full' }]);
    expect(queue).toEqual({ queuedMessages: 2, queuedBytes: 10 });
  });

  it('flushes the queue before the open event, and records the subprotocol', () => {
    const { snapshot, steps, queue } = run(send(3), open);
    expect(snapshot.value).toBe('open');
    expect(effects(steps[2]!)).toEqual(['cancelTimer', 'flushQueue', 'emitOpen']);
    expect(snapshot.context).toMatchObject({ protocol: 'chat' });
    expect(queue).toEqual({ queuedMessages: 0, queuedBytes: 0 });
  });

  it('ignores socket and timer events from another attempt', () => {
    for (const stale of [
      { ...open, attempt: 0 },
      { type: 'socket.error', attempt: 2, failure: { cause: 'refused', message: '' } },
      { type: 'socket.close', attempt: 0, code: 1006, reason: '', wasClean: false },
      { type: 'timer.connect', attempt: 7 },
    ] as const) {
      const { snapshot, steps } = run(stale);
      expect(snapshot.value).toBe('connecting');
      expect(effects(steps[1]!)).toEqual([]);
    }
  });

  it('fails with error, then undelivered queue, then close 1006 when the transport errors', () => {
    const failure = { cause: 'refused', message: 'connect ECONNREFUSED' } as const;
    const { snapshot, steps } = run(
      send(1),
      { type: 'socket.error', attempt: 1, failure },
      {
        type: 'socket.close',
        attempt: 1,
        code: 1006,
        reason: '',
        wasClean: false,
      },
    );
    expect(snapshot.value).toBe('closed');
    expect(effects(steps[2]!)).toEqual(['cancelTimer', 'terminateSocket', 'emitError', 'reportUnsent', 'dropQueue', 'emitClose', 'settle']);
    expect(params(steps[2]!, 'dropQueue')).toEqual([{ reason: 'closed-before-open' }]);
    const closeInfo = { code: 1006, reason: '', wasClean: false, cause: 'refused' };
    expect(params(steps[2]!, 'emitClose')).toEqual([{ closeInfo, willReconnect: false }]);
    expect(params(steps[2]!, 'settle')).toEqual([{ closeInfo }]);
    expect(effects(steps[3]!)).toEqual([]); // the transport's own close changes nothing
  });

  it('synthesizes the error when the transport reports only a close', () => {
    const { steps } = run({ type: 'socket.close', attempt: 1, code: 1006, reason: '', wasClean: false });
    expect(effects(steps[1]!)).toEqual(['cancelTimer', 'terminateSocket', 'emitError', 'reportUnsent', 'dropQueue', 'emitClose', 'settle']);
    // The message is what the application's error listener reads.
    expect(params(steps[1]!, 'emitError')).toEqual([
      { failure: { cause: 'connection-lost', message: 'The connection closed before it opened' } },
    ]);
  });

  it('fails with connect-timeout when the connect timer fires', () => {
    const { snapshot, steps } = run({ type: 'timer.connect', attempt: 1 });
    // What `closed` resolves with: no `status` key, as there was no HTTP answer.
    expect(snapshot.context.closeInfo).toStrictEqual({ code: 1006, reason: '', wasClean: false, cause: 'connect-timeout' });
    expect(effects(steps[1]!)).toContain('terminateSocket');
    expect(params(steps[1]!, 'emitError')).toEqual([
      { failure: { cause: 'connect-timeout', message: 'The connection did not open in time' } },
    ]);
  });

  it('aborts on close(): CLOSING until the transport confirms, then error and close 1006 with cause aborted', () => {
    const { snapshot, steps } = run(
      send(1),
      { type: 'user.close' },
      send(1),
      { type: 'socket.error', attempt: 1, failure: { cause: 'transport-error', message: 'closed before established' } },
      { type: 'socket.close', attempt: 1, code: 1006, reason: '', wasClean: false },
    );
    expect(effects(steps[2]!)).toEqual(['cancelTimer', 'closeSocket', 'startTimer']);
    // No code and no reason: the transport closes with the platform's default.
    expect(params(steps[2]!, 'closeSocket')).toStrictEqual([{ code: undefined, reason: undefined }]);
    expect(params(steps[3]!, 'rejectMessage')).toEqual([{ reason: 'closing' }]);
    expect(effects(steps[4]!)).toEqual(['cancelTimer', 'terminateSocket', 'emitError', 'reportUnsent', 'dropQueue', 'emitClose', 'settle']);
    expect(params(steps[4]!, 'emitError')).toEqual([
      { failure: { cause: 'aborted', message: 'close() was called before the connection opened' } },
    ]);
    expect(effects(steps[5]!)).toEqual([]);
    expect(snapshot.context.closeInfo?.cause).toBe('aborted');
  });

  it('gives up an abort the transport never confirms after the close timer', () => {
    const { snapshot } = run({ type: 'user.close' }, { type: 'timer.close', attempt: 1 });
    expect(snapshot.value).toBe('closed');
    expect(snapshot.context.closeInfo?.cause).toBe('aborted');
  });
});

describe('open and closing', () => {
  it('drains, then runs the closing handshake with the requested code and reason, then closes cleanly', () => {
    const { snapshot, steps } = run(
      open,
      { type: 'user.close', code: 4000, reason: 'bye' },
      { type: 'socket.drained', attempt: 1 },
      { type: 'socket.close', attempt: 1, code: 4000, reason: 'bye', wasClean: true },
    );
    expect(effects(steps[2]!)).toEqual([...leaveOpen, 'startTimer', 'watchDrain']);
    expect(params(steps[2]!, 'watchDrain')).toEqual([{ attempt: 1 }]);
    expect(effects(steps[3]!)).toEqual(['cancelTimer', 'closeSocket', 'startTimer']);
    expect(params(steps[3]!, 'closeSocket')).toEqual([{ code: 4000, reason: 'bye' }]);
    // The queue is empty once open; its drop is the one end-for-good asks for every time.
    expect(effects(steps[4]!)).toEqual(['cancelTimer', 'reportUnsent', 'dropQueue', 'emitClose', 'settle']);
    expect(snapshot.context.closeInfo).toEqual({ code: 4000, reason: 'bye', wasClean: true, cause: 'normal' });
  });

  it("records close()'s code and reason as given, with no key for what it was not given", () => {
    // The context is public (`connection.actor`, inspectors), typed with optional keys.
    const request = (close: ConnectionEvent) => run(open, close).snapshot.context.closeRequest;
    expect(request({ type: 'user.close' })).toStrictEqual({});
    expect(request({ type: 'user.close', code: 4000 })).toStrictEqual({ code: 4000 });
    expect(request({ type: 'user.close', reason: 'bye' })).toStrictEqual({ reason: 'bye' });
    expect(request({ type: 'user.close', code: 4000, reason: 'bye' })).toStrictEqual({ code: 4000, reason: 'bye' });
  });

  it('writes sends while open, and rejects them once closing or closed', () => {
    const { steps } = run(open, send(5), { type: 'user.close' }, send(5), { type: 'timer.drain', attempt: 1 }, send(5));
    expect(effects(steps[2]!)).toEqual(['writeMessage']);
    expect(params(steps[4]!, 'rejectMessage')).toEqual([{ reason: 'closing' }]);
    expect(params(steps[6]!, 'rejectMessage')).toEqual([{ reason: 'closed' }]);
  });

  it('writes while open only what the socket has room for under maxBufferedBytes, and rejects the rest as buffer-full', () => {
    // SINGLE_ATTEMPT caps what the open socket holds at 20 bytes.
    const { snapshot, steps } = run(open, send(5, 15), send(6, 15), send(20, 0), send(21, 0));
    expect(effects(steps[2]!)).toEqual(['writeMessage']);
    expect(params(steps[3]!, 'rejectMessage')).toEqual([{ reason: 'buffer-full' }]);
    expect(effects(steps[4]!)).toEqual(['writeMessage']);
    expect(params(steps[5]!, 'rejectMessage')).toEqual([{ reason: 'buffer-full' }]);
    expect(snapshot.value).toBe('open');
  });

  it('drops the socket and reports unsent data when the drain times out', () => {
    const { snapshot, steps } = run(open, { type: 'user.close' }, { type: 'timer.drain', attempt: 1 });
    expect(effects(steps[3]!)).toEqual(['cancelTimer', 'terminateSocket', 'reportUnsent', 'dropQueue', 'emitClose', 'settle']);
    expect(params(steps[3]!, 'reportUnsent')).toEqual([{ reason: 'drain-timeout' }]);
    expect(snapshot.context.closeInfo).toEqual({ code: 1006, reason: '', wasClean: false, cause: 'drain-timeout' });
  });

  it('drops the socket when the closing handshake times out', () => {
    const { snapshot } = run(open, { type: 'user.close' }, { type: 'socket.drained', attempt: 1 }, { type: 'timer.close', attempt: 1 });
    expect(snapshot.context.closeInfo?.cause).toBe('close-timeout');
  });

  it('reports an error while open once, then takes its cause into the close', () => {
    const failure = { cause: 'message-too-big', message: 'Max payload size exceeded' } as const;
    const { snapshot, steps } = run(
      open,
      { type: 'socket.error', attempt: 1, failure },
      { type: 'socket.error', attempt: 1, failure: { cause: 'transport-error', message: 'again' } },
      { type: 'socket.close', attempt: 1, code: 1009, reason: '', wasClean: false },
    );
    expect(effects(steps[2]!)).toEqual([...leaveOpen, 'emitError', 'closeSocket', 'startTimer']);
    expect(effects(steps[3]!)).toEqual([]);
    expect(snapshot.context.closeInfo).toEqual({ code: 1009, reason: '', wasClean: false, cause: 'message-too-big' });
  });

  it('reports an error during the closing handshake without restarting it', () => {
    const { snapshot, steps } = run(
      open,
      { type: 'user.close' },
      { type: 'socket.drained', attempt: 1 },
      { type: 'socket.error', attempt: 1, failure: { cause: 'connection-lost', message: 'read ECONNRESET' } },
    );
    expect(snapshot.value).toEqual({ closing: 'handshake' });
    expect(effects(steps[4]!)).toEqual(['emitError']);
  });

  it('stops draining on an error and waits for the close', () => {
    const { snapshot, steps } = run(
      open,
      { type: 'user.close' },
      { type: 'socket.error', attempt: 1, failure: { cause: 'connection-lost', message: 'read ECONNRESET' } },
    );
    expect(snapshot.value).toEqual({ closing: 'handshake' });
    expect(effects(steps[3]!)).toEqual(['cancelTimer', 'emitError', 'closeSocket', 'startTimer']);
  });

  it('closes on a server close while open, as connection-lost when unclean', () => {
    const { snapshot, steps } = run(open, { type: 'socket.close', attempt: 1, code: 1006, reason: '', wasClean: false });
    expect(params(steps[2]!, 'reportUnsent')).toEqual([{ reason: 'connection-lost' }]);
    expect(snapshot.context.closeInfo?.cause).toBe('connection-lost');
  });

  it('cancels the timer of each state it leaves, so none fires in a later one', () => {
    const cancelled = (...events: Step[]) => params(run(...events).steps[events.length]!, 'cancelTimer');
    const closing = [open, { type: 'user.close' }] as const;
    expect(cancelled(open)).toEqual([{ timer: 'connect' }]);
    expect(cancelled(...closing)).toEqual([{ timer: 'stable' }, { timer: 'ping' }, { timer: 'pong' }]);
    expect(cancelled(...closing, { type: 'socket.drained', attempt: 1 })).toEqual([{ timer: 'drain' }]);
    expect(
      cancelled(
        ...closing,
        { type: 'socket.drained', attempt: 1 },
        { type: 'socket.close', attempt: 1, code: 1000, reason: '', wasClean: true },
      ),
    ).toEqual([{ timer: 'close' }]);
    expect(cancelled({ type: 'user.close' })).toEqual([{ timer: 'connect' }]);
    expect(cancelled({ type: 'user.close' }, { type: 'socket.close', attempt: 1, code: 1006, reason: '', wasClean: false })).toEqual([
      { timer: 'close' },
    ]);
  });

  it('ignores everything but sends once closed', () => {
    const { snapshot, steps } = run(
      { type: 'timer.connect', attempt: 1 },
      open,
      { type: 'socket.close', attempt: 1, code: 1000, reason: '', wasClean: true },
      { type: 'user.close' },
    );
    expect(snapshot.value).toBe('closed');
    expect(steps.slice(2).map(effects)).toEqual([[], [], []]);
  });
});
