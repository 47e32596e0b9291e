// Replay a failure: copy `seed` and `path` from the report, and `replayPath` from its counterexample, then run
// FC_SEED=<seed> FC_PATH=<path> FC_REPLAY=<replayPath> npx vitest run test/properties/memory.properties.test.ts -t '<property name>'
/**
 * Model-based properties of `Connection` on the in-memory transport: fast-check generates the
 * application's calls and the network's and clock's moves, `fc.scheduler` interleaves the
 * transport's reports with them in every order, and the pure machine (`oracle.ts`) says what
 * must have happened. Each invariant is its own property; every run ends with a final close.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { step } from './commands.js';
import { finish } from './finish.js';
import {
  bufferedAmountAccounts,
  conformsToMachine,
  eventOrder,
  exactlyOneFate,
  fastPathIsTheMachine,
  nothingLeftBehind,
  queueWithinBounds,
  readyStateFollowsMachine,
} from './invariants.js';
import { assertOptions, commandsOptions } from './replay.js';
import { MemoryWorld, worldConfigs, type Invariant } from './world.js';

const RUNS = 1000;
/** Generous: a property takes a few seconds here, but CI machines are slower and shared. */
const TIMEOUT = 180_000;

function holds(invariant: Invariant) {
  return fc.asyncProperty(
    worldConfigs,
    fc.scheduler(),
    fc.commands([step], commandsOptions(40)),
    fc.boolean(),
    async (config, scheduler, commands, peerCooperates) => {
      const world = new MemoryWorld(config, scheduler, invariant);
      await fc.scheduledModelRun(scheduler, () => ({ model: world, real: world }), commands);
      await finish(world, peerCooperates);
      await invariant.final?.(world);
    },
  );
}

describe(`Connection on the in-memory transport (${RUNS} generated runs per property)`, () => {
  it('gives every message handed to send() exactly one fate: written once and in order, or reported undelivered once', async () => {
    await fc.assert(holds(exactlyOneFate), assertOptions(RUNS));
  }, TIMEOUT);

  it('never emits error, open or message after close, nor a second close or error', async () => {
    await fc.assert(holds(eventOrder), assertOptions(RUNS));
  }, TIMEOUT);

  it("keeps readyState equal to the machine's state, moving only forward", async () => {
    await fc.assert(holds(readyStateFollowsMachine), assertOptions(RUNS));
  }, TIMEOUT);

  it('keeps bufferedAmount non-negative and equal to queued bytes plus bytes the socket has not written', async () => {
    await fc.assert(holds(bufferedAmountAccounts), assertOptions(RUNS));
  }, TIMEOUT);

  it('never queues more than maxQueuedMessages or maxQueuedBytes', async () => {
    await fc.assert(holds(queueWithinBounds), assertOptions(RUNS));
  }, TIMEOUT);

  it('leaves no timer, socket or live listener behind after the final close', async () => {
    await fc.assert(holds(nothingLeftBehind), assertOptions(RUNS));
  }, TIMEOUT);

  it("writes from the open-state fast path exactly what the machine's writeMessage asks for", async () => {
    await fc.assert(holds(fastPathIsTheMachine), assertOptions(RUNS));
  }, TIMEOUT);

  it("emits exactly the events and makes exactly the transport calls the machine's transitions ask for", async () => {
    await fc.assert(holds(conformsToMachine), assertOptions(RUNS));
  }, TIMEOUT);
});
