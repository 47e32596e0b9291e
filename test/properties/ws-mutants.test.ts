/**
 * The real-socket properties can fail: for each invariant `ws.properties.test.ts` checks, one of
 * the broken connections of `mutants.ts` (a module of the shell or the machine replaced through
 * `vi.doMock`) makes the check fail within the property's runs, through real `ws` sockets and the
 * fault proxy, for the reason that check gives.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unplantAll } from '../support/plant.js';
import { plantedBugs } from './mutants.js';
import { WS_RUNS } from './runs.js';

/** Each real-socket check, the planted bug it must catch, and what its failure must say. */
const CAUGHT: readonly { readonly check: string; readonly bug: string; readonly says: RegExp }[] = [
  {
    check: '1, the fate of every message',
    bug: 'forgets the newest queued message when it drops the queue',
    says: /^1\. accepted message #\d+ was neither received nor reported, and never handed to a socket$/,
  },
  { check: '2, per-attempt order', bug: 'reports the last close of a connection twice', says: /^close after the final close$/ },
  {
    check: '3, readyState',
    bug: 'reads CONNECTING while it aborts an attempt',
    says: /^a state event says closing\.aborting is readyState 0$/,
  },
  {
    check: '5, queue bounds',
    bug: "admits every send while connecting, whatever the queue's bounds",
    says: /5\. the queue stays within maxQueuedMessages and maxQueuedBytes/,
  },
  {
    check: '6, nothing left behind',
    bug: 'leaves the heartbeat timer running when the connection ends',
    says: /^6\. \d+ timers pending once the connection ended$/,
  },
];

afterEach(unplantAll);

describe('the real-socket properties catch a broken connection', () => {
  for (const { check, bug: name, says } of CAUGHT) {
    it(`fails ${check} when the shell or machine ${name}`, async () => {
      const bug = plantedBugs.find((candidate) => candidate.name === name)!;
      vi.resetModules();
      bug.plant();
      const { holdsOnRealSockets } = await import('./ws-invariants.js');
      const { plans, runPlan } = await import('./ws-world.js');
      const result = await fc.check(
        fc.asyncProperty(plans, async (plan) => holdsOnRealSockets(await runPlan(plan))),
        { numRuns: WS_RUNS, endOnFailure: true },
      );
      expect(result.failed, `${check} held over ${result.numRuns} runs`).toBe(true);
      expect((result.errorInstance as Error).message).toMatch(says);
    }, 120_000);
  }
});
