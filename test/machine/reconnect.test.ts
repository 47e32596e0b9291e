/**
 * Unit tests of the pure statechart's reconnection: the decision every ended attempt goes
 * through (each `always` branch of `attemptEnded`, in order), the reconnect wait, and close()
 * once an error has started the closing handshake. Pure `transition()`, no actor, no time.
 */
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionEvent, TransportFailure } from '../../machines/connection.types.js';
import {
  RESILIENT,
  SINGLE_ATTEMPT,
  dropped,
  effects,
  expired,
  opened,
  params,
  runFrom,
  send,
  type Step,
} from '../support/machine-steps.js';

const run = (...events: Step[]): ReturnType<typeof runFrom> => runFrom(RESILIENT, events);
const refused = (status: number): ConnectionEvent => ({
  type: 'socket.error',
  attempt: 1,
  failure: { cause: 'handshake-failed', message: `Unexpected server response: ${status}`, status },
});
const serverClose = (code: number): ConnectionEvent => ({ type: 'socket.close', attempt: 1, code, reason: '', wasClean: true });
/** What `open` cancels on its way out: the stable, ping and pong timers. */
const leaveOpen = ['cancelTimer', 'cancelTimer', 'cancelTimer'];

describe('the end of an attempt', () => {
  it('ends for good after close(), however retryable the end', () => {
    const { snapshot, steps } = run(opened(), { type: 'user.close' }, { type: 'socket.drained', attempt: 1 }, dropped());
    expect(snapshot.value).toBe('closed');
    expect(effects(steps[4]!)).toEqual(['cancelTimer', 'reportUnsent', 'dropQueue', 'emitClose', 'settle']);
    expect(params(steps[4]!, 'emitClose')).toEqual([{ closeInfo: expect.objectContaining({ code: 1006 }), willReconnect: false }]);
  });

  it('ends for good when reconnection is off, however retryable the end', () => {
    const { snapshot, steps } = runFrom(SINGLE_ATTEMPT, [opened(), dropped()]);
    expect(snapshot.value).toBe('closed');
    expect(effects(steps[2]!)).not.toContain('emitGiveUp');
    expect(params(steps[2]!, 'emitClose')).toEqual([
      { closeInfo: expect.objectContaining({ cause: 'connection-lost' }), willReconnect: false },
    ]);
  });

  it('gives up at once on an end the policy rules final, reporting close, then giveup', () => {
    const { snapshot, steps } = run(opened(), serverClose(4001));
    expect(snapshot.value).toBe('gaveUp');
    expect(effects(steps[2]!)).toEqual([...leaveOpen, 'reportUnsent', 'dropQueue', 'emitClose', 'settle', 'emitGiveUp']);
    const closeInfo = { code: 4001, reason: '', wasClean: true, cause: 'normal' };
    expect(params(steps[2]!, 'emitClose')).toEqual([{ closeInfo, willReconnect: false }]);
    expect(params(steps[2]!, 'emitGiveUp')).toEqual([{ reason: 'not-retryable', closeInfo }]);
  });

  it('takes a refused upgrade status into the close: 403 is final, 503 is retried', () => {
    const forbidden = run(refused(403));
    expect(forbidden.snapshot.value).toBe('gaveUp');
    expect(forbidden.snapshot.context.closeInfo).toEqual({
      code: 1006,
      reason: '',
      wasClean: false,
      cause: 'handshake-failed',
      status: 403,
    });
    expect(run(refused(503)).snapshot.value).toBe('reconnecting');
  });

  it('reconnects a retryable end while retries are left, keeping the queue for the next attempt', () => {
    const { snapshot, steps, queue } = run(send(3), dropped());
    expect(snapshot.value).toBe('reconnecting');
    expect(effects(steps[2]!)).toEqual([
      'cancelTimer',
      'terminateSocket',
      'emitError',
      'reportUnsent',
      'emitClose',
      'startTimer',
      'emitReconnecting',
    ]);
    expect(params(steps[2]!, 'emitClose')).toEqual([
      { closeInfo: expect.objectContaining({ cause: 'connection-lost' }), willReconnect: true },
    ]);
    expect(params(steps[2]!, 'startTimer')).toEqual([{ timer: 'retry', attempt: 2, retry: 1 }]);
    expect(params(steps[2]!, 'emitReconnecting')).toEqual([{ attempt: 2, retry: 1 }]);
    expect(snapshot.context).toMatchObject({ attempt: 2, retries: 1, failure: undefined });
    expect(queue).toEqual({ queuedMessages: 1, queuedBytes: 3 });
  });

  it("forgets the ended attempt's subprotocol and extensions: the next has no socket yet", () => {
    const negotiated = { ...opened(), extensions: 'permessage-deflate' };
    expect(run(negotiated).snapshot.context).toMatchObject({ protocol: 'chat', extensions: 'permessage-deflate' });
    // What `connection.protocol` and `connection.extensions` read while waiting to reconnect.
    expect(run(negotiated, dropped()).snapshot.context).toMatchObject({ protocol: '', extensions: '' });
  });

  it('gives up once maxRetries reconnects in a row have failed, and rejects sends from then on as closed', () => {
    const { snapshot, steps } = run(expired('connect'), expired('retry', 2), expired('connect', 2), send(1));
    expect(snapshot.value).toBe('gaveUp');
    expect(params(steps[3]!, 'emitGiveUp')).toEqual([
      { reason: 'max-retries', closeInfo: expect.objectContaining({ cause: 'connect-timeout' }) },
    ]);
    expect(effects(steps[4]!)).toEqual(['rejectMessage']);
    expect(params(steps[4]!, 'rejectMessage')).toEqual([{ reason: 'closed' }]);
  });

  it('asks the reconnect policy once per attempt that ends without close(), and never after close()', () => {
    let asked = 0;
    const machine = connectionMachine.provide({ guards: { isRetryable: () => (asked++, true) } });
    runFrom(RESILIENT, [dropped(), expired('retry', 2), dropped(2)], machine);
    expect(asked).toBe(2);
    runFrom(RESILIENT, [{ type: 'user.close' }, dropped()], machine);
    expect(asked).toBe(2);
  });
});

