/**
 * Random faults on API requests (usage and Actions calls): what a busy tenant and its gateways do to a client now and then,
 * drawn from a small seeded PRNG so that the same seed and the same request order give the same faults
 * (a failing test can be replayed with the seed it ran with).
 */

import type { Answer, CrudError } from './answers.js';
import { DEFAULT_MESSAGES, statusAnswer, zuoraErrorAnswer } from './faults.js';

/**
 * - `5xx`: 500, 502, 503 or 504 with an empty or an HTML gateway body; not applied.
 * - `drop`: the socket is destroyed before the request is handled; not applied.
 * - `slow`: applied at once, answered only after `slowMs` (a real slow Zuora finishes its work anyway).
 * - `apply-then-drop`: applied, then the socket is destroyed instead of answering.
 * - `lock`: `Success:false` with `LOCK_COMPETITION`; not applied.
 */
export type ChaosKind = '5xx' | 'drop' | 'slow' | 'apply-then-drop' | 'lock';

export const CHAOS_KINDS: readonly ChaosKind[] = ['5xx', 'drop', 'slow', 'apply-then-drop', 'lock'];

export interface ChaosOptions {
  /** Probability, 0..1, that an API request gets a fault. */
  rate: number;
  /** PRNG seed (an unsigned 32-bit integer). Default: a random one, readable as `Chaos.seed`. */
  seed?: number;
  /** Kinds to pick from, uniformly. Default: all of CHAOS_KINDS. */
  kinds?: ChaosKind[];
  /** How long a `slow` answer waits, in ms. Default 60000: longer than a client's usual timeout. */
  slowMs?: number;
  /**
   * Probability, 0..1, that one object of an Actions update that reaches the tenant fails on its own
   * with `LOCK_COMPETITION` or `TEMPORARY_ERROR` (not applied; the other objects are). Drawn from a
   * PRNG of its own, so the whole-call faults of a seed stay the same. Default 0.
   */
  objectRate?: number;
}

/** A client timeout is usually shorter than this, so a `slow` answer by default arrives after the client gave up. */
export const DEFAULT_SLOW_MS = 60_000;

/** The "try later" failures an update object gets from `objectRate`. */
const OBJECT_FAILURES: readonly [CrudError, CrudError] = [
  { Code: 'LOCK_COMPETITION', Message: DEFAULT_MESSAGES.LOCK_COMPETITION as string },
  { Code: 'TEMPORARY_ERROR', Message: DEFAULT_MESSAGES.TEMPORARY_ERROR as string },
];

const SERVER_ERROR_STATUSES = [500, 502, 503, 504] as const;
const STATUS_TEXT: Record<(typeof SERVER_ERROR_STATUSES)[number], string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
};

/** mulberry32: a tiny 32-bit seeded PRNG, uniform in [0, 1). Good enough for test faults, not for secrets. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Draws the fault of each API request, and builds the answers of those that answer. */
export class Chaos {
  readonly seed: number;
  readonly slowMs: number;
  /** The `lock` answer: LOCK_COMPETITION at the tenant's business-failure status. */
  readonly lockAnswer: Answer;
  private readonly rate: number;
  private readonly kinds: readonly ChaosKind[];
  private readonly random: () => number;
  private readonly objectRate: number;
  private readonly objectRandom: () => number;
  /** Every status with an empty body, then every status with an HTML body. */
  private readonly serverErrors: Answer[];

  constructor(options: ChaosOptions, businessFailureStatus: 200 | 400) {
    const { rate, seed, kinds = CHAOS_KINDS, slowMs = DEFAULT_SLOW_MS, objectRate = 0 } = options;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`chaos.rate must be a probability from 0 to 1, got ${rate}`);
    if (!(objectRate >= 0 && objectRate <= 1)) throw new RangeError(`chaos.objectRate must be a probability from 0 to 1, got ${objectRate}`);
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
      throw new RangeError(`chaos.seed must be an integer from 0 to 2^32-1, got ${seed}`);
    }
    if (kinds.length === 0) throw new RangeError(`chaos.kinds must name at least one of ${CHAOS_KINDS.join(', ')}`);
    const unknown = kinds.find((kind) => !CHAOS_KINDS.includes(kind));
    if (unknown !== undefined) throw new RangeError(`chaos.kinds: unknown kind ${String(unknown)}; use ${CHAOS_KINDS.join(', ')}`);
    if (!(Number.isFinite(slowMs) && slowMs >= 0)) throw new RangeError(`chaos.slowMs must be a number of ms >= 0, got ${slowMs}`);

    this.rate = rate;
    this.kinds = [...kinds];
    this.slowMs = slowMs;
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    this.random = mulberry32(this.seed);
    this.objectRate = objectRate;
    this.objectRandom = mulberry32(this.seed ^ 0x9e3779b9);
    this.lockAnswer = zuoraErrorAnswer('LOCK_COMPETITION', businessFailureStatus);
    this.serverErrors = [
      ...SERVER_ERROR_STATUSES.map((status) => statusAnswer(status)),
      ...SERVER_ERROR_STATUSES.map((status) =>
        statusAnswer(
          status,
          `<html>\r\n<head><title>${status} ${STATUS_TEXT[status]}</title></head>\r\n<body>\r\n<center><h1>${status} ${STATUS_TEXT[status]}</h1></center>\r\n</body>\r\n</html>\r\n`,
        ),
      ),
    ];
  }

  /** The fault of the next API request, or undefined for none. One or two draws. */
  next(): ChaosKind | undefined {
    if (this.random() >= this.rate) return undefined;
    return this.kinds[Math.floor(this.random() * this.kinds.length)];
  }

  /** The failure of the next update object, or undefined for none (no draw at all when `objectRate` is 0). */
  nextObjectFailure(): CrudError | undefined {
    if (this.objectRate === 0 || this.objectRandom() >= this.objectRate) return undefined;
    return this.objectRandom() < 0.5 ? OBJECT_FAILURES[0] : OBJECT_FAILURES[1];
  }

  /** The answer of a `5xx` fault: one more draw picks the status and the body. */
  serverError(): Answer {
    return this.serverErrors[Math.floor(this.random() * this.serverErrors.length)] as Answer;
  }
}
