/**
 * Where sessions are recorded: which ids exist, and each one's epoch. The in-memory store is the
 * default; a shared store (Redis, say, for servers behind a load balancer) implements the same
 * interface, and the epoch is what fences off a node that lost a session to another: every
 * claim increments it, and a node whose release names an older epoch learns that it no longer
 * owns the session.
 *
 * The store records identities, not messages: a session's buffers live in the process that
 * holds it, so a resume that reaches another process is answered `unknown-session` (the client
 * reports the loss and starts a new session). Methods may return promises; the server holds the
 * socket they concern until they settle.
 */
import { randomUUID } from 'node:crypto';
import { describeValue } from '../validation.js';

/** A value, or a promise of one: what a shared store answers with. */
export type MaybePromise<T> = T | Promise<T>;

/** One session, as the store knows it. */
export interface SessionRecord {
  readonly id: string;
  /** 1 when created, one more at every claim: who holds the highest epoch holds the session. */
  readonly epoch: number;
}

/** What a claim finds: the session (at its new epoch), or why there is none. */
export type SessionClaim = SessionRecord | 'unknown' | 'expired';

export interface SessionStore {
  /** Records a new session with a fresh, unguessable id, at epoch 1. */
  create(): MaybePromise<SessionRecord>;
  /** A client resumes `id`: its epoch goes up by one. `'expired'` for a session that expired (while the store remembers it), `'unknown'` otherwise. */
  claim(id: string): MaybePromise<SessionClaim>;
  /**
   * The session ended (`expired`: it timed out, and a later claim should say so). Returns
   * `false`, and changes nothing, when `epoch` is no longer the session's: another claim fenced
   * this holder off.
   */
  release(id: string, epoch: number, expired: boolean): MaybePromise<boolean>;
}

export interface MemorySessionStoreOptions {
  /** How many expired ids to remember, so that resuming one answers `expired-session` rather than `unknown-session`; the oldest are forgotten first. @default 10000 */
  readonly rememberExpired?: number;
}

/** The default store: one process's memory. A restart forgets every session, which clients then report as lost. */
export function memorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const remember = options.rememberExpired ?? 10_000;
  if (!Number.isInteger(remember) || remember < 0) {
    throw new TypeError(`Expected \`rememberExpired\` to be a non-negative integer, got ${describeValue(remember)}`);
  }
  const epochs = new Map<string, number>();
  /** Insertion-ordered, so the oldest expired id is the first to forget. */
  const expired = new Set<string>();
  return {
    create() {
      const id = randomUUID();
      epochs.set(id, 1);
      return { id, epoch: 1 };
    },
    claim(id) {
      const epoch = epochs.get(id);
      if (epoch === undefined) return expired.has(id) ? 'expired' : 'unknown';
      epochs.set(id, epoch + 1);
      return { id, epoch: epoch + 1 };
    },
    release(id, epoch, hasExpired) {
      if (epochs.get(id) !== epoch) return false;
      epochs.delete(id);
      if (hasExpired && remember > 0) {
        expired.add(id);
        if (expired.size > remember) expired.delete(expired.values().next().value!);
      }
      return true;
    },
  };
}
