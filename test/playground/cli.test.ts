/**
 * `npm start` as a person runs it, in a child process (`node --import tsx playground/start.ts`,
 * which is what the script runs, minus npm and its shell): the playground prints its URL, serves
 * the page and exits 0 on SIGINT; `--headless` tours the lifecycle and exits 0 by itself.
 * The inspector variable is removed from the environment, so no inspector ever starts here.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createConnection } from '../../src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function start(args: string[], env: Record<string, string> = {}) {
  const { STATESOCK_INSPECT: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'playground/start.ts', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('npm start', () => {
  it('serves the playground on the port it prints, and exits 0 on SIGINT after closing everything', async () => {
    const { child, exited, output } = start([], { PORT: '0' });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const found = /playground: (http:\/\/\S+)/.exec(output().stdout);
        if (found) resolve(found[1]!);
      });
      void exited.then(() => reject(new Error(`exited before printing a URL: ${JSON.stringify(output())}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>statesock playground</title>');
    // One attempt: once the server is gone a reconnect could only be refused.
    const chat = createConnection(new URL('/chat?client=cli', url), { protocols: ['json'], reconnect: false });
    await new Promise((resolve) => chat.on('open', resolve));
    child.kill('SIGINT');
    expect(await exited).toEqual([0, null]);
    expect(await chat.closed).toMatchObject({ code: 1006 }); // closed by the server's shutdown, not left hanging
    expect(output().stdout).toMatch(/SIGINT: closing every socket and the server\n {2}chat: "cli" disconnected \(1006\)\nstopped\n$/);
    expect(output().stderr).toBe('');
  });

  it('--headless tours the lifecycle in the terminal, printing each state, and exits 0 by itself', async () => {
    const { exited, output } = start(['--headless']);
    expect(await exited).toEqual([0, null]);
    const { stdout, stderr } = output();
    expect(stderr).toBe('');
    for (const state of ['connecting', 'open', 'closing.draining', 'closing.handshake', 'closed', 'reconnecting', 'gaveUp'])
      expect(stdout).toContain(`state ${state} `);
    expect(stdout).toContain('parse-error (invalid-json)');
    expect(stdout).toContain('close 4001 "kicked", cause normal, clean, final\n  [bob] giveup not-retryable');
    // A refused handshake (503) is retried, and the message queued meanwhile goes out on the new socket.
    expect(stdout).toMatch(
      /\[carol\] error handshake-failed[^\n]*503\n {2}\[carol\] close 1006, cause handshake-failed, unclean, will reconnect\n {2}\[carol\] reconnecting: attempt 2 /,
    );
    expect(stdout).toContain('[carol] ← message guest');
    expect(stdout).toMatch(
      /\[dave\] error connect-timeout[^\n]*\n {2}\[dave\] close 1006, cause connect-timeout, unclean, final\n {2}\[dave\] giveup max-retries/,
    );
    expect(stdout).toMatch(
      /\[erin\] close 1006, cause connection-lost, unclean, will reconnect\n[^]*\[erin\] open[^]*\[erin\] close 1000, cause normal, clean, final/,
    );
    expect(stdout).toMatch(/done: every connection is closed and the server has stopped\.\n$/);
  });

  it('refuses an unknown argument with usage and exit code 2', async () => {
    const { exited, output } = start(['--nope']);
    expect(await exited).toEqual([2, null]);
    expect(output().stderr).toContain('unknown argument: --nope');
  });
});
