/**
 * A dedicated Worker's script (bundled by esbuild): one echo session with the platform
 * `WebSocket` and one with `ManagedWebSocket` from the library's browser entry, both from a URL
 * relative to the worker's own, so the page can compare them. Workers are a target environment
 * (the standard exposes WebSocket in `Window` and `Worker`).
 */
import { ManagedWebSocket } from '../../src/index.browser.js';

/** What one session saw. */
export interface WorkerSession {
  readonly url: string;
  readonly events: string[];
  readonly messages: (string | number[])[];
  readonly close: [number, string, boolean];
}

export interface WorkerReport {
  readonly error?: string;
  readonly inWorker: boolean;
  readonly platform: WorkerSession;
  readonly library: WorkerSession;
}

type Constructor = new (url: string) => WebSocket;

function session(Impl: Constructor): Promise<WorkerSession> {
  return new Promise((resolve, reject) => {
    const ws = new Impl('/echo');
    ws.binaryType = 'arraybuffer';
    const events: string[] = [];
    const messages: (string | number[])[] = [];
    const timer = setTimeout(() => reject(new Error(`no close after 5000 ms; events so far: ${events.join(' ')}`)), 5_000);
    for (const type of ['open', 'message', 'error', 'close']) ws.addEventListener(type, () => events.push(`${type}@${ws.readyState}`));
    ws.onopen = () => {
      ws.send('ping');
      ws.send(new Uint8Array([1, 2, 3]));
    };
    ws.onmessage = ({ data }: MessageEvent<string | ArrayBuffer>) => {
      messages.push(typeof data === 'string' ? data : [...new Uint8Array(data)]);
      if (messages.length === 2) ws.close(1000, 'done');
    };
    ws.onclose = ({ code, reason, wasClean }: CloseEvent) => {
      clearTimeout(timer);
      resolve({ url: ws.url, events, messages, close: [code, reason, wasClean] });
    };
  });
}

const scope = globalThis as unknown as { onmessage: (() => void) | null; postMessage(data: unknown): void };
scope.onmessage = () => void answer();

async function answer(): Promise<void> {
  try {
    const report: WorkerReport = {
      inWorker: 'WorkerGlobalScope' in globalThis && !('document' in globalThis),
      platform: await session(WebSocket),
      library: await session(ManagedWebSocket as unknown as Constructor),
    };
    scope.postMessage(report);
  } catch (error) {
    // A rejection would not reach the page's worker.onerror: report it as the answer.
    scope.postMessage({ error: String(error) });
  }
}
