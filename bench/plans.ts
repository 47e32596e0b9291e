/**
 * What `npm run bench` runs: the workloads (and the compression bomb), their sizes, rounds and
 * the implementations each one drives. Rounds are chosen so the full run stays near five minutes
 * on a busy 2-core machine; `BENCH_QUICK=1` shrinks everything for a smoke run.
 */
import type { Adapter } from './clients/adapter.js';
import { control, ours, peers, raw, rawEventTarget, reliable } from './clients/index.js';
import { connectionOn } from './clients/statesock.js';
import * as workloads from './workloads.js';

export interface Plan {
  readonly key: string;
  readonly title: string;
  /** The figure the ratios and targets are about; the others are shown beside it. */
  readonly metric: string;
  readonly unit: string;
  readonly count: number;
  readonly rounds: number;
  /** Count for the unmeasured warm-up pass (JIT), or 0 for none. */
  readonly warmCount: number;
  /**
   * Slices per round: each implementation runs `count / blocks` at a time, the implementations
   * taking turns, so that a slow spell of the machine lands on all of them. For sequential
   * round trips, whose latency swings the most; the round's figure is the slices' mean.
   */
  readonly blocks?: number;
  readonly impls: readonly Adapter[];
  readonly run: (adapter: Adapter, ctx: workloads.Context, count: number) => Promise<workloads.Metrics>;
}

const ALL = [raw, control, rawEventTarget, ...ours, ...peers];
/** Where reliable sessions run too: per-message CPU each way, round trips, and memory per idle session. */
const WITH_RELIABLE = [...ALL, reliable];
// Where the receiving API is not exercised (sending, memory), both raw APIs run the same
// code; the second one is left out to keep the run short, and everything compares to `ws.on`.
const SEND_ONLY = [raw, control, ...ours, ...peers];
// A million messages take ~10 s per implementation here: the peers sit this size out (they
// are measured at 10,000 and 100,000), which keeps two rounds affordable.
const OURS_ONLY = [raw, control, ...ours];

export function plans(quick: boolean): Plan[] {
  const q = (full: number, small: number) => (quick ? small : full);
  const queued = (count: number, small: number, rounds: number, impls: readonly Adapter[], warmCount = 0): Plan => ({
    key: `queued-${count >= 1_000_000 ? `${count / 1_000_000}m` : `${count / 1000}k`}`,
    title: `queued before open: ${count.toLocaleString('en-US')} × 64 B`,
    metric: 'wallNsPerMessage',
    unit: 'ns/msg to last delivery',
    count: q(count, small),
    rounds,
    warmCount: q(warmCount, warmCount / 10),
    impls,
    run: workloads.queued,
  });
  return [
    // First, in a process that has run nothing else: a round trip's latency is the figure most
    // sensitive to what the process did before. Run after the allocation-heavy workloads below,
    // every wrapper of ws read 1.2-1.3x raw ws (partysocket 1.29x, statesock 1.25x) while the
    // noise control read 1.00x; run first, in the next full run, partysocket 1.13x, statesock
    // 1.13x and 1.07x, reconnecting-websocket 1.04x.
    {
      key: 'echo',
      title: 'echo: sequential round trips × 64 B, 2,000 per round in 4 slices',
      metric: 'usPerRoundTrip',
      unit: 'µs/round trip',
      count: q(2_000, 400),
      rounds: q(7, 2),
      warmCount: q(500, 100),
      blocks: 4,
      impls: WITH_RELIABLE,
      run: workloads.echo,
    },
    {
      key: 'burst',
      title: 'burst: 100,000 × 64 B after open',
      metric: 'cpuNsPerMessage',
      unit: 'ns CPU/msg',
      count: q(100_000, 10_000),
      rounds: q(5, 2),
      warmCount: q(20_000, 2_000),
      impls: WITH_RELIABLE,
      run: workloads.burst,
    },
    ...(
      [
        [1024, '1k', 20_000, 2_000],
        [64 * 1024, '64k', 1_000, 100],
      ] as const
    ).map(([bytes, label, count, small]): Plan => ({
      key: `burst-${label}`,
      title: `burst: ${count.toLocaleString('en-US')} × ${label.toUpperCase().replace('K', ' KiB')} after open`,
      metric: 'cpuNsPerMessage',
      unit: 'ns CPU/msg',
      count: q(count, small),
      rounds: q(5, 2),
      warmCount: q(count / 5, small / 5),
      impls: OURS_ONLY,
      run: workloads.burstSized(bytes),
    })),
    queued(10_000, 1_000, q(7, 2), SEND_ONLY, 10_000),
    queued(100_000, 10_000, q(5, 2), SEND_ONLY),
    queued(1_000_000, 50_000, 2, OURS_ONLY),
    {
      key: 'inbound',
      title: 'inbound flood: 100,000 × 64 B',
      metric: 'cpuNsPerMessage',
      unit: 'ns CPU/msg',
      count: q(100_000, 10_000),
      rounds: q(5, 2),
      warmCount: q(20_000, 2_000),
      impls: WITH_RELIABLE,
      run: workloads.inbound,
    },
    {
      key: 'producer',
      title: 'producer: 200 MB in 64 KiB chunks through a 10 MB/s link, 256 KiB watermark (statesock/streams; raw ws polls bufferedAmount)',
      metric: 'peakOverBound',
      unit: '× (watermark + chunk), peak bufferedAmount',
      count: q(200_000_000, 20_000_000),
      rounds: 1,
      warmCount: 0,
      impls: [raw, control, connectionOn],
      run: workloads.producer,
    },
    ...[1_000, 5_000, 15_000].map((count): Plan => ({
      key: `connections-${count / 1000}k`,
      title: `${count.toLocaleString('en-US')} concurrent open connections, defaults (one fresh process each)`,
      metric: 'heapBytesPerConnection',
      unit: 'B heap/conn',
      // 15,000 stays below this machine's 20,000 open files per process and ~28,000 local ports.
      count: q(count, count / 10),
      // Heap after a full GC barely varies (the control reads 1.00x); up to ~15 s per process.
      rounds: 1,
      warmCount: 0,
      impls: count === 1_000 ? [...SEND_ONLY, reliable] : SEND_ONLY,
      run: workloads.connections,
    })),
    {
      key: 'bomb',
      title: 'compression bomb: one 90 MiB text message of one byte, about 90 KiB with permessage-deflate (one fresh process each)',
      metric: 'peakRssGrowthMiB',
      unit: 'MiB peak RSS above resting',
      // The same bomb in a quick run: the memory it takes is the figure.
      count: 90 * 1024 * 1024,
      rounds: q(3, 1),
      warmCount: 0,
      impls: SEND_ONLY,
      run: workloads.bomb,
    },
    {
      key: 'close',
      title: 'close() right after sending 10 MiB (160 × 64 KiB)',
      metric: 'msToCloseAndDelivery',
      unit: 'ms to close event + all bytes',
      count: 10 * 1024 * 1024,
      rounds: q(7, 2),
      warmCount: 1024 * 1024,
      impls: ALL,
      run: workloads.closeAfterSend,
    },
  ];
}
