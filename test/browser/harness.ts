/**
 * A reusable harness for tests that run code in a real headless Chromium: launch it, bundle
 * TypeScript entry points for the page with esbuild (in memory: nothing is written to the
 * repository), serve them from a loopback http server on port 0, open a page and run code in it
 * or in a dedicated Worker.
 *
 * Chromium comes from `@sparticuz/chromium` (a Chromium shipped inside the npm package, so CI
 * needs no system packages); set `CHROMIUM_PATH` to use another build, such as Debian's
 * `/usr/bin/chromium`.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { closeServer, listenOnLoopback, trackSockets } from '../support/loopback.js';

/**
 * Flags for a quiet, offline, root-friendly headless Chromium: no sandbox (CI runs as root), no
 * background or component-update traffic (there is no network beyond loopback), no first-run UI.
 */
const QUIET_FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * @sparticuz/chromium's own flags, minus those that relax the web platform's security rules:
 * tests that compare against the platform must see its real behaviour.
 */
const RELAXING_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

/** Launches headless Chromium: `CHROMIUM_PATH` if set, else the one inside `@sparticuz/chromium`. */
export async function launchChromium(): Promise<Browser> {
  const fromEnv = process.env.CHROMIUM_PATH;
  const executablePath = fromEnv ?? (await unpackedSparticuz());
  const args = fromEnv === undefined ? [...sparticuz.args.filter((flag) => !RELAXING_FLAGS.has(flag)), ...QUIET_FLAGS] : QUIET_FLAGS;
  return chromium.launch({ executablePath, args: [...new Set(args)], headless: true });
}

/**
 * The `@sparticuz/chromium` browser, unpacked into a folder of its own version.
 *
 * It unpacks the browser, and the graphics libraries the browser loads from beside itself, into
 * `os.tmpdir()`, and reuses whatever it finds there, whichever version put it there: a checkout on
 * another version would launch a browser with the wrong libraries (Chromium 143 beside 153's
 * `libEGL.so` does not start). Test files run in parallel, so each unpacks into a folder of its
 * own and moves it into place in one rename; one that loses the race uses the winner's.
 */
async function unpackedSparticuz(): Promise<string> {
  const { version } = JSON.parse(readFileSync(new URL('../../node_modules/@sparticuz/chromium/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const folder = join(tmpdir(), `statesock-chromium-${version}`);
  const executable = join(folder, 'chromium');
  if (existsSync(executable)) return executable;
  const staging = mkdtempSync(`${folder}-`);
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = staging; // where the package unpacks: it reads os.tmpdir()
  try {
    await sparticuz.executablePath();
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
  }
  try {
    renameSync(staging, folder);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return executable;
}

/** A file the static server serves. */
export interface StaticFile {
  readonly body: string | Uint8Array;
  readonly type: string;
}

/**
 * Bundles each entry point (a path to a `.ts` file) into one ES module for the browser, in
 * memory. Returns the files by URL path: `/<entry basename>.js`.
 */
export async function bundleForBrowser(entryPoints: readonly string[]): Promise<Map<string, StaticFile>> {
  const result = await build({
    entryPoints: [...entryPoints],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outdir: '/bundle',
    // Stack traces from the page point at the TypeScript sources.
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return new Map(
    result.outputFiles.map((file) => [`/${basename(file.path)}`, { body: file.text, type: 'text/javascript; charset=utf-8' }]),
  );
}

/** An html page that loads `scripts` as module scripts, in order. */
export function modulePage(scripts: readonly string[]): StaticFile {
  const tags = scripts.map((src) => `<script type="module" src="${src}"></script>`).join('\n');
  return { body: `<!doctype html>\n<meta charset="utf-8">\n<title>test</title>\n${tags}\n`, type: 'text/html; charset=utf-8' };
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** The http server, for tests that handle `upgrade` requests on the same origin. */
  readonly server: Server;
  /** Destroys every connection (WebSocket upgrades included) and stops listening. */
  close(): Promise<void>;
}

/** Serves `files` (by URL path) from 127.0.0.1, port 0; anything else is a 404. */
export async function serveStatic(files: ReadonlyMap<string, StaticFile>): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  const sockets = trackSockets(server);
  const port = await listenOnLoopback(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () => closeServer(server, sockets),
  };
}

/**
 * What a page reported outside the code a test ran: uncaught exceptions, and console errors
 * (which include Chromium's own "WebSocket connection to ... failed" lines, expected in tests
 * of failed connections).
 */
export interface PageProblems {
  readonly uncaught: string[];
  readonly consoleErrors: string[];
}

/** Opens `url` in a new page and waits for its module scripts to have run (the `load` event). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage();
  const problems: PageProblems = { uncaught: [], consoleErrors: [] };
  page.on('pageerror', (error) => problems.uncaught.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/**
 * Starts a dedicated module Worker from `scriptUrl` in the page, posts it `message` and resolves
 * with the first message it posts back; rejects on a worker error or after `timeoutMs` (a
 * failure bound, not a delay).
 */
export async function runInWorker<T>(page: Page, scriptUrl: string, message: unknown, timeoutMs = 10_000): Promise<T> {
  return page.evaluate(
    ([url, data, bound]) =>
      new Promise<T>((resolve, reject) => {
        const worker = new Worker(url, { type: 'module' });
        const timer = setTimeout(() => {
          worker.terminate();
          reject(new Error(`The worker ${url} did not answer within ${bound} ms`));
        }, bound);
        worker.onmessage = (event: MessageEvent<T>) => {
          clearTimeout(timer);
          worker.terminate();
          resolve(event.data);
        };
        worker.onerror = (event) => {
          clearTimeout(timer);
          worker.terminate();
          reject(new Error(`The worker ${url} failed: ${event.message}`));
        };
        worker.postMessage(data);
      }),
    [scriptUrl, message, timeoutMs] as const,
  );
}
