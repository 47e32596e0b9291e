/**
 * `npm run bench`: drives this library, raw `ws`, partysocket and reconnecting-websocket
 * through the same workloads against a `ws` server in a separate process on loopback, then
 * prints a table and JSON (also written to `bench/results/latest.json` by a full run).
 *
 * This process is the only client. Whole-process timings vary by ±25% on a busy 2-core
 * machine, so implementations alternate within each round, in an order rotated every round,
 * and the figures reported are medians of per-round ratios to raw `ws` in the same round. A
 * second raw `ws` socket runs in every round as a noise control: its ratio to the first
 * should be 1, and how far it strays says how far the other ratios can be trusted.
 *
 * Environment: BENCH_QUICK=1 for a smoke run (small counts, 2 rounds, ~30 s); BENCH_ROUNDS=n
 * to override every workload's rounds; BENCH_ONLY=burst,inbound to run some workloads only
 * (`server-sessions` for the reliable server's memory per idle session);
 * BENCH_IMPLS=Connection.on to run one implementation beside the raw baselines (profiling).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Adapter } from './clients/adapter.js';
import { CONTROL, RAW, RAW_EVENT_TARGET } from './clients/raw-ws.js';
import { plans, type Plan } from './plans.js';
import { renderReport, SERVER_SESSIONS, type Machine, type WorkloadResult } from './report.js';
import { ServerHandle } from './server-handle.js';
import { median, noiseOf, ratios, rotate, spread } from './stats.js';
import * as workloads from './workloads.js';

// A full GC before each measured run (see workloads.ts); `tsx` gives no way to pass --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const env = process.env;
const quick = env['BENCH_QUICK'] === '1';
const only = env['BENCH_ONLY']?.split(',').map((key) => key.trim());
const roundsOverride = env['BENCH_ROUNDS'] === undefined ? undefined : Number(env['BENCH_ROUNDS']);
/** For profiling one implementation (`npm run build && node --cpu-prof --import tsx bench/run.ts`): the raw baselines always run. */
const implsFilter = env['BENCH_IMPLS']?.split(',').map((name) => name.trim());

function machine(): Machine {
  // Read from node_modules directly: partysocket's `exports` map hides its package.json.
  const version = (name: string) =>
    (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    ws: version('ws'),
    xstate: version('xstate'),
    partysocket: version('partysocket'),
    reconnectingWebSocket: version('reconnecting-websocket'),
  };
}

/** The mean of a round's slices; a failed slice makes the round failed. */
function meanOf(slices: readonly workloads.Metrics[]): workloads.Metrics {
  if (slices.some((slice) => slice['failed'] === 1)) return { failed: 1 };
  const keys = Object.keys(slices[0]!);
  return Object.fromEntries(keys.map((key) => [key, slices.reduce((sum, slice) => sum + slice[key]!, 0) / slices.length]));
}

/** The raw baseline an implementation is compared with: the raw `ws` API of the same kind, when this workload runs it. */
function referenceOf(adapter: Adapter, plan: Plan): string {
  if (adapter.kind === 'event-target' && plan.impls.some((impl) => impl.name === RAW_EVENT_TARGET)) return RAW_EVENT_TARGET;
  return RAW;
}

async function runPlan(fullPlan: Plan, ctx: workloads.Context): Promise<WorkloadResult> {
  const keep = (impl: Adapter) => implsFilter === undefined || [RAW, CONTROL, RAW_EVENT_TARGET, ...implsFilter].includes(impl.name);
  const plan = { ...fullPlan, impls: fullPlan.impls.filter(keep) };
  const rounds = roundsOverride ?? plan.rounds;
  const started = Date.now();
  if (plan.warmCount > 0) for (const impl of plan.impls) await plan.run(impl, ctx, plan.warmCount);
  const values = new Map<string, workloads.Metrics[]>(plan.impls.map((impl) => [impl.name, []]));
  const blocks = plan.blocks ?? 1;
  for (let round = 0; round < rounds; round++) {
    const slices = new Map<string, workloads.Metrics[]>(plan.impls.map((impl) => [impl.name, []]));
    for (let block = 0; block < blocks; block++) {
      for (const impl of rotate(plan.impls, round + block)) slices.get(impl.name)!.push(await plan.run(impl, ctx, plan.count / blocks));
    }
    for (const [name, metrics] of slices) values.get(name)!.push(meanOf(metrics));
    await ctx.server.settle();
  }
  // A failed run (see workloads.ts) has no figures: NaN, which the statistics skip.
  const series = (name: string, metric = plan.metric) => values.get(name)!.map((metrics) => metrics[metric] ?? Number.NaN);
  const control = spread(ratios(series(CONTROL), series(RAW)));
  const result: WorkloadResult = {
    key: plan.key,
    title: plan.title,
    metric: plan.metric,
    unit: plan.unit,
    count: plan.count,
    rounds,
    seconds: (Date.now() - started) / 1000,
    control,
    noise: noiseOf(control),
    impls: Object.fromEntries(
      plan.impls.map((impl) => {
        const reference = referenceOf(impl, plan);
        const runs = values.get(impl.name)!;
        const metricNames = [...new Set(runs.flatMap((metrics) => Object.keys(metrics)))].filter((metric) => metric !== 'failed');
        return [
          impl.name,
          {
            kind: impl.kind,
            reference,
            failures: runs.filter((metrics) => metrics['failed'] === 1).length,
            medians: Object.fromEntries(metricNames.map((metric) => [metric, median(series(impl.name, metric))])),
            perRound: Object.fromEntries(metricNames.map((metric) => [metric, series(impl.name, metric)])),
            ratio: spread(ratios(series(impl.name), series(reference))),
          },
        ];
      }),
    ),
  };
  process.stderr.write(`  ${plan.key}: ${result.seconds.toFixed(1)} s, noise control ${control.median.toFixed(3)}x\n`);
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  const host = machine();
  const server = await ServerHandle.start();
  const ctx: workloads.Context = { server, gc };
  const results: WorkloadResult[] = [];
  try {
    process.stderr.write(`bench: ${quick ? 'quick' : 'full'} run against ws://127.0.0.1:${server.port}\n`);
    for (const plan of plans(quick)) {
      if (only !== undefined && !only.includes(plan.key)) continue;
      results.push(await runPlan(plan, ctx));
    }
  } finally {
    server.stop();
  }
  // The reliable server's own memory needs no socket: sessions on in-memory links, in a fresh process.
  const wantsSessions =
    (only === undefined || only.includes(SERVER_SESSIONS)) && (implsFilter === undefined || implsFilter.includes('ReliableSession'));
  const serverSessions = wantsSessions ? await workloads.serverSessionMemory(quick ? 1_000 : 10_000) : undefined;
  const report = renderReport(host, results, { quick, seconds: (Date.now() - started) / 1000, serverSessions });
  process.stdout.write(`${report.markdown}\n\n${JSON.stringify(report.json, null, 2)}\n`);
  const directory = new URL('./results/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  // Only a full run replaces `latest`, the run the docs quote; a quick or partial one has its own files.
  const name = quick ? 'quick' : only !== undefined || implsFilter !== undefined ? 'partial' : 'latest';
  writeFileSync(new URL(`${name}.json`, directory), `${JSON.stringify(report.json, null, 2)}\n`);
  writeFileSync(new URL(`${name}.md`, directory), `${report.markdown}\n`);
}

await main();
