/**
 * The client process's side of the server child: forks it, and turns its IPC reports into
 * promises the workloads await.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromServer, ToServer } from './protocol.js';

type Delivered = Extract<FromServer, { type: 'delivered' }>;
type Closed = Extract<FromServer, { type: 'closed' }>;

/** Rejects after `ms` with `what` in the message, so a stuck workload fails loudly instead of hanging. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class ServerHandle {
  readonly #child: ChildProcess;
  readonly port: number;
  /** The compression bomb server's port (see `server.ts`). */
  readonly bombPort: number;
  readonly #delivered = new Map<number, (report: Delivered) => void>();
  readonly #closed = new Map<number, (report: Closed) => void>();
  #stats: ((clients: number) => void) | undefined;

  private constructor(child: ChildProcess, port: number, bombPort: number) {
    this.#child = child;
    this.port = port;
    this.bombPort = bombPort;
    child.on('message', (message: FromServer) => this.#onReport(message));
  }

  /** Forks `server.ts` (inheriting tsx's loader through `execArgv`) and waits until it listens. */
  static async start(): Promise<ServerHandle> {
    const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], { stdio: 'inherit' });
    const { port, bombPort } = await withTimeout(
      new Promise<{ port: number; bombPort: number }>((resolve, reject) => {
        child.once('message', (message: FromServer) => {
          if (message.type === 'listening') resolve(message);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      }),
      30_000,
      'server start',
    );
    return new ServerHandle(child, port, bombPort);
  }

  /**
   * Resolves when sink connection `id` has received the number of messages its URL announced.
   * Call it before the first send: reports nobody waits for are dropped.
   */
  delivered(id: number, timeoutMs = 300_000): Promise<Delivered> {
    return withTimeout(new Promise((resolve) => this.#delivered.set(id, resolve)), timeoutMs, `delivery on connection ${id}`);
  }

  /** Resolves when the server has seen connection `id` close. Call it before closing. */
  closed(id: number, timeoutMs = 120_000): Promise<Closed> {
    return withTimeout(new Promise((resolve) => this.#closed.set(id, resolve)), timeoutMs, `server-side close of connection ${id}`);
  }

  flood(id: number, count: number, size: number): void {
    this.#send({ type: 'flood', id, count, size });
  }

  /** How many connections the server still holds. */
  clients(): Promise<number> {
    const answer = new Promise<number>((resolve) => (this.#stats = resolve));
    this.#send({ type: 'stats' });
    return withTimeout(answer, 30_000, 'server stats');
  }

  /** Waits until the server holds no connection, so the next round starts with free descriptors. */
  async settle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.clients()) > 0) {
      if (Date.now() > deadline) throw new Error('server still holds connections');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  stop(): void {
    this.#child.disconnect();
  }

  #send(message: ToServer): void {
    this.#child.send(message);
  }

  #onReport(message: FromServer): void {
    switch (message.type) {
      case 'delivered':
        this.#settle(this.#delivered, message.id, message);
        break;
      case 'closed':
        this.#settle(this.#closed, message.id, message);
        break;
      case 'stats':
        this.#stats?.(message.clients);
        this.#stats = undefined;
        break;
      case 'listening':
        break;
    }
  }

  #settle<R extends FromServer>(waiters: Map<number, (report: R) => void>, id: number, report: R): void {
    const waiter = waiters.get(id);
    if (waiter === undefined) return; // most close reports interest nobody
    waiters.delete(id);
    waiter(report);
  }
}
