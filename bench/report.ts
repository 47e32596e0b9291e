/**
 * Turns the measured rounds into the printed tables, the verdict on each target,
 * and the JSON. Verdicts use the noise control: a ratio r measured with noise n only shows the
 * true ratio lies within r ± n, so "met within noise" means r - n is under the limit.
 */
import { CONTROL, RAW, RAW_EVENT_TARGET } from './clients/raw-ws.js';
import { median, ratios, spread, type Spread } from './stats.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly ws: string;
  readonly xstate: string;
  readonly partysocket: string;
  readonly reconnectingWebSocket: string;
}

export interface ImplResult {
  readonly kind: string;
  readonly reference: string;
  /** Rounds in which the run never completed (the connection closed before delivery). */
  readonly failures: number;
  readonly medians: Record<string, number>;
  readonly perRound: Record<string, number[]>;
  /** Per-round ratios of the workload's metric to `reference`. */
  readonly ratio: Spread;
}

export interface WorkloadResult {
  readonly key: string;
  readonly title: string;
  readonly metric: string;
  readonly unit: string;
  readonly count: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly control: Spread;
  readonly noise: number;
  readonly impls: Record<string, ImplResult>;
}

type Verdict = 'met' | 'met within noise' | 'missed' | 'not run';

export interface TargetResult {
  readonly target: string;
  readonly value: number;
  readonly limit: number;
  readonly noise: number;
  readonly verdict: Verdict;
  readonly note?: string;
}

const OURS = ['Connection.on', 'ManagedWebSocket'];
const PEERS = ['partysocket', 'reconnecting-websocket'];
const QUEUED = ['queued-10k', 'queued-100k', 'queued-1m'];
const MEMORY = ['connections-1k', 'connections-5k', 'connections-15k'];
const RELIABLE = 'ReliableSession';
/** The reliable mode's CPU per message, each way, at most this ratio to raw `ws`. */
const RELIABLE_LIMIT = 1.3;
/** Which workload measures each way: what a reliable session sends, and what it receives. */
const RELIABLE_WAYS = [
  ['burst', 'sent (burst, 64 B)'],
  ['inbound', 'received (inbound, 64 B)'],
] as const;
/** The key under which `BENCH_ONLY` asks for the reliable server's memory per idle session. */
export const SERVER_SESSIONS = 'server-sessions';

/** The reliable server's heap per idle session, measured on its own (see `server-session-memory.ts`). */
export interface ServerSessionFigures {
  readonly sessions: number;
  readonly heapBytesPerSession: number;
}
/** Heap per connection: the floor every API must reach, and the goal; RSS per connection: the goal. */
const HEAP_FLOOR = 2;
const HEAP_GOAL = 1.5;
const RSS_GOAL = 1.3;
/** Heap per connection may grow this much from the fewest connections to the most and still count as flat. */
const MEMORY_FLAT = 1.1;
/** Per-message cost may grow this much from the smallest queued size to the largest and still count as flat. */
const FLAT = 1.25;

function verdict(value: number, limit: number, noise: number): Verdict {
  if (!Number.isFinite(value)) return 'missed';
  if (value <= limit) return 'met';
  return value - noise <= limit ? 'met within noise' : 'missed';
}

/** Per-round ratios of `impl`'s `metric` to its reference's. */
function ratioOf(result: WorkloadResult, impl: string, metric = result.metric): Spread {
  const subject = result.impls[impl]!;
  return spread(ratios(subject.perRound[metric]!, result.impls[subject.reference]!.perRound[metric]!));
}

/** The implementations among `names` that ran in this workload (BENCH_IMPLS may leave some out). */
function ran(result: WorkloadResult, names: readonly string[]): string[] {
  return names.filter((name) => result.impls[name] !== undefined);
}

