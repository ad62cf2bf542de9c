/**
 * Zuora ids compare without regard to letter case (SPEC "Row validation"): `abc…` and `ABC…` are one
 * record, so same-Id order, reads, backup, verify, preview and resume all key on the same thing. The
 * Id is still sent as written; only the keys of these collections ignore case.
 */

/** The key an Id is compared by: its lower-case spelling. */
export function idKey(id: string): string {
  return id.toLowerCase();
}

/** A Map whose keys are usage Ids compared without letter case (iteration yields the lower-case keys). */
export class IdMap<V> extends Map<string, V> {
  override get(id: string): V | undefined {
    return super.get(idKey(id));
  }

  override set(id: string, value: V): this {
    return super.set(idKey(id), value);
  }

  override has(id: string): boolean {
    return super.has(idKey(id));
  }

  override delete(id: string): boolean {
    return super.delete(idKey(id));
  }
}

/**
 * A Set of usage Ids compared without letter case. It keeps the spelling each Id was first added
 * with, so iterating it (the ids of a query) yields Ids as written.
 */
export class IdSet extends Set<string> {
  private readonly spellings = new Map<string, string>();

  override add(id: string): this {
    const key = idKey(id);
    if (this.spellings.has(key)) return this;
    this.spellings.set(key, id);
    return super.add(id);
  }

  override has(id: string): boolean {
    return this.spellings.has(idKey(id));
  }

  override delete(id: string): boolean {
    const key = idKey(id);
    const spelling = this.spellings.get(key);
    if (spelling === undefined) return false;
    this.spellings.delete(key);
    return super.delete(spelling);
  }

  override clear(): void {
    this.spellings.clear();
    super.clear();
  }
}
