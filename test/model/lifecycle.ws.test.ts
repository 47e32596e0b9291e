/**
 * The same generated lifecycle paths as `lifecycle.memory.test.ts`, against real `ws` sockets
 * and a scripted `ws` server on loopback (see `ws-driver.ts` for how each step is made to
 * happen). The same checks at every step; `bufferedAmount` is exact here too, because the
 * server's link, not the kernel's buffers, decides what the client has written out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { generateLifecyclePaths } from '../../src/testing/model/lifecycle-walk.js';
import { lifecyclePath } from '../../src/testing/lifecycle-paths.js';
import { runPath } from '../../src/testing/model/lifecycle-runner.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { transitionLabel, transitionLabels } from './machine-coverage.js';
import { wsDriver } from './ws-driver.js';

const paths = generateLifecyclePaths();
let server: ScriptedServer;
/** Transitions the connection's own actor took, over every path run so far. */
const taken = new Set<string>();

beforeAll(async () => {
  server = await startScriptedServer();
});

afterAll(async () => {
  await server.close();
  // Inside the connection every transition is taken but the `user.send` ones, which the shell
  // performs from the machine's definition without stepping it (`send-plan.ts`), and two: a
  // close with no error before it while connecting or aborting, which `ws` never reports (it
  // reports a reset handshake or an abort as an error, then a close); those steps run as that
  // error, with the same events for the app, and the memory run takes them.
  const labels = transitionLabels(connectionMachine);
  expect(labels.filter((label) => !taken.has(label))).toEqual(
    labels.filter(
      (label) =>
        label.includes(' on user.send ') ||
        label === 'connection.connecting on socket.close #1 [isCurrentAttempt]' ||
        label === 'connection.closing.aborting on socket.close #1 [isCurrentAttempt]',
    ),
  );
});

describe(`the ${paths.length} generated lifecycle paths, on ws with a scripted server`, () => {
  for (const path of paths) {
    it(lifecyclePath(connectionMachine, path).description, async () => {
      const driver = wsDriver(server);
      const run = await runPath(path, driver, { onTransitions: (ts) => ts.forEach((t) => taken.add(transitionLabel(t))) });
      try {
        expect(run.observed).toEqual(run.expected);
        expect(run.violations).toEqual([]);
      } finally {
        await driver.dispose(run.connection);
      }
    });
  }
});
