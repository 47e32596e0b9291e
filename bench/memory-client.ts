/**
 * One measurement of the 10,000-connection workload, in a fresh process: RSS only means
 * something in a process that has not already grown and freed memory for another
 * implementation (neither V8 nor malloc hands freed pages back promptly, so in a shared
 * process whoever runs first pays for everyone's RSS). Forked by `workloads.ts` with
 * `--expose-gc`; reports over IPC and exits, which closes every socket at once.
 *
 * Arguments: implementation name, connection count, server port.
 */
import { adapterNamed } from './clients/index.js';
import { benchUrl } from './protocol.js';

/** Opened in windows so the server's accept backlog (4096) never overflows: a dropped SYN costs a 1 s retransmit. */
const WINDOW = 1000;

const [name = '', countText = '', portText = ''] = process.argv.slice(2);
const adapter = adapterNamed(name);
const count = Number(countText);
const port = Number(portText);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory-client needs --expose-gc');

let opened = 0;
let wake: (() => void) | undefined;
// One set of handlers shared by every connection, registered as they are (`Adapter.idle`): the
// harness adds nothing per connection but the URL it opens and its place in `handles`.
const handlers = {
  open: () => {
    opened++;
    wake?.();
  },
  message: () => {},
  close: () => {},
};

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

gc();
const before = process.memoryUsage();
const handles = [];
for (let start = 0; start < count; start += WINDOW) {
  const end = Math.min(count, start + WINDOW);
  for (let i = start; i < end; i++) handles.push(adapter.idle(benchUrl(port, i + 1, 'idle'), handlers));
  await new Promise<void>((resolve) => {
    wake = () => opened >= end && resolve();
    wake();
  });
}
await settle(); // let timers and microtasks the opens scheduled run
gc();
const after = process.memoryUsage();
process.send!({
  heapBytesPerConnection: (after.heapUsed + after.external - before.heapUsed - before.external) / count,
  rssBytesPerConnection: (after.rss - before.rss) / count,
  connections: handles.length,
});
process.disconnect();
process.exit(0);
