/**
 * The in-memory transport of `statesock/testing`, driven directly, with what it reports to its
 * handlers: the contract every test written with it relies on (its phases, what each of the
 * test's calls reports, the errors for a call in the wrong phase, writing out by budget, and
 * holding back reads while paused).
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/time.js';
import { createMemoryTransport, type MemoryTransportOptions } from '../../src/testing/index.js';

function open(options?: MemoryTransportOptions) {
  const memory = createMemoryTransport(options);
  const reports: string[] = [];
  const socket = memory.transport(
    { url: new URL('ws://memory.test/'), protocols: [], binaryType: 'arraybuffer', maxPayload: 1024, node: {}, clock: systemClock },
    {
      open: (protocol, extensions) => reports.push(`open ${protocol} ${extensions}`),
      message: (data) => reports.push(`message ${data as string}`),
      error: (failure) => reports.push(`error ${JSON.stringify(failure)}`),
      close: (code, reason, wasClean) => reports.push(`close ${code} ${reason} ${wasClean}`),
      pong: () => reports.push('pong'),
    },
  );
  return { memory, socket, reports };
}

const thrown = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  return 'nothing thrown';
};

describe('the memory transport', () => {
  it('has no protocol pings and pausable reads unless told otherwise', () => {
    const flags = ({ transport }: ReturnType<typeof createMemoryTransport>) => [transport.pings, transport.pausable];
    expect(flags(createMemoryTransport())).toEqual([false, true]);
    expect(flags(createMemoryTransport({ pings: true, pausable: false }))).toEqual([true, false]);
    expect(thrown(() => createMemoryTransport().socket)).toBe('No socket has been created yet');
  });

  it('moves through its phases as the test and the connection act, reporting each step', () => {
    const { socket, reports } = open();
    expect(socket.phase).toBe('connecting');
    socket.accept();
    expect(socket.phase).toBe('open');
    socket.pong();
    socket.deliver('hi');
    socket.close(4000, 'bye');
    expect([socket.phase, socket.closeRequest]).toEqual(['closing', { code: 4000, reason: 'bye' }]);
    socket.completeClose();
    expect(socket.phase).toBe('closed');
    expect(reports).toEqual(['open  ', 'pong', 'message hi', 'close 4000 bye true']);
  });

  it('reports a refusal, an abort and a drop as an error (when there is one) and an unclean 1006', () => {
    const refused = open();
    refused.socket.refuse();
    const withStatus = open();
    withStatus.socket.refuse('handshake-failed', 'Unexpected server response: 503', 503);
    const aborted = open();
    aborted.socket.close(undefined, undefined);
    expect(aborted.socket.phase).toBe('connecting'); // a close while connecting waits for completeAbort()
    aborted.socket.completeAbort();
    const dropped = open();
    dropped.socket.accept('chat', 'permessage-deflate');
    dropped.socket.drop({ withError: true });
    const silent = open();
    silent.socket.accept();
    silent.socket.drop();
    expect([refused, withStatus, aborted, dropped, silent].map(({ reports }) => reports)).toEqual([
      ['error {"cause":"refused","message":"connect ECONNREFUSED"}', 'close 1006  false'],
      ['error {"cause":"handshake-failed","message":"Unexpected server response: 503","status":503}', 'close 1006  false'],
      ['error {"cause":"aborted","message":"WebSocket was closed before the connection was established"}', 'close 1006  false'],
      ['open chat permessage-deflate', 'error {"cause":"connection-lost","message":"read ECONNRESET"}', 'close 1006  false'],
      ['open  ', 'close 1006  false'],
    ]);
    expect([refused, withStatus, aborted, dropped, silent].map(({ socket }) => socket.phase)).toEqual(Array(5).fill('closed'));
  });

  it('reports fail() as an error, transport-error by default, and nothing from a socket that is gone', () => {
    const live = open();
    live.socket.fail();
    live.socket.fail('tls-failed', 'bad certificate');
    const gone = open();
    gone.socket.terminate();
    gone.socket.fail();
    expect(live.reports).toEqual([
      'error {"cause":"transport-error","message":"simulated transport error"}',
      'error {"cause":"tls-failed","message":"bad certificate"}',
    ]);
    expect([gone.reports, gone.socket.phase]).toEqual([[], 'terminated']);
  });

  it('throws, naming the step and both phases, for a step the socket is in the wrong phase for', () => {
    const { socket } = open();
    expect(thrown(() => socket.deliver('x'))).toBe('deliver() needs a open socket; this one is connecting');
    expect(thrown(() => socket.pong())).toBe('pong() needs a open socket; this one is connecting');
    socket.accept();
    expect(thrown(() => socket.accept())).toBe('accept() needs a connecting socket; this one is open');
    expect(thrown(() => socket.refuse())).toBe('refuse() needs a connecting socket; this one is open');
    expect(thrown(() => socket.completeAbort())).toBe('completeAbort() needs a connecting socket; this one is open');
    socket.drop();
    expect(thrown(() => socket.drop())).toBe('drop() on a closed socket');
    expect(thrown(() => socket.completeClose())).toBe('completeClose() on a closed socket');
    const terminated = open().socket;
    terminated.terminate();
    expect(thrown(() => terminated.completeClose())).toBe('completeClose() on a terminated socket');
  });

  it('writes out whole messages within a budget, oldest first, and tells a low-water wait once below its level', async () => {
    const { socket } = open();
    socket.accept();
    for (const message of ['aaaa', 'bbbb', 'cccc']) socket.send(message, 4, message);
    const heard: string[] = [];
    socket.whenBelow(8, () => heard.push('below 8'));
    socket.flush(7); // one message fits: 8 left, not below 8
    expect([socket.written.map(({ data }) => data), socket.bufferedAmount, heard]).toEqual([['aaaa'], 8, []]);
    socket.flush(4);
    expect([socket.bufferedAmount, heard]).toEqual([4, ['below 8']]);
    socket.whenBelow(5, () => heard.push('below 5 at once'));
    await Promise.resolve();
    expect(heard).toEqual(['below 8', 'below 5 at once']);
    socket.terminate();
    socket.flush();
    expect(socket.takeUnsent()).toEqual(['cccc']); // a terminated socket writes nothing; what it held is unsent
  });

  it('holds back what arrives while reads are paused, and hands it over in order on resume, pausing again if told', () => {
    const { socket, reports } = open();
    socket.accept();
    socket.pause();
    socket.deliver('1');
    socket.deliver('2');
    socket.deliver('3');
    expect([socket.readsPaused, socket.unreadMessages]).toEqual([true, 3]);
    socket.resume();
    expect([socket.readsPaused, socket.unreadMessages]).toEqual([false, 0]);
    expect(reports.slice(1)).toEqual(['message 1', 'message 2', 'message 3']);
    socket.resume(); // not paused: nothing to do
    expect(reports).toHaveLength(4);
  });
});