function checkTargets(results: readonly WorkloadResult[]): TargetResult[] {
  const byKey = new Map(results.map((result) => [result.key, result]));
  const targets: TargetResult[] = [];
  const add = (target: string, value: number, limit: number, noise: number, failed?: ImplResult) => {
    const failures = failed?.failures ?? 0;
    const note =
      failures > 0 ? `failed in ${failures} of ${failed!.perRound[Object.keys(failed!.perRound)[0]!]?.length ?? '?'} rounds` : undefined;
    targets.push({
      target,
      value,
      limit,
      noise,
      verdict: failures > 0 ? 'missed' : verdict(value, limit, noise),
      ...(note === undefined ? {} : { note }),
    });
  };
  const perKind = (impl: string) => `${impl} vs ${impl === 'Connection.on' ? RAW : RAW_EVENT_TARGET}`;
  for (const [key, what, limit] of [
    ['burst', 'burst client CPU/msg (64 B)', 0.3],
    ['burst-1k', 'burst client CPU/msg (1 KiB)', 1.05],
    ['burst-64k', 'burst client CPU/msg (64 KiB)', 1.05],
    ['inbound', 'inbound client CPU/msg', 1.05],
    ['echo', 'echo round trip', 1.05],
  ] as const) {
    const result = byKey.get(key);
    if (result)
      for (const impl of ran(result, OURS))
        add(`${what}: ${perKind(impl)}`, result.impls[impl]!.ratio.median, limit, result.noise, result.impls[impl]);
  }
  for (const [key, way] of RELIABLE_WAYS) {
    const result = byKey.get(key);
    const impl = result?.impls[RELIABLE];
    if (result && impl)
      add(`reliable CPU/msg ${way}: ${RELIABLE} vs ${impl.reference}`, impl.ratio.median, RELIABLE_LIMIT, result.noise, impl);
  }
  // The producer: the peak sampled bufferedAmount within the watermark plus the largest message, an absolute bound.
  const produced = byKey.get('producer');
  if (produced !== undefined && produced.impls['Connection.on'] !== undefined) {
    const impl = produced.impls['Connection.on'];
    add(
      'producer peak bufferedAmount ÷ (watermark + largest message): Connection.on with statesock/streams',
      impl.medians['peakOverBound']!,
      1,
      0,
      impl,
    );
  }
  for (const key of QUEUED) {
    const result = byKey.get(key);
    if (result) {
      for (const impl of ran(result, OURS)) {
        add(
          `${key} delivery time vs ${RAW} burst after open: ${impl}`,
          result.impls[impl]!.ratio.median,
          1,
          result.noise,
          result.impls[impl],
        );
      }
    }
  }
  const queued = QUEUED.map((key) => byKey.get(key)).filter((result) => result !== undefined);
  if (queued.length > 1) {
    for (const impl of ran(queued[0]!, OURS)) {
      const perMessage = queued.map((result) => result.impls[impl]!.medians['wallNsPerMessage']!);
      add(
        `queued cost/msg flat (largest ÷ smallest size): ${impl}`,
        perMessage.at(-1)! / perMessage[0]!,
        FLAT,
        Math.max(...queued.map((r) => r.noise)),
      );
    }
  }
  for (const key of MEMORY) {
    const memory = byKey.get(key);
    if (memory === undefined) continue;
    const rssNoise = Math.abs(ratioOf(memory, CONTROL, 'rssBytesPerConnection').median - 1);
    for (const impl of ran(memory, OURS)) {
      const heap = memory.impls[impl]!.ratio.median;
      add(`${key} heap per connection (floor): ${impl} vs ${RAW}`, heap, HEAP_FLOOR, memory.noise);
      add(`${key} heap per connection (goal): ${impl} vs ${RAW}`, heap, HEAP_GOAL, memory.noise);
      add(`${key} RSS per connection (goal): ${impl} vs ${RAW}`, ratioOf(memory, impl, 'rssBytesPerConnection').median, RSS_GOAL, rssNoise);
    }
  }
  const sizes = MEMORY.map((key) => byKey.get(key)).filter((result) => result !== undefined);
  if (sizes.length > 1) {
    for (const impl of ran(sizes[0]!, OURS)) {
      const perConnection = sizes.map((result) => result.impls[impl]!.medians['heapBytesPerConnection']!);
      add(`heap per connection flat (most ÷ fewest connections): ${impl}`, perConnection.at(-1)! / perConnection[0]!, MEMORY_FLAT, 0);
    }
  }
  // Against the peers: each side normalized to its own raw baseline in the same round.
  for (const result of results) {
    for (const impl of ran(result, OURS)) {
      for (const peer of ran(result, PEERS)) {
        const ours = result.impls[impl]!;
        const theirs = result.impls[peer]!;
        const normalized = ratios(
          ratios(ours.perRound[result.metric]!, result.impls[ours.reference]!.perRound[result.metric]!),
          ratios(theirs.perRound[result.metric]!, result.impls[theirs.reference]!.perRound[result.metric]!),
        );
        add(`${result.key}: ${impl} vs ${peer}`, median(normalized), 1, result.noise, ours.failures > 0 ? ours : undefined);
      }
    }
  }
  return targets;
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit.startsWith('B ')) return `${(value / 1024).toFixed(1)} KiB`;
  if (unit.startsWith('ns')) return `${Math.round(value).toLocaleString('en-US')} ns`;
  if (unit.startsWith('µs')) return `${value.toFixed(1)} µs`;
  if (unit.startsWith('ms')) return `${value.toFixed(1)} ms`;
  if (unit.startsWith('MiB')) return `${value.toFixed(1)} MiB`;
  return value.toPrecision(4);
}

