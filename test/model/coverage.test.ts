/**
 * The generated paths exercise the whole machine: every state, every transition, and every
 * guard both ways. The sets come from the machine definition (`machine-coverage.ts`), so a
 * state or transition added without the generator reaching it fails here, by name.
 */
import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { LifecycleMachine } from '../../src/testing/model/lifecycle-model.js';
import { generateLifecyclePaths } from '../../src/testing/model/lifecycle-walk.js';
import { coverageOf, missing } from './machine-coverage.js';

const paths = generateLifecyclePaths();
const coverage = coverageOf(connectionMachine, paths);

describe('coverage of the connection machine by the generated paths', () => {
  it('enters every state', () => {
    expect(coverage.states.size).toBeGreaterThan(0);
    expect(missing(coverage.states)).toEqual([]);
  });

  it('takes every transition', () => {
    expect(coverage.taken.size).toBeGreaterThan(0);
    expect(missing(coverage.taken)).toEqual([]);
  });

  it('sees every guard refuse its transition on some step (stale attempts, a full queue)', () => {
    expect(missing(coverage.refused)).toEqual([]);
  });

  it('names a transition added to the machine that no generated path takes', () => {
    // `socket.open` is never offered once closed, so nothing can take this one.
    const { config } = connectionMachine;
    const closed = config.states!.closed!;
    const extended = createMachine(
      { ...config, states: { ...config.states, closed: { ...closed, on: { ...closed.on, 'socket.open': { target: 'open' } } } } } as never,
      connectionMachine.implementations as never,
    ) as unknown as LifecycleMachine;
    expect(missing(coverageOf(extended, generateLifecyclePaths(extended)).taken)).toEqual(['connection.closed on socket.open #1']);
  });
});
