/**
 * The examples, as the playground serves them, in headless Chromium: the React chat (in
 * StrictMode, its three components on one connection: the server logs one chat client for the
 * page) chats with the playground's own page, and the plain page shows its inspector element for a
 * connection created before it. The playground links both. Every wait is for a DOM condition,
 * bounded.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground, type Playground } from '../../playground/server.js';
import { launchChromium, openPage, type PageProblems } from '../browser/harness.js';

/** A failure bound for each DOM condition, not a delay. */
const BOUND = 10_000;

let playground: Playground;
let browser: Browser;
/** One page, navigated from test to test: this Chromium runs as one process, which closing a page can end. */
let page: Page;
let problems: PageProblems;
const serverLog: string[] = [];

beforeAll(async () => {
  playground = await startPlayground({ port: 0, log: (line) => serverLog.push(line) });
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, playground.url));
}, 60_000);

afterAll(async () => {
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset if beforeAll failed part way */
  expect(problems?.uncaught).toEqual([]);
  await browser?.close();
  await playground?.close();
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
});

describe('the examples', () => {
  it('are linked from the playground', async () => {
    const links = await page.locator('header a[href^="/examples/"]').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/examples/react-chat/', '/examples/inspector/']);
  });

  it('the React chat shares one connection between its components under StrictMode, and chats', async () => {
    await page.goto(new URL('/examples/react-chat/', playground.url).href, { waitUntil: 'load' });
    await page.locator('.status[data-state="open"]').waitFor({ timeout: BOUND });
    await page.locator('.users li', { hasText: 'react-guest' }).waitFor({ timeout: BOUND });
    await page.fill('input[aria-label="message"]', 'hello from React');
    await page.press('input[aria-label="message"]', 'Enter');
    await page.locator('.messages li', { hasText: 'hello from React' }).filter({ hasText: 'react-guest' }).waitFor({ timeout: BOUND });
    // The page's three components, each mounted twice by StrictMode: one chat client connected.
    const connected = serverLog.filter((line) => /^chat: "react-chat-\w+" connected$/.test(line));
    expect(connected).toHaveLength(1);
  });

  it('the plain page shows, with its inspector element, the connection it created before the element', async () => {
    await page.goto(new URL('/examples/inspector/', playground.url).href, { waitUntil: 'load' });
    expect(await page.locator('statesock-inspector').count()).toBe(0);
    await page.click('#show');
    const section = page.locator('statesock-inspector .connection').first();
    await expect.poll(() => section.locator('g.node.current > title').textContent(), { timeout: BOUND }).toBe('connection.open');
    const log = await section.locator('.log li b').allTextContents();
    expect(log[0]).toBe('state'); // from its creation, before the element existed
    expect(await section.locator('.log li span').first().textContent()).toBe('connecting (readyState 0)');
    await page.click('#close');
    await expect.poll(() => section.locator('g.node.current > title').textContent(), { timeout: BOUND }).toBe('connection.closed');
  });
});