const x = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a');

/** One row per implementation, one column per workload: raw figures, then ratios to the raw API of the same kind. */
function summaryTable(results: readonly WorkloadResult[]): string {
  // Each memory workload shows its RSS beside its heap.
  const columns = results.flatMap((result) => (MEMORY.includes(result.key) ? [result.key, `${result.key} RSS`] : [result.key]));
  const cell = (column: string, row: (result: WorkloadResult, metric: string, unit: string) => string) => {
    const rss = column.endsWith(' RSS');
    const result = results.find((candidate) => candidate.key === (rss ? column.slice(0, -4) : column))!;
    return rss ? row(result, 'rssBytesPerConnection', 'B RSS/conn') : row(result, result.metric, result.unit);
  };
  const header = `| | ${columns.join(' | ')} |`;
  const lines = [header, `|---|${columns.map(() => '---:').join('|')}|`];
  for (const raw of [RAW, RAW_EVENT_TARGET]) {
    lines.push(
      `| **${raw}** (absolute) | ${columns
        .map((column) =>
          cell(column, (result, metric, unit) => {
            const impl = result.impls[raw];
            return impl ? formatValue(impl.medians[metric]!, unit) : '—';
          }),
        )
        .join(' | ')} |`,
    );
  }
  for (const name of [CONTROL, RAW_EVENT_TARGET, ...OURS, ...PEERS]) {
    lines.push(
      `| ${name} | ${columns
        .map((column) =>
          cell(column, (result, metric) => {
            const impl = result.impls[name];
            if (!impl) return '—';
            if (impl.failures > 0) return `${x(ratioOf(result, name, metric).median)} (${impl.failures}/${result.rounds} failed)`;
            if (name === RAW_EVENT_TARGET)
              return x(spread(ratios(result.impls[name]!.perRound[metric]!, result.impls[RAW]!.perRound[metric]!)).median);
            return x(ratioOf(result, name, metric).median);
          }),
        )
        .join(' | ')} |`,
    );
  }
  lines.push(
    `| noise (± from control) | ${columns
      .map((column) =>
        cell(column, (result, metric) =>
          metric === result.metric ? `±${result.noise.toFixed(2)}` : `±${Math.abs(ratioOf(result, CONTROL, metric).median - 1).toFixed(2)}`,
        ),
      )
      .join(' | ')} |`,
  );
  return lines.join('\n');
}

