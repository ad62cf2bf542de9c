/**
 * `Idempotency-Key` on the Actions calls (POST), as Zuora's idempotent-requests guide describes it: the
 * first answer to a key is kept for 24 hours and a repeat of the same request gets that answer again,
 * without applying anything again. A repeat while the first is still being answered is a 409; the same
 * key with another request (path or body) is a 422.
 *
 * What is kept is the endpoint's own answer (success or failure, a whole-call 400 included); faults,
 * limit 429s and 401s happen before the endpoint, so a request that got one of those never reached the
 * store and its retry is handled afresh.
 */

import type { ServerResponse } from 'node:http';
import { type Answer, jsonAnswer } from './answers.js';

/** How long a key is remembered, from its first request (Zuora: 24 hours). */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 60 * 60_000;

/** Longest key accepted (Zuora: less than 255 characters). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 254;

interface Kept {
  /** Path and body of the first request. */
  request: string;
  answer: Answer;
  at: number;
  /** The first request is still being answered (its connection is open). */
  inProgress: boolean;
}

/** What to do with a request that carries a key. */
export type IdempotencyCheck =
  /** Answer this (the first answer again, or a 400/409/422 about the key); nothing is applied. */
  | { kind: 'answer'; answer: Answer; replayed: boolean }
  /** Handle the request, then `keep` its answer. */
  | { kind: 'new' };

export class IdempotencyStore {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly now: () => number) {}

  /** Whether the request `path` + `body` under `key` was seen within 24 hours, and what to answer then. */
  check(key: string, path: string, body: string): IdempotencyCheck {
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return { kind: 'answer', answer: jsonAnswer(400, { message: `Idempotency-Key must be less than 255 characters, got ${key.length}.` }), replayed: false };
    }
    const kept = this.kept.get(key);
    if (kept === undefined) return { kind: 'new' };
    if (this.now() - kept.at >= IDEMPOTENCY_KEY_LIFETIME_MS) {
      this.kept.delete(key);
      return { kind: 'new' };
    }
    if (kept.request !== `${path}\n${body}`) {
      const message = `Idempotency-Key ${key} was already used with another request in the last 24 hours; send a new key with a new request.`;
      return { kind: 'answer', answer: jsonAnswer(422, { message }), replayed: false };
    }
    if (kept.inProgress) {
      const message = `A request with Idempotency-Key ${key} is still in progress; retry later.`;
      return { kind: 'answer', answer: jsonAnswer(409, { message }), replayed: false };
    }
    return { kind: 'answer', answer: kept.answer, replayed: true };
  }

  /** Keeps the first answer to `key`; it counts as in progress until `res` closes. */
  keep(key: string, path: string, body: string, answer: Answer, res: ServerResponse): void {
    this.sweep();
    const kept: Kept = { request: `${path}\n${body}`, answer, at: this.now(), inProgress: !res.writableFinished && !res.destroyed };
    this.kept.set(key, kept);
    if (kept.inProgress) res.once('close', () => (kept.inProgress = false));
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, kept] of this.kept) {
      if (now - kept.at < IDEMPOTENCY_KEY_LIFETIME_MS) break; // kept in arrival order: the rest are younger
      this.kept.delete(key);
    }
  }
}
