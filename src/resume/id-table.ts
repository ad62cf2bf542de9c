/**
 * A set of usage Ids (optionally with a number each) that costs 11 to 16 bytes an Id (16 to 24 with a
 * 4-byte count, 21 to 32 with any number) instead of a JS string and a Set slot: a resume over millions of rows keeps Ids in it, and memory must not grow with the
 * file more than it must.
 *
 * Ids are kept as a 53-bit digest, so two different Ids can share one, and that is not always harmless.
 * Mostly it makes a row be sent again that could have been kept; but in the send journal
 * (consolidateJournal) a recorded send of one Id can clear the pending entry of another Id with the
 * same digest, and a row that may have been applied without a record is then kept instead of sent
 * again. The odds, were the digest uniform: about d x n / 2^53 for d pending Ids among n Ids of the
 * file (1,000 pending among 1,000,000: about 1 in 9 million runs), and n^2 / 2^54 that any two Ids of
 * the file collide at all (1,000,000 Ids: about 1 in 18,000). The two FNV-1a passes below are not
 * independent hashes, so the true odds are somewhat worse than that, not better. Unlikely, not impossible.
 */
export class IdTable {
  /** The digests (Float64Array), or their low 32 bits (Uint32Array: `'counts'`, `narrowKeys`; see the constructor). */
  private keys: Float64Array | Uint32Array;
  private values: Float64Array | Int32Array | undefined;
  private count = 0;

  /**
   * `withValues`: keep a number with each Id (`get`); otherwise it is a plain set. `'counts'` keeps
   * whole numbers from -2^31 to 2^31 - 1 in 4 bytes instead of 8 (rows per Id), and keys an Id by the
   * low 32 bits of its digest (8 bytes a slot instead of 12): Ids that share them share one count, the
   * sum of theirs (about 120 pairs among 1,000,000 Ids), which only keeps their entries a little longer
   * where the count says when an Id's last row has gone. `expectedIds`: room for that many Ids from
   * the start, so a table that would grow to it never holds two copies at once. `narrowKeys`: 32-bit
   * keys for a table whose user confirms every Id found some other way (BackupIds, against its file).
   */
  constructor(withValues: boolean | 'counts' = false, expectedIds = 0, narrowKeys = withValues === 'counts') {
    const slots = Math.max(MIN_SLOTS, Math.ceil(expectedIds / MAX_LOAD) + 1);
    this.keys = narrowKeys ? new Uint32Array(slots) : new Float64Array(slots);
    if (withValues) this.values = withValues === 'counts' ? new Int32Array(slots) : new Float64Array(slots);
  }

  /** The digest an Id is kept as (never 0, which marks a free slot); the same for any letter case of the Id. */
  static digest(id: string): number {
    // Two FNV-1a passes with different offsets: 32 + 21 bits, a safe integer.
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ 0x5bd1e995;
    for (let i = 0; i < id.length; i++) {
      const code = id.charCodeAt(i);
      // Ids compare without letter case (SPEC "Row validation"): `A`-`Z` are digested as `a`-`z`.
      const c = code >= 65 && code <= 90 ? code + 32 : code;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    const digest = (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
    return digest === 0 ? 1 : digest;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of its arrays (what the table costs besides a few object headers). */
  get bytes(): number {
    return this.keys.byteLength + (this.values?.byteLength ?? 0);
  }

  add(id: string, value = 1): void {
    this.setDigest(IdTable.digest(id), value);
  }

  has(id: string): boolean {
    return this.hasDigest(IdTable.digest(id));
  }

  get(id: string): number | undefined {
    return this.getDigest(IdTable.digest(id));
  }

  setDigest(digest: number, value = 1): void {
    if (this.count + 1 > this.keys.length * MAX_LOAD) this.grow();
    const key = this.keyOf(digest);
    const slot = this.slot(key);
    if (this.keys[slot] === 0) {
      this.keys[slot] = key;
      this.count++;
    }
    if (this.values) this.values[slot] = value;
  }

  hasDigest(digest: number): boolean {
    return this.keys[this.slot(this.keyOf(digest))] !== 0;
  }

  getDigest(digest: number): number | undefined {
    const slot = this.slot(this.keyOf(digest));
    return this.keys[slot] === 0 ? undefined : (this.values?.[slot] ?? 1);
  }

  /** The digests held (for `'counts'`, their low 32 bits). */
  *digests(): Generator<number> {
    for (const key of this.keys) if (key !== 0) yield key;
  }

  /** What a digest is kept as: itself, or its low 32 bits (never 0) in a Uint32Array. */
  private keyOf(digest: number): number {
    return this.keys instanceof Uint32Array ? digest % 0x100000000 || 1 : digest;
  }

  /** Linear probing from the key modulo the size; the table is at most 3/4 full, so a free slot exists. */
  private slot(key: number): number {
    const size = this.keys.length;
    let slot = key % size;
    while (this.keys[slot] !== 0 && this.keys[slot] !== key) slot = slot + 1 === size ? 0 : slot + 1;
    return slot;
  }

  /** 1.5 times the slots (half full again): the old and new arrays together are 2.5 times the old, not 3. */
  private grow(): void {
    const { keys, values } = this;
    const size = Math.ceil(keys.length * GROWTH);
    this.keys = keys instanceof Uint32Array ? new Uint32Array(size) : new Float64Array(size);
    if (values) this.values = values instanceof Int32Array ? new Int32Array(size) : new Float64Array(size);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.setDigest(keys[i]!, values?.[i]);
  }
}

/**
 * Memory per Id is (8 + 0, 4 or 8 bytes) / load: up to 3/4 full, grown by half. Linear probing at 3/4
 * takes about 2.5 probes for a hit and 8.5 for a miss; the digest is the costlier part.
 */
const MAX_LOAD = 0.75;
const GROWTH = 1.5;
const MIN_SLOTS = 1024;
