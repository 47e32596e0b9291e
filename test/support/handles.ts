/**
 * The process's open handles and timers, by kind (`TCPSocketWrap`, `TCPServerWrap`,
 * `Timeout`...), as `process.getActiveResourcesInfo()` lists them: a test takes a baseline
 * before it starts anything and, once it has closed everything, checks that the process is back
 * to it, so no socket, server or timer outlives the test.
 */

export type ResourceCounts = Readonly<Record<string, number>>;

/** What is active now, counted by kind. */
export function activeResources(): ResourceCounts {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * What is still active above `baseline`, by kind; empty once the process is back to it. A socket
 * that was destroyed releases its handle in a later loop iteration's close phase, so this lets
 * the event loop turn (`setImmediate`, no timer) up to `turns` times while anything is above.
 */
export async function excessOver(baseline: ResourceCounts, turns = 200): Promise<ResourceCounts> {
  for (let turn = 0; ; turn++) {
    const now = activeResources();
    const excess: Record<string, number> = {};
    for (const [kind, count] of Object.entries(now)) if (count > (baseline[kind] ?? 0)) excess[kind] = count - (baseline[kind] ?? 0);
    if (Object.keys(excess).length === 0 || turn === turns) return excess;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
