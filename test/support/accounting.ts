/**
 * Nothing lost silently, and nothing lost beyond what the link could hold: every message a
 * tracked client handed to `send()` is matched against what the proxy read from it and passed on
 * (`upstream-traffic.ts`), what the server received (the ledger) and what the connection
 * reported undelivered.
 *
 * - Each message reaches the server at most once (nothing resends), on the socket of the attempt
 *   it was written on, and each socket's messages arrive in send order; so do a client's across
 *   its sockets, which is the queue surviving reconnects in order.
 * - A message both received and reported is the at-least-once boundary of a dropped socket
 *   (docs/delivery-guarantees.md): only reasons that mean "handed to the socket, unconfirmed"
 *   may do that. A refusal or a queued message dropped before open was never written.
 * - A message neither received nor reported was lost in flight: allowed only if the client was
 *   told, i.e. it is `unconfirmed` (written on an attempt that ended uncleanly, before the
 *   server acknowledged it), and only where the link could physically hold it. The proxy's
 *   records place it exactly: in the proxy (read from the client, never passed on: swallowed),
 *   before it (never read: in the client's kernel send buffer or the proxy's receive buffer) or
 *   after it (passed on, never processed: the proxy's send buffer or the server's receive
 *   buffer). `lossViolations` holds each hop of each link to a limit (`link-capacity.ts`), or to
 *   nothing where the scene cannot lose anything.
 * - The proxy's records are checked against both ends, so a misread shows: what the server
 *   received, the proxy passed on, on the link of the same attempt; what the proxy read, the
 *   client wrote on that attempt.
 */
import { clientFrameBytes } from './frame-reader.js';
import { hopCapacity } from './link-capacity.js';
import type { ServerLedger } from './ledger.js';
import type { TrackedClient } from './tracked-client.js';
import type { UpstreamTraffic } from './upstream-traffic.js';

/** Reasons that mean the message was handed to a socket whose write was never confirmed. */
const UNCONFIRMED_WRITE = new Set(['connection-lost', 'drain-timeout']);

/** Where on a link a message was lost. */
export type Hop = 'before the proxy' | 'in the proxy' | 'after the proxy';
export const HOPS: readonly Hop[] = ['before the proxy', 'in the proxy', 'after the proxy'];

/** The messages one link lost at one hop, and the bytes their frames took. */
export interface HopLoss {
  /** Which link, in words (`client 3, attempt 2`). */
  readonly link: string;
  readonly hop: Hop;
  readonly messages: number[];
  bytes: number;
}

/**
 * Where a message that was written on the link `link` records (`undefined`: a link the proxy
 * never read it on) and never delivered was lost, and the bytes its frames took: as the proxy
 * measured them if it read them, else as the client framed its `payloadBytes`.
 */
export function placeLoss(
  link: UpstreamTraffic | undefined,
  id: number,
  payloadBytes: number,
): { readonly hop: Hop; readonly bytes: number } {
  const hop: Hop = link?.forwarded.has(id) ? 'after the proxy' : link?.received.has(id) ? 'in the proxy' : 'before the proxy';
  return { hop, bytes: link?.received.get(id) ?? clientFrameBytes(payloadBytes) };
}

/** Adds message `id`, lost at `hop` of `link`, to `losses` (one entry per link and hop). */
export function addLoss(losses: Map<string, HopLoss>, link: string, id: number, { hop, bytes }: ReturnType<typeof placeLoss>): void {
  const key = `${link}: ${hop}`;
  const loss = losses.get(key) ?? { link, hop, messages: [], bytes: 0 };
  losses.set(key, loss);
  loss.messages.push(id);
  loss.bytes += bytes;
}

export interface Account {
  /** Broken rules, each a sentence naming the client and message. */
  readonly problems: string[];
  readonly delivered: number;
  readonly reported: number;
  /** Messages written before a drop that the server received and the client reported. */
  readonly both: number;
  /** Messages lost where the kernel or the proxy had them; each one the client was told may be lost. */
  readonly lostInFlight: number[];
  /** The same, by link and hop. */
  readonly losses: HopLoss[];
}

