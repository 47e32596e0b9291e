/**
 * Nothing lost silently: every message a tracked client handed to `send()` is matched against
 * what the server received (the ledger) and what the connection reported undelivered.
 *
 * - Each message reaches the server at most once (nothing resends), on the socket of the attempt
 *   it was written on, and each socket's messages arrive in send order; so do a client's across
 *   its sockets, which is the queue surviving reconnects in order.
 * - A message both received and reported is the at-least-once boundary of a dropped socket
 *   (docs/delivery-guarantees.md): only reasons that mean "handed to the socket, unconfirmed"
 *   may do that. A refusal or a queued message dropped before open was never written.
 * - A message neither received nor reported was lost in flight: allowed only if the client was
 *   told, i.e. it is `unconfirmed` (written on an attempt that ended uncleanly, before the
 *   server acknowledged it). The kernel had already taken it, so no library can report it; the
 *   caller decides whether its fault could lose bytes at all and expects `lostInFlight` empty if not.
 */
import type { ServerLedger } from './ledger.js';
import type { TrackedClient } from './tracked-client.js';

/** Reasons that mean the message was handed to a socket whose write was never confirmed. */
const UNCONFIRMED_WRITE = new Set(['connection-lost', 'drain-timeout']);

export interface Account {
  /** Broken rules, each a sentence naming the client and message. */
  readonly problems: string[];
  readonly delivered: number;
  readonly reported: number;
  /** Messages written before a drop that the server received and the client reported. */
  readonly both: number;
  /** Messages lost where the kernel had them; each one the client was told may be lost. */
  readonly lostInFlight: number[];
}

/** Matches `client`'s sends against `ledger`; call once the client and server are both done. */
export function account(client: TrackedClient, ledger: ServerLedger): Account {
  const problems = [...client.violations];
  const records = [...ledger.recordsOf(client.id)].sort((a, b) => a.attempt - b.attempt);
  const delivered = new Set<number>();
  let last = -1;
  for (const record of records) {
    for (const seq of record.received) {
      if (seq <= last) problems.push(`client ${client.id}: ${seq} arrived after ${last} (attempt ${record.attempt})`);
      last = Math.max(last, seq);
      if (seq >= client.sent) problems.push(`client ${client.id}: the server received ${seq}, which was never sent`);
      const writtenOn = client.writtenOn.get(seq);
      if (writtenOn !== record.attempt)
        problems.push(`client ${client.id}: ${seq} arrived on attempt ${record.attempt}, written on ${writtenOn}`);
      delivered.add(seq);
    }
  }
  let both = 0;
  const lostInFlight: number[] = [];
  for (let seq = 0; seq < client.sent; seq++) {
    const reason = client.reported.get(seq);
    if (delivered.has(seq) && reason !== undefined) {
      both++;
      if (!UNCONFIRMED_WRITE.has(reason)) problems.push(`client ${client.id}: ${seq} arrived, yet was reported ${reason}`);
    }
    if (delivered.has(seq) || reason !== undefined) continue;
    lostInFlight.push(seq);
    if (!client.unconfirmed.has(seq)) {
      const attempt = client.writtenOn.get(seq);
      problems.push(
        `client ${client.id}: ${seq} lost silently (${attempt === undefined ? 'never written' : `written on attempt ${attempt}, which ended ${describe(client, attempt)}`})`,
      );
    }
  }
  return { problems, delivered: delivered.size, reported: client.reported.size, both, lostInFlight };
}

function describe(client: TrackedClient, attempt: number): string {
  const close = client.closes[attempt - 1];
  return close === undefined ? 'never' : `${close.wasClean ? 'cleanly' : 'uncleanly'} (${close.cause})`;
}
