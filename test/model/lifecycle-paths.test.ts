/**
 * The test kit's lifecycle paths say truly where each one ends: what a path reports is what an
 * application reads from the connection once `run()` has resolved, and stays so.
 */
import { describe, expect, it } from 'vitest';
import { lifecyclePaths } from 'statesock/testing';
import { formatClose } from '../../src/testing/model/lifecycle-oracle.js';

describe('lifecyclePaths', () => {
  const paths = lifecyclePaths();

  it(`ends each of the ${paths.length} paths in the state it names, where the connection rests after run()`, async () => {
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
});
