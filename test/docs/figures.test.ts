/**
 * The figures the docs quote are the ones the code computes. A figure is marked in the Markdown
 * as `<!-- figure:name -->value<!-- /figure -->`; each name is computed here from the same
 * sources the tests run, so a doc cannot go on quoting a count the code no longer has.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { MODEL_INPUT, PLAIN_INPUT, RESEND_INPUT } from '../../src/testing/model/lifecycle-model.js';
import { generateLifecyclePaths } from '../../src/testing/model/lifecycle-walk.js';
import { cases } from '../conformance/cases/index.js';
import { transitionLabels } from '../model/machine-coverage.js';
import * as dataInvariants from '../properties/invariants.js';
import * as lifetimeInvariants from '../properties/lifetime-invariants.js';
import { plantedBugs } from '../properties/mutants.js';
import { MEMORY_RUNS, WS_RUNS } from '../properties/runs.js';
import { plans as wsPlans } from '../properties/ws-world.js';
import * as scale from '../resilience/scale.js';
import { markdownDocuments } from './markdown.js';

const count = (value: number): string => value.toLocaleString('en-US');

/** Every figure a doc may quote, by name. */
function computeFigures(): Record<string, string> {
  const paths = generateLifecyclePaths();
  const pathsFrom = (input: unknown) => count(paths.filter((path) => path.input === input).length);
  // The real-ws properties' plans, drawn as a run draws them: the share that reconnect (fixed seed, so the figure is stable).
  const drawn = fc.sample(wsPlans, { numRuns: 60_000, seed: 1 });
  const reconnecting = drawn.filter((plan) => plan.reconnect !== undefined).length / drawn.length;
  const invariants = [...Object.values(dataInvariants), ...Object.values(lifetimeInvariants)].filter(
    (value) => typeof value === 'object' && ('step' in value || 'final' in value),
  );
  return {
    'lifecycle-paths': count(paths.length),
    'paths-reconnect': pathsFrom(MODEL_INPUT),
    'paths-plain': pathsFrom(PLAIN_INPUT),
    'paths-resend': pathsFrom(RESEND_INPUT),
    transitions: count(transitionLabels(connectionMachine).length),
    'conformance-cases': count(cases.length),
    'memory-runs': count(MEMORY_RUNS),
    'ws-runs': count(WS_RUNS),
    'ws-runs-reconnecting': `${Math.round(reconnecting * 100)}%`,
    'soak-clients': count(scale.SOAK_CLIENTS),
    'soak-fault-every': `${scale.SOAK_FAULT_EVERY_MS} ms`,
    'soak-fault-phase': `${scale.SOAK_FAULT_PHASE_MS / 1000} s`,
    'storm-clients': count(scale.STORM_CLIENTS),
    'storm-min-wait': `${scale.STORM_MIN_RECONNECT_DELAY / 1000} s`,
    'overflow-beyond': `${scale.BEYOND_CAPACITY / 2 ** 20} MiB`,
    invariants: count(invariants.length),
    'planted-bugs': count(plantedBugs.length),
  };
}

/** The size figures `npm run size` checks against the README; listed so that they are not unknown here. */
const CHECKED_BY_SIZE_SCRIPT = new Set(['size-own', 'size-connection', 'size-partysocket', 'size-rws']);

const MARKER = /<!-- figure:([\w-]+) -->([^<]*)<!-- \/figure -->/g;

describe('figures quoted in the docs', () => {
  const figures = computeFigures();
  const quoted = markdownDocuments().flatMap((document) =>
    [...document.text.matchAll(MARKER)].map(([, name, value]) => ({ where: document.path, name: name!, value: value!.trim() })),
  );

  it('are marked somewhere (the check below has something to check)', () => {
    expect(quoted.map((figure) => figure.name)).toEqual(expect.arrayContaining(Object.keys(figures)));
  });

  it('are the ones the code computes', () => {
    const wrong = quoted
      .filter((figure) => !CHECKED_BY_SIZE_SCRIPT.has(figure.name))
      .filter((figure) => figures[figure.name] !== figure.value)
      .map(
        (figure) => `${figure.where}: ${figure.name} says ${figure.value}, the code gives ${figures[figure.name] ?? '(no such figure)'}`,
      );
    expect(wrong).toEqual([]);
  });

  it('counts only invariants that are real ones: each has a planted bug that it catches', () => {
    const caught = new Set(plantedBugs.map((bug) => bug.invariant));
    const names = [...Object.entries(dataInvariants), ...Object.entries(lifetimeInvariants)]
      .filter(([, value]) => typeof value === 'object' && ('step' in value || 'final' in value))
      .map(([name]) => name);
    expect(names.filter((name) => !caught.has(name as never))).toEqual([]);
  });
});
