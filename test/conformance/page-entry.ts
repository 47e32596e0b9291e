/**
 * The conformance page's script (bundled by esbuild for Chromium): the cases and the library's
 * browser entry, which uses the platform WebSocket as its transport and never imports `ws`. The
 * browser runner calls `__conformance.run(name, implementation, refusedUrl)` through Playwright.
 */
import { ManagedWebSocket } from '../../src/index.browser.js';
import { caseNamed, cases } from './cases/index.js';
import type { EnvironmentBase, SocketConstructor } from './env.js';
import { outcomeOf, type CaseOutcome } from './run.js';

export interface ConformancePage {
  readonly names: readonly string[];
  run(name: string, implementation: 'platform' | 'library', refusedUrl: string): Promise<CaseOutcome>;
}

const conformance: ConformancePage = {
  names: cases.map(({ name }) => name),
  run(name, implementation, refusedUrl) {
    const base: EnvironmentBase = {
      runtime: 'chromium',
      implementation,
      WebSocket: (implementation === 'platform' ? WebSocket : ManagedWebSocket) as unknown as SocketConstructor,
      baseIsPage: true,
      // The page and the behaviour server share an origin, so relative URLs reach the server too.
      url: (path) => `ws://${location.host}${path}`,
      refusedUrl,
    };
    return outcomeOf(caseNamed(name), base);
  },
};

(globalThis as { __conformance?: ConformancePage }).__conformance = conformance;
