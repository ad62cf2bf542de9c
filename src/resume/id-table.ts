/**
 * A set of usage Ids (optionally with a number each) that costs 16 to 32 bytes an Id (twice that with
 * numbers) instead of a JS string and a Set slot: a resume over millions of rows keeps Ids in it, and memory must not grow with the
 * file more than it must.
 *
 * Ids are kept as a 53-bit digest. Two different Ids sharing a digest (about 1 in 10^9 for a million
 * Ids) only make a row be sent again that could have been kept: never a row kept that must be sent.
 */
export class IdTable {
  private keys = new Float64Array(1024);
  private values: Float64Array | undefined;
  private count = 0;

  /** `withValues`: keep a number with each Id (`get`); otherwise it is a plain set. */
  constructor(withValues = false) {
    if (withValues) this.values = new Float64Array(this.keys.length);
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
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const slot = this.slot(digest);
    if (this.keys[slot] === 0) {
      this.keys[slot] = digest;
      this.count++;
    }
    if (this.values) this.values[slot] = value;
  }

  hasDigest(digest: number): boolean {
    return this.keys[this.slot(digest)] !== 0;
  }

  getDigest(digest: number): number | undefined {
    const slot = this.slot(digest);
    return this.keys[slot] === 0 ? undefined : (this.values?.[slot] ?? 1);
  }

  *digests(): Generator<number> {
    for (const key of this.keys) if (key !== 0) yield key;
  }

  /** Linear probing from the digest's low bits; the table is at most half full, so a free slot exists. */
  private slot(digest: number): number {
    const mask = this.keys.length - 1;
    let slot = digest % this.keys.length;
    while (this.keys[slot] !== 0 && this.keys[slot] !== digest) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2);
    if (values) this.values = new Float64Array(keys.length * 2);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.setDigest(keys[i]!, values?.[i]);
  }
}
