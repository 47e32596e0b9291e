/**
 * The reliable session's properties (`properties.ts`) over random runs with drops at every
 * point. To replay a failure, pass the seed and path fast-check prints to `fc.assert`'s options
 * (`{ seed, path, endOnFailure: true }`) in the failing test.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { holds, invariants, RUNS } from './properties.js';

describe('reliable session properties', () => {
  it('each application receives every accepted message exactly once and in order, across any drops', async () => {
    await fc.assert(holds(invariants.exactlyOnceInOrder, false), { numRuns: RUNS });
  }, 120_000);

  it('no message is lost without a report and none arrives twice, across drops and server restarts', async () => {
    await fc.assert(holds(invariants.nothingSilent, true), { numRuns: RUNS });
  }, 120_000);

  it('neither side holds more unacknowledged messages than its bound', async () => {
    await fc.assert(holds(invariants.withinBounds, true), { numRuns: RUNS });
  }, 120_000);
});
