/**
 * Runs one conformance case against one environment, in Node or in a page: builds the
 * environment, runs the case, then closes every socket the case created (pass or fail) and waits
 * for their close events, so no case leaves a connection behind for the next.
 */
import type { ConformanceCase, ConformanceEnv, EnvironmentBase, SocketUnderTest } from './env.js';
import { BOUND_MS, within } from './events.js';

export async function runCase(testCase: ConformanceCase, base: EnvironmentBase): Promise<void> {
  const created: SocketUnderTest[] = [];
  const env: ConformanceEnv = {
    ...base,
    deliberate: base.implementation === 'library',
    chromiumPlatform: base.runtime === 'chromium' && base.implementation === 'platform',
    create(...args) {
      const ws: SocketUnderTest = Reflect.construct(base.WebSocket, args);
      created.push(ws);
      return ws;
    },
  };
  try {
    await testCase.run(env);
  } finally {
    await closeAll(created);
  }
}

async function closeAll(sockets: readonly SocketUnderTest[]): Promise<void> {
  await Promise.all(
    sockets.map(async (ws) => {
      if (ws.readyState === 3) return;
      const closed = new Promise((resolve) => ws.addEventListener('close', resolve, { once: true }));
      if (ws.readyState < 2) ws.close();
      // A socket that is still open after the bound is the case's own failure to report, not this one's.
      await within(closed, `closing ${ws.url} after the case`, BOUND_MS).catch(() => undefined);
    }),
  );
}

/** A case's outcome as it crosses from the page to Node. */
export type CaseOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** Runs a case and reports the outcome as data (for the page, whose exceptions do not cross to Node intact). */
export async function outcomeOf(testCase: ConformanceCase, base: EnvironmentBase): Promise<CaseOutcome> {
  try {
    await runCase(testCase, base);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) };
  }
}
