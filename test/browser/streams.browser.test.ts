/**
 * `statesock/streams` in a real headless Chromium, over the platform `WebSocket` (the browser
 * entry, no `ws`): a producer through the writable keeps `bufferedAmount` within the watermark
 * plus one chunk while every byte reaches the server in order, and a readable nobody reads,
 * which cannot pause the socket, closes the connection with 4009 past `maxUnreadBytes`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, launchChromium, modulePage, openPage, serveStatic, type PageProblems, type StaticServer } from './harness.js';
import type { FloodReport, ProduceReport, StreamsPage } from './streams/page-entry.js';

const here = dirname(fileURLToPath(import.meta.url));

let site: StaticServer;
let wss: WebSocketServer;
let browser: Browser;
let page: Page;
let problems: PageProblems;
/** What the sink received on each connection, in arrival order: the first byte of each message. */
const sunk: number[][] = [];
/** Close codes the flood server saw. */
const floodCloses: number[] = [];

beforeAll(async () => {
  const files = await bundleForBrowser([resolve(here, 'streams/page-entry.ts')]);
  files.set('/', modulePage(['/page-entry.js']));
  site = await serveStatic(files);
  wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  site.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      ws.on('error', () => {});
      if (request.url === '/sink') {
        const firsts: number[] = [];
        sunk.push(firsts);
        ws.on('message', (data: Buffer) => firsts.push(data[0]!));
      } else {
        ws.on('close', (code) => floodCloses.push(code));
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        for (let i = 0; i < 64; i++) ws.send(chunk, { binary: false }); // 4 MiB of text
      }
    });
  });
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, `${site.origin}/`));
  await page.waitForFunction(() => '__streams' in globalThis);
}, 60_000);

afterAll(async () => {
  /* eslint-disable @typescript-eslint/no-unnecessary-condition */
  await browser?.close();
  wss?.close();
  await site?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

describe('statesock/streams in Chromium', () => {
  it('keeps a producer within the watermark plus one chunk, every chunk delivered in order', async () => {
    const chunks = 128; // 8 MiB
    const report = await page.evaluate(
      ([url, count]) => (globalThis as unknown as { __streams: StreamsPage }).__streams.produce(url, count),
      [`ws://127.0.0.1:${site.port}/sink`, chunks] as const,
    );
    expect(report satisfies ProduceReport).toMatchObject({ chunks });
    expect(report.backpressureEvents).toBeGreaterThan(0);
    expect(report.readyEvents).toBeGreaterThan(0);
    expect(report.peak).toBeLessThanOrEqual(report.bound);
    expect(sunk.at(-1)).toEqual(Array.from({ length: chunks }, (_, i) => i % 251));
  });

  it('closes the connection with 4009 when a reader leaves more than maxUnreadBytes unread', async () => {
    const report = await page.evaluate(
      (url) => (globalThis as unknown as { __streams: StreamsPage }).__streams.floodUnread(url),
      `ws://127.0.0.1:${site.port}/flood`,
    );
    expect(report satisfies FloodReport).toMatchObject({ closeCode: 4009, expectedCode: 4009 });
    expect(report.error).toContain('more than 1048576 bytes unread');
    expect(floodCloses).toEqual([4009]);
  });

  it('leaves no uncaught exception in the page', () => {
    expect(problems.uncaught).toEqual([]);
  });
});
