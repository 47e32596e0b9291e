/**
 * The test kit's lifecycle paths say truly where each one ends: what a path reports is what an
 * application reads from the connection once `run()` has resolved, and stays so.
 */
import { describe, expect, it } from 'vitest';
import { lifecyclePaths } from 'statesock/testing';
import { formatClose } from '../../src/testing/model/lifecycle-oracle.js';

describe('lifecyclePaths', () => {
  // Made in each test, not while the file is collected: mutation testing sees which tests use it.
  it('ends each path in the state it names, where the connection rests after run()', async () => {
    const paths = lifecyclePaths();
    const wrong: string[] = [];
    for (const path of paths) {
      const { connection } = await path.run();
      // Whatever the connection would do by itself (a drain reported in a microtask) has happened by now.
      await new Promise((resolve) => setImmediate(resolve));
      if (connection.state !== path.finalState || path.states.at(-1) !== path.finalState) {
        wrong.push(`${path.description}: finalState ${path.finalState}, connection.state ${connection.state}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives closeInfo exactly on the paths that end the connection, as closed resolves with', async () => {
    const paths = lifecyclePaths();
    const wrong: string[] = [];
    for (const path of paths) {
      const ended = path.finalState === 'closed' || path.finalState === 'gaveUp';
      if (ended !== (path.closeInfo !== undefined)) wrong.push(`${path.description}: closeInfo ${JSON.stringify(path.closeInfo)}`);
      if (!ended || path.closeInfo === undefined) continue;
      const { connection } = await path.run();
      const closed = formatClose(await connection.closed);
      if (closed !== formatClose(path.closeInfo)) wrong.push(`${path.description}: closed resolved with ${closed}`);
    }
    expect(wrong).toEqual([]);
  });

  it('describes each path by its states, its ending, its steps and what its connection lacks', () => {
    const paths = lifecyclePaths();
    const find = (reconnect: boolean, heartbeat: boolean, steps: string[]) =>
      paths.find((path) => path.reconnect === reconnect && path.heartbeat === heartbeat && path.steps.join() === steps.join());
    expect(find(true, true, ['user.close'])).toMatchObject({
      description: 'connecting → closing.aborting: user.close',
      states: ['connecting', 'closing.aborting'],
      finalState: 'closing.aborting',
      closeInfo: undefined,
    });
    const gaveUp = find(true, true, ['timer.connect', 'timer.retry', 'socket.open', 'socket.error protocol-error', 'socket.close 1006']);
    expect(gaveUp?.description).toBe(
      'connecting → reconnecting → connecting → open → closing.handshake → gaveUp (protocol-error): ' +
        'timer.connect, timer.retry, socket.open, socket.error protocol-error, socket.close 1006',
    );
    expect(gaveUp?.states).toEqual(['connecting', 'reconnecting', 'connecting', 'open', 'closing.handshake', 'gaveUp']);
    const prefixes = new Set(
      paths.map((path) => `${path.reconnect} ${path.heartbeat} ${/^without [^:]*: /.exec(path.description)?.[0] ?? ''}`),
    );
    // The generated configurations: both on, no heartbeat, and neither.
    expect([...prefixes].sort()).toEqual(['false false without reconnect or heartbeat: ', 'true false without heartbeat: ', 'true true ']);
    const wrong = paths.filter(
      (path) =>
        path.states[0] !== 'connecting' ||
        path.states.some((state, i) => state === path.states[i - 1]) ||
        !path.description.endsWith(`: ${path.steps.join(', ')}`) ||
        path.description.includes(` (${path.closeInfo?.cause ?? 'no close'}): `) !== (path.closeInfo !== undefined),
    );
    expect(wrong.map((path) => path.description)).toEqual([]);
  });
});
