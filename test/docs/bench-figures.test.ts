/**
 * The benchmark figures the docs quote are the committed full run's (`bench/results/latest.json`).
 * A figure is marked `<!-- bench:workload:implementation[:metric] -->1.23x<!-- /bench -->`: the
 * median of the per-round ratios of that implementation's metric (the workload's own, unless
 * named) to its reference's in the same round, as `npm run bench` reports it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { median, ratios } from '../../bench/stats.js';
import { markdownDocuments, ROOT } from './markdown.js';

interface Workload {
  readonly key: string;
  readonly metric: string;
  readonly impls: Record<string, { readonly reference: string; readonly perRound: Record<string, number[]> }>;
}

const results = JSON.parse(readFileSync(join(ROOT, 'bench/results/latest.json'), 'utf8')) as {
  readonly quick: boolean;
  readonly workloads: readonly Workload[];
};

/** What the run says for a marker's name, or why it cannot say. */
function figure(name: string): string {
  const [key, impl, metricName] = name.split(':');
  const workload = results.workloads.find((candidate) => candidate.key === key);
  if (workload === undefined) return `(no workload ${key} in the run)`;
  const subject = workload.impls[impl!];
  if (subject === undefined) return `(no ${impl} in ${key})`;
  const metric = metricName ?? workload.metric;
  const own = subject.perRound[metric];
  const reference = workload.impls[subject.reference]?.perRound[metric];
  if (own === undefined || reference === undefined) return `(no ${metric} in ${key})`;
  return `${median(ratios(own, reference)).toFixed(2)}x`;
}

const MARKER = /<!-- bench:([\w.:() -]+?) -->([^<]*)<!-- \/bench -->/g;

describe('benchmark figures quoted in the docs', () => {
  const quoted = markdownDocuments().flatMap((document) =>
    [...document.text.matchAll(MARKER)].map(([, name, value]) => ({ where: document.path, name: name!, value: value!.trim() })),
  );

  it('come from a full run', () => {
    expect(results.quick).toBe(false);
    expect(quoted.length).toBeGreaterThan(0);
  });

  it('are what that run measured', () => {
    const wrong = quoted
      .map((entry) => ({ ...entry, measured: figure(entry.name) }))
      .filter((entry) => entry.measured !== entry.value)
      .map((entry) => `${entry.where}: ${entry.name} says ${entry.value}, the run gives ${entry.measured}`);
    expect(wrong).toEqual([]);
  });
});
