/**
 * The real-network accounting can fail: planted with a bug that forgets what a dropped socket
 * never wrote (its `connection-lost` reports), the shell loses more than a hop can hold in the
 * overflow scenes (`overflow-scene.ts`, the scenes `overflow.test.ts` checks), and the accounting
 * names the hop, the bytes and the bound. The bug replaces one effect of `src/effects.ts` in the
 * whole module graph (`vi.doMock`), as if that file had been broken; production code has no hook.
 *
 * The forgotten messages were written on an attempt that closed uncleanly, so the client was
 * told they may be lost: only the bound tells this bug from the kernel losing its buffers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as EffectsModule from '../../src/effects.js';
import type { Scene, startScene as StartScene } from '../support/scene.js';
import type { LinkDeath } from './overflow-scene.js';

const EFFECTS = '../../src/effects.js';

afterEach(() => {
  vi.doUnmock(EFFECTS);
  vi.resetModules();
});

/** Replaces the shell's `reportUnsent` with `revise(original)`. */
function plantReportUnsent(revise: (original: EffectsModule.Effects['reportUnsent']) => EffectsModule.Effects['reportUnsent']): void {
  vi.doMock(EFFECTS, async (importOriginal) => {
    const original = await importOriginal<typeof EffectsModule>();
    return { ...original, effects: { ...original.effects, reportUnsent: revise(original.effects.reportUnsent) } };
  });
}

/** Takes what the socket never wrote, and forgets it when the connection was lost. */
const forgetsConnectionLost =
  (original: EffectsModule.Effects['reportUnsent']): EffectsModule.Effects['reportUnsent'] =>
  (engine, params, step, message) => {
    if (params.reason === 'connection-lost') engine.sockets.takeUnsent();
    else original(engine, params, step, message);
  };

/** Runs the overflow scene on a fresh module graph (with whatever is planted) and returns the accounting's loss violations. */
async function overflowViolations(death: LinkDeath): Promise<{ violations: string[]; problems: readonly string[] }> {
  vi.resetModules();
  const { startScene } = await import('../support/scene.js');
  const { overflowLink } = await import('./overflow-scene.js');
  const { lossViolations, whatLinksHold } = await import('../support/accounting.js');
  let scene: Scene | undefined;
  const start: typeof StartScene = async (...args) => (scene = await startScene(...args));
  try {
    const { finish } = await overflowLink(start, death);
    return { violations: lossViolations(finish.losses, whatLinksHold()), problems: finish.problems };
  } finally {
    await scene?.close();
  }
}

describe('the real-network accounting catches a shell that forgets connection-lost reports', () => {
  it.each<LinkDeath>(['dropped', 'heartbeat-timeout'])(
    'in the overflow scene where the link is %s',
    async (death) => {
      plantReportUnsent(forgetsConnectionLost);
      const { violations, problems } = await overflowViolations(death);
      expect(violations).toEqual([
        expect.stringMatching(
          /^client 0, attempt 1: \d+ messages \(\d+ frame bytes\) lost before the proxy, more than the \d+ bytes allowed \(what a hop can hold/,
        ),
      ]);
      // Nothing else gives it away: each forgotten message is one the client was told may be lost.
      expect(problems).toEqual([]);
    },
    60_000,
  );

  it('and finds nothing with the same effect replaced by itself', async () => {
    plantReportUnsent((original) => original);
    expect(await overflowViolations('dropped')).toEqual({ violations: [], problems: [] });
  }, 60_000);
});
