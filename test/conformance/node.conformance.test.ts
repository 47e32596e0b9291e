/**
 * The conformance suite against `ManagedWebSocket` in Node, over its default `ws` transport, on a
 * real `ws` behaviour server. Each case is one test, named as the case is (cases/*.ts); cases
 * tagged with a deliberate difference assert the library's documented behaviour here.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ManagedWebSocket } from '../../src/index.js';
import { refusedPort } from '../support/ws-server.js';
import { cases } from './cases/index.js';
import type { EnvironmentBase, SocketConstructor } from './env.js';
import { runCase } from './run.js';
import { startBehaviourServer, type BehaviourServer } from './server.js';

let server: BehaviourServer;
let refusedUrl: string;

beforeAll(async () => {
  server = await startBehaviourServer();
  refusedUrl = `ws://127.0.0.1:${await refusedPort()}/`;
});

afterAll(() => server.close());

describe('WHATWG WebSocket conformance: ManagedWebSocket in Node', () => {
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const base: EnvironmentBase = {
        runtime: 'node',
        implementation: 'library',
        WebSocket: ManagedWebSocket as unknown as SocketConstructor,
        baseIsPage: false,
        url: (path) => `${server.wsOrigin}${path}`,
        refusedUrl,
      };
      await runCase(testCase, base);
    });
  }
});
