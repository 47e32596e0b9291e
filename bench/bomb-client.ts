/**
 * One measurement of the compression bomb workload, in a fresh process, for the same reason as
 * `memory-client.ts`: RSS means something only in a process that has not grown and shrunk for
 * another implementation. Connects to the bomb server, waits until the bomb was delivered or the
 * connection closed, and reports how far the process's peak RSS rose above what it used before
 * connecting (`process.resourceUsage().maxRSS`, the kernel's high-water mark, so a peak between
 * two samples is not missed). Forked by `workloads.ts` with `--expose-gc`; reports over IPC.
 *
 * Arguments: implementation name, bomb size in bytes, bomb server port.
 */
import { adapterNamed } from './clients/index.js';
import { bombUrl } from './protocol.js';

const MiB = 1024 * 1024;
const [name = '', bytesText = '', portText = ''] = process.argv.slice(2);
const adapter = adapterNamed(name);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('bomb-client needs --expose-gc');

gc();
const before = process.memoryUsage().rss;
let delivered = 0;
const started = performance.now();
const outcome = new Promise<void>((resolve) => {
  const handle = adapter.connect(bombUrl(Number(portText), Number(bytesText)), {
    open: () => {},
    message: (data) => {
      delivered = typeof data === 'string' ? data.length : 1;
      handle.close();
      resolve();
    },
    close: () => resolve(),
  });
});
const timeout = setTimeout(() => process.exit(3), 120_000);
await outcome;
clearTimeout(timeout);
const peak = process.resourceUsage().maxRSS * 1024;
process.send!({
  peakRssGrowthMiB: (peak - before) / MiB,
  deliveredMiB: delivered / MiB,
  msToOutcome: performance.now() - started,
});
process.disconnect();
process.exit(0);