describe('reconnecting', () => {
  const waiting = [expired('connect')] as const;

  it('queues sends within the same bounds as while connecting', () => {
    const { steps, queue } = run(...waiting, send(4), send(7));
    expect(effects(steps[2]!)).toEqual(['enqueueMessage']);
    expect(params(steps[3]!, 'rejectMessage')).toEqual([{ reason: 'queue-full' }]);
    expect(queue).toEqual({ queuedMessages: 1, queuedBytes: 4 });
  });

  it('opens the next attempt when the retry timer fires', () => {
    const { snapshot, steps } = run(...waiting, expired('retry', 2));
    expect(snapshot.value).toBe('connecting');
    expect(effects(steps[2]!)).toEqual(['cancelTimer', 'openSocket', 'startTimer']);
    expect(params(steps[2]!, 'cancelTimer')).toEqual([{ timer: 'retry' }]);
    expect(params(steps[2]!, 'openSocket')).toEqual([{ attempt: 2 }]);
    expect(params(steps[2]!, 'startTimer')).toEqual([{ timer: 'connect', attempt: 2, retry: 1 }]);
  });

  it('starts the retry timer again with a wake draw when the device wakes, once per wait', () => {
    const online: ConnectionEvent = { type: 'env.wake', reason: 'online' };
    const visible: ConnectionEvent = { type: 'env.wake', reason: 'visible' };
    const { snapshot, steps } = run(...waiting, online, visible, online);
    expect(snapshot.value).toBe('reconnecting');
    expect(effects(steps[2]!)).toEqual(['startTimer']);
    expect(params(steps[2]!, 'startTimer')).toEqual([{ timer: 'retry', attempt: 2, retry: 1, wake: true }]);
    expect(steps.slice(3).map(effects)).toEqual([[], []]);
    // The next wait may be redrawn once again.
    const next = runFrom({ ...RESILIENT, maxRetries: 2 }, [...waiting, online, expired('retry', 2), expired('connect', 2), online]);
    expect(next.snapshot.value).toBe('reconnecting');
    expect(params(next.steps[5]!, 'startTimer')).toEqual([{ timer: 'retry', attempt: 3, retry: 2, wake: true }]);
  });

  it('ignores offline, and late events of the attempt that ended', () => {
    const { snapshot, steps } = run(...waiting, { type: 'env.offline' }, expired('retry', 1), dropped(1), opened(1));
    expect(snapshot.value).toBe('reconnecting');
    expect(steps.slice(2).map(effects)).toEqual([[], [], [], []]);
  });

  it('ends at once on close(): the queue reported, no close event, and closed settled with the last end', () => {
    const { snapshot, steps } = run(send(3), ...waiting, { type: 'user.close' });
    expect(snapshot.value).toBe('closed');
    expect(effects(steps[3]!)).toEqual(['cancelTimer', 'dropQueue', 'settle']);
    expect(params(steps[3]!, 'cancelTimer')).toEqual([{ timer: 'retry' }]);
    expect(params(steps[3]!, 'dropQueue')).toEqual([{ reason: 'closed-before-open' }]);
    expect(params(steps[3]!, 'settle')).toEqual([{ closeInfo: expect.objectContaining({ cause: 'connect-timeout' }) }]);
  });
});

