/**
 * Who may talk to the playground's server. It listens on loopback, but a page on any site the
 * browser has open can still reach loopback: with a WebSocket (which the same-origin policy
 * does not stop), or through DNS rebinding (a name of that site made to resolve to 127.0.0.1,
 * so the page's requests look same-origin to the browser). Two checks close both:
 *
 * - `Host` must be the address the server bound to (`127.0.0.1:<port>`): a rebound name arrives
 *   with its own name as `Host`.
 * - `Origin`, when present, must be the server's own. Browsers send it with every WebSocket
 *   upgrade and every POST, so a page elsewhere cannot join the chat or inject faults; clients
 *   that are not browsers (Node, curl) send none, and no other site can make them send one.
 */
import type { IncomingMessage } from 'node:http';

export class Admission {
  readonly #host: string;
  readonly #origin: string;

  /** For a server listening on `host` (as a URL writes it: `[::1]` for IPv6) and `port`. */
  constructor(host: string, port: number) {
    this.#host = `${host}:${port}`.toLowerCase();
    this.#origin = `http://${this.#host}`;
  }

  /** Why `request` is refused, or `undefined` if it is admitted. */
  refusal(request: IncomingMessage): string | undefined {
    const { host, origin } = request.headers;
    if (host?.toLowerCase() !== this.#host) return `the Host must be ${this.#host}`;
    if (origin !== undefined && origin.toLowerCase() !== this.#origin) return `the Origin must be ${this.#origin} (or absent)`;
    return undefined;
  }
}