/** Matches `client`'s sends against `ledger` and the proxy's records; call once the client, the proxy and the server are all done. */
export function account(client: TrackedClient, ledger: ServerLedger, upstream: readonly UpstreamTraffic[]): Account {
  const problems = [...client.violations];
  const links = linksOf(client, upstream, problems);
  const records = [...ledger.recordsOf(client.id)].sort((a, b) => a.attempt - b.attempt);
  const delivered = new Set<number>();
  let last = -1;
  for (const record of records) {
    const link = links.get(record.attempt);
    for (const seq of record.received) {
      if (seq <= last) problems.push(`client ${client.id}: ${seq} arrived after ${last} (attempt ${record.attempt})`);
      last = Math.max(last, seq);
      if (seq >= client.sent) problems.push(`client ${client.id}: the server received ${seq}, which was never sent`);
      const writtenOn = client.writtenOn.get(seq);
      if (writtenOn !== record.attempt)
        problems.push(`client ${client.id}: ${seq} arrived on attempt ${record.attempt}, written on ${writtenOn}`);
      if (!link?.forwarded.has(seq))
        problems.push(
          `client ${client.id}: the server received ${seq} on attempt ${record.attempt}, which the proxy never passed on there`,
        );
      delivered.add(seq);
    }
  }
  for (const [attempt, link] of links) {
    for (const seq of link.received.keys()) {
      if (client.writtenOn.get(seq) !== attempt)
        problems.push(`client ${client.id}: the proxy read ${seq} on attempt ${attempt}, written on ${client.writtenOn.get(seq)}`);
    }
  }

  let both = 0;
  const lostInFlight: number[] = [];
  const losses = new Map<string, HopLoss>();
  for (let seq = 0; seq < client.sent; seq++) {
    const reason = client.reported.get(seq);
    if (delivered.has(seq) && reason !== undefined) {
      both++;
      if (!UNCONFIRMED_WRITE.has(reason)) problems.push(`client ${client.id}: ${seq} arrived, yet was reported ${reason}`);
    }
    if (delivered.has(seq) || reason !== undefined) continue;
    lostInFlight.push(seq);
    const attempt = client.writtenOn.get(seq);
    if (!client.unconfirmed.has(seq)) {
      problems.push(
        `client ${client.id}: ${seq} lost silently (${attempt === undefined ? 'never written' : `written on attempt ${attempt}, which ended ${describe(client, attempt)}`})`,
      );
    }
    if (attempt === undefined) continue;
    const link = links.get(attempt);
    if (link === undefined) {
      problems.push(`client ${client.id}: ${seq} was written on attempt ${attempt}, which the proxy has no link for`);
      continue;
    }
    addLoss(losses, `client ${client.id}, attempt ${attempt}`, seq, placeLoss(link, seq, client.bytes[seq]!));
  }
  return { problems, delivered: delivered.size, reported: client.reported.size, both, lostInFlight, losses: [...losses.values()] };
}

/** The proxy's record of each of `client`'s attempts that reached the server side of the proxy, by attempt. */
function linksOf(client: TrackedClient, upstream: readonly UpstreamTraffic[], problems: string[]): Map<number, UpstreamTraffic> {
  const links = new Map<number, UpstreamTraffic>();
  for (const link of upstream) {
    if (link.client !== client.id || link.attempt === undefined) continue;
    for (const problem of link.problems) problems.push(`client ${client.id}, attempt ${link.attempt}, at the proxy: ${problem}`);
    if (links.has(link.attempt)) problems.push(`client ${client.id}: two proxy links for attempt ${link.attempt}`);
    links.set(link.attempt, link);
  }
  return links;
}

function describe(client: TrackedClient, attempt: number): string {
  const close = client.closes[attempt - 1];
  return close === undefined ? 'never' : `${close.wasClean ? 'cleanly' : 'uncleanly'} (${close.cause})`;
}

/** The most frame bytes each hop of one link may lose, and why. */
export interface LossLimits {
  readonly bytes: { readonly [hop in Hop]: number };
  readonly why: string;
}

/** For a scene where nothing can be lost: no fault destroys a socket that carried messages. */
export const NOTHING_LOST: LossLimits = {
  bytes: { 'before the proxy': 0, 'in the proxy': 0, 'after the proxy': 0 },
  why: 'this scene cannot lose anything',
};

/**
 * For a scene whose faults destroy sockets with messages in them: each of the two TCP hops may
 * lose what its buffers can hold, and the proxy what it swallowed, which its records measure
 * exactly (read, and never passed on).
 */
export function whatLinksHold(): LossLimits {
  const { sendBufferMax, receiveBufferMax, proxyHolds, bytes } = hopCapacity();
  return {
    bytes: { 'before the proxy': bytes, 'in the proxy': Infinity, 'after the proxy': bytes },
    why: `what a hop can hold: a ${sendBufferMax}-byte send buffer, a ${receiveBufferMax}-byte receive buffer and ${proxyHolds} bytes in the proxy`,
  };
}

/** Every hop of every link that lost more than `limits` allow, as a sentence naming the hop, the bytes and the limit. */
export function lossViolations(losses: readonly HopLoss[], limits: LossLimits): string[] {
  return losses
    .filter((loss) => loss.bytes > limits.bytes[loss.hop])
    .map(
      (loss) =>
        `${loss.link}: ${loss.messages.length} messages (${loss.bytes} frame bytes) lost ${loss.hop}, ` +
        `more than the ${limits.bytes[loss.hop]} bytes allowed (${limits.why})`,
    );
}

/** The messages and frame bytes lost at each hop, over every link. */
export function lossesByHop(losses: readonly HopLoss[]): Record<Hop, { messages: number; bytes: number }> {
  const totals = Object.fromEntries(HOPS.map((hop) => [hop, { messages: 0, bytes: 0 }])) as Record<
    Hop,
    { messages: number; bytes: number }
  >;
  for (const loss of losses) {
    totals[loss.hop].messages += loss.messages.length;
    totals[loss.hop].bytes += loss.bytes;
  }
  return totals;
}