describe('close() while an error closes the connection', () => {
  const failure: TransportFailure = { cause: 'transport-error', message: 'write EPIPE' };
  const failing = [opened(), { type: 'socket.error', attempt: 1, failure }] as const;

  it('lets the handshake run, and ends for good when it is over', () => {
    const { snapshot, steps } = run(...failing, { type: 'user.close', code: 4000 }, { type: 'user.close' }, dropped());
    expect(effects(steps[3]!)).toEqual([]);
    expect(snapshot.context.closeRequest).toEqual({ code: 4000 });
    expect(snapshot.value).toBe('closed');
  });

  it('reconnects without it, as the end is retryable', () => {
    expect(run(...failing, dropped()).snapshot.value).toBe('reconnecting');
  });
});

describe('resending what a dropped socket never confirmed (resendUnconfirmed)', () => {
  const RESENDING = { ...RESILIENT, heartbeat: false, resendUnconfirmed: true };

  it('queues it again for the next attempt, ahead of later sends, instead of reporting it', () => {
    const { snapshot, steps } = runFrom(RESENDING, [opened(), dropped()]);
    expect(snapshot.value).toBe('reconnecting');
    expect(effects(steps[2]!)).toEqual([
      'cancelTimer',
      'cancelTimer',
      'cancelTimer',
      'requeueUnsent',
      'emitClose',
      'startTimer',
      'emitReconnecting',
    ]);
  });

  it('reports it as usual when no reconnect follows', () => {
    const { steps } = runFrom({ ...RESENDING, maxRetries: 0 }, [opened(), dropped()]);
    expect(effects(steps[2]!).slice(3)).toEqual(['reportUnsent', 'dropQueue', 'emitClose', 'settle', 'emitGiveUp']);
    expect(params(steps[2]!, 'reportUnsent')).toEqual([{ reason: 'connection-lost' }]);
  });

  it('resends only what a drop lost: after a clean close the socket had written everything', () => {
    const serverRestart = { type: 'socket.close', attempt: 1, code: 1012, reason: '', wasClean: true } as const;
    const { snapshot, steps } = runFrom(RESENDING, [opened(), serverRestart]);
    expect(snapshot.value).toBe('reconnecting');
    expect(effects(steps[2]!)).toContain('reportUnsent');
    expect(params(steps[2]!, 'reportUnsent')).toEqual([{ reason: 'closed' }]);
  });

  it('is off by default: what the drop lost is reported connection-lost', () => {
    const { steps } = run(opened(), dropped());
    expect(effects(steps[2]!)).not.toContain('requeueUnsent');
    expect(params(steps[2]!, 'reportUnsent')).toEqual([{ reason: 'connection-lost' }]);
  });
});
