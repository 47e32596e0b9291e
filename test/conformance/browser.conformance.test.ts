/**
 * The conformance suite in a real headless Chromium: every case runs in one page twice, against
 * the platform `WebSocket` (the reference implementation, which proves the cases themselves) and
 * against `ManagedWebSocket` from the library's browser entry (native transport, no `ws`). The
 * page and the behaviour server share an origin, so relative URLs resolve to the server. A last
 * test runs an echo session inside a dedicated Worker with both implementations.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedPort } from '../support/ws-server.js';
import {
  bundleForBrowser,
  launchChromium,
  modulePage,
  openPage,
  runInWorker,
  serveStatic,
  type PageProblems,
  type StaticServer,
} from '../browser/harness.js';
import { cases } from './cases/index.js';
import type { ConformancePage } from './page-entry.js';
import { attachBehaviours, type Behaviours } from './server.js';
import type { WorkerReport } from './worker-entry.js';

const here = dirname(fileURLToPath(import.meta.url));

let site: StaticServer;
let behaviours: Behaviours;
let browser: Browser;
let page: Page;
let problems: PageProblems;
let refusedUrl: string;

beforeAll(async () => {
  const files = await bundleForBrowser([resolve(here, 'page-entry.ts'), resolve(here, 'worker-entry.ts')]);
  files.set('/', modulePage(['/page-entry.js']));
  site = await serveStatic(files);
  behaviours = attachBehaviours(site.server);
  refusedUrl = `ws://127.0.0.1:${await refusedPort()}/`;
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, `${site.origin}/`));
  await page.waitForFunction(() => '__conformance' in globalThis);
}, 60_000);

afterAll(async () => {
  // Set by beforeAll, unless it failed part way: then some are still undefined.
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  await browser?.close();
  behaviours?.close();
  await site?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

for (const implementation of ['platform', 'library'] as const) {
  const label = implementation === 'platform' ? 'the platform WebSocket' : 'ManagedWebSocket (browser entry)';
  describe(`WHATWG WebSocket conformance: ${label} in Chromium`, () => {
    for (const testCase of cases) {
      it(testCase.name, async () => {
        const outcome = await page.evaluate(
          ([name, which, refused]) => (globalThis as unknown as { __conformance: ConformancePage }).__conformance.run(name, which, refused),
          [testCase.name, implementation, refusedUrl] as const,
        );
        if (!outcome.ok) throw new Error(outcome.error);
      });
    }
  });
}

describe('ManagedWebSocket in a dedicated Worker', () => {
  it('runs an echo session over the native WebSocket exactly as the platform WebSocket does', async () => {
    const report = await runInWorker<WorkerReport>(page, '/worker-entry.js', 'start');
    expect(report.error).toBeUndefined();
    expect(report.inWorker).toBe(true);
    const expected = {
      url: `ws://127.0.0.1:${site.port}/echo`,
      events: ['open@1', 'message@1', 'message@1', 'close@3'],
      messages: ['ping', [1, 2, 3]],
      close: [1000, 'done', true],
    };
    expect(report.platform).toEqual(expected);
    expect(report.library).toEqual(expected);
  });

  it('leaves no uncaught exception in the page', () => {
    expect(problems.uncaught).toEqual([]);
  });
});