function detailTable(result: WorkloadResult): string {
  const metrics = Object.keys(Object.values(result.impls)[0]!.medians).filter((metric) => metric !== result.metric);
  const lines = [
    `**${result.title}**: ${result.unit}, ${result.rounds} rounds, ${result.seconds.toFixed(0)} s; noise control ${x(result.control.median)} (p25–p75 ${x(result.control.p25)}–${x(result.control.p75)})`,
    '',
    `| implementation | vs | ${result.metric} | ratio | ratio p25–p75 | ${metrics.map((metric) => `${metric} (ratio)`).join(' | ')} |`,
    `|---|---|---:|---:|---:|${metrics.map(() => '---:').join('|')}|`,
  ];
  for (const [name, impl] of Object.entries(result.impls)) {
    const failed = impl.failures > 0 ? ` (failed ${impl.failures}/${result.rounds})` : '';
    lines.push(
      `| ${name}${failed} | ${impl.reference} | ${formatValue(impl.medians[result.metric]!, result.unit)} | ${x(impl.ratio.median)} | ${x(impl.ratio.p25)}–${x(impl.ratio.p75)} | ${metrics
        .map((metric) => {
          const value = impl.medians[metric]!;
          return Number.isFinite(value) ? `${value.toPrecision(4)} (${x(ratioOf(result, name, metric).median)})` : 'n/a';
        })
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * What reliable sessions cost: each workload that runs them, against raw `ws` and against the
 * plain `Connection` they run on (per-round ratios, so both sides saw the same machine), and
 * the server's heap per idle session.
 */
function reliableTable(results: readonly WorkloadResult[], serverSessions: ServerSessionFigures | undefined): string {
  const measured = results.filter((result) => result.impls[RELIABLE] !== undefined && result.impls['Connection.on'] !== undefined);
  const lines: string[] = [];
  if (measured.length > 0) {
    lines.push(`| ${RELIABLE} | ${measured.map((result) => result.key).join(' | ')} |`, `|---|${measured.map(() => '---:').join('|')}|`);
    lines.push(`| vs ${RAW} | ${measured.map((result) => x(result.impls[RELIABLE]!.ratio.median)).join(' | ')} |`);
    const vsPlain = (result: WorkloadResult) =>
      median(ratios(result.impls[RELIABLE]!.perRound[result.metric]!, result.impls['Connection.on']!.perRound[result.metric]!));
    lines.push(`| vs Connection.on (plain mode) | ${measured.map((result) => x(vsPlain(result))).join(' | ')} |`);
  }
  if (serverSessions !== undefined) {
    lines.push(
      '',
      `Server heap per idle session, apart from its \`ws\` socket: ${formatValue(serverSessions.heapBytesPerSession, 'B heap/session')} (${serverSessions.sessions.toLocaleString('en-US')} sessions, each having exchanged a message each way and its acknowledgements, in a fresh process).`,
    );
  }
  return lines.join('\n');
}

function targetTable(targets: readonly TargetResult[]): string {
  const lines = ['| target | measured | limit | noise | verdict |', '|---|---:|---:|---:|---|'];
  for (const target of targets) {
    const verdictText = target.verdict === 'missed' ? '**missed**' : target.verdict;
    lines.push(
      `| ${target.target} | ${x(target.value)} | ${x(target.limit)} | ±${target.noise.toFixed(2)} | ${verdictText}${target.note ? ` (${target.note})` : ''} |`,
    );
  }
  return lines.join('\n');
}

export function machineLine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ws ${machine.ws}, xstate ${machine.xstate}, partysocket ${machine.partysocket}, reconnecting-websocket ${machine.reconnectingWebSocket}`;
}

export function renderReport(
  machine: Machine,
  results: readonly WorkloadResult[],
  meta: { readonly quick: boolean; readonly seconds: number; readonly serverSessions?: ServerSessionFigures | undefined },
): { markdown: string; json: unknown } {
  const targets = checkTargets(results);
  const reliable = reliableTable(results, meta.serverSessions);
  const markdown = [
    `## Benchmark${meta.quick ? ' (quick run: small counts, not for the README)' : ''}`,
    '',
    `Machine: ${machineLine(machine)}. Run took ${Math.round(meta.seconds)} s.`,
    '',
    'Medians of per-round ratios to raw `ws` in the same round (`Connection.on` vs `ws.on`; `ManagedWebSocket`, partysocket and reconnecting-websocket vs `ws.addEventListener` where that workload runs it, else `ws.on`). Lower is better.',
    '',
    summaryTable(results),
    '',
    '### Targets',
    '',
    targetTable(targets),
    '',
    ...(reliable === '' ? [] : ['### Reliable sessions', '', reliable, '']),
    '### Details',
    '',
    ...results.flatMap((result) => [detailTable(result), '']),
  ].join('\n');
  return {
    markdown,
    json: {
      machine,
      quick: meta.quick,
      seconds: meta.seconds,
      date: new Date().toISOString(),
      workloads: results,
      targets,
      ...(meta.serverSessions === undefined ? {} : { serverSessions: meta.serverSessions }),
    },
  };
}
