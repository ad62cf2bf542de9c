import { closeSync, openSync, readSync } from 'node:fs';
import { IdTable } from '../resume/id-table.js';
import { idKey, IdMap } from '../rows/id-case.js';

/**
 * The Ids a `--backup` file holds, in about 16 to 24 bytes an Id instead of a string in a Set (about
 * 100 bytes): the low 32 bits of each Id's digest, with the byte offset of its record in the file, and whether its
 * record was read in this run (kept as the offset's sign: an Id from the file `--resume` continues is
 * negative until read again).
 *
 * A digest alone would not do: two Ids sharing one would make the second look backed up, and its
 * before-image would never be written (then an update of it would be sent with no backup). So a false
 * "held" is made impossible: a digest found is confirmed by reading the Id at the recorded offset of
 * the file (on disk: `add` is called only once the record is flushed) and comparing it without letter
 * case. An Id whose key is taken by another Id is kept exactly, as a string, in `collided` (about 120
 * of 1,000,000 distinct Ids, about 170 bytes each). Only Ids of this backup file are found, so a miss
 * is exact too.
 */
export class BackupIds {
  private readonly table: IdTable;
  /** Exact: Id -> read in this run. */
  private readonly collided = new IdMap<boolean>();
  private fd: number | undefined;
  private buffer = Buffer.alloc(256);

  /**
   * `expectedIds`: room for that many from the start (no growth, with two copies for a moment).
   * `digest`: IdTable's (given the lower-case Id: its own case rule covers only A-Z); a test passes one that collides.
   */
  constructor(
    private readonly path: string,
    private readonly delimiter: string,
    expectedIds = 0,
    private readonly digest: (id: string) => number = IdTable.digest,
  ) {
    // 32-bit keys: every Id found is confirmed against the file, so Ids sharing a key cost a read, never a wrong answer.
    this.table = new IdTable(true, expectedIds, true);
  }

  get size(): number {
    return this.table.size + this.collided.size;
  }

  /** Bytes of its table (12 a slot), the Ids kept as strings aside. */
  get bytes(): number {
    return this.table.bytes;
  }

  /**
   * Notes that the record of `id` starts at byte `offset` of the file (already on disk); `readInRun`:
   * its record was read in this run (false for the records of the file `--resume` continues). An Id
   * held already keeps its offset.
   */
  add(id: string, offset: number, readInRun: boolean): void {
    const digest = this.digest(idKey(id));
    const held = this.table.getDigest(digest);
    if (held === undefined) this.table.setDigest(digest, readInRun ? offset : -offset - 1);
    else if (this.idAt(held, id)) {
      if (readInRun && held < 0) this.table.setDigest(digest, -held - 1);
    } else if (!this.collided.has(id) || readInRun) this.collided.set(id, readInRun);
  }

  has(id: string): boolean {
    return this.find(id) !== undefined;
  }

  /** Whether the file holds `id` and its record was read in this run (appended by it, or `add`ed again). */
  readInRun(id: string): boolean {
    return this.find(id) === true;
  }

  /** Undefined if not held, else whether read in this run. Exact: a digest found is confirmed against the file. */
  private find(id: string): boolean | undefined {
    const held = this.table.getDigest(this.digest(idKey(id)));
    if (held === undefined) return undefined;
    if (this.idAt(held, id)) return held >= 0;
    return this.collided.get(id);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Whether the record at `offset` of the file is the one of `id` (letter case aside). */
  private idAt(held: number, id: string): boolean {
    const found = this.firstField(held < 0 ? -held - 1 : held);
    return found !== undefined && idKey(found) === idKey(id);
  }

  /** The first field of the CSV record that starts at `offset` (a quoted one unquoted); undefined if the file ends first. */
  private firstField(offset: number): string | undefined {
    this.fd ??= openSync(this.path, 'r');
    for (;;) {
      const read = readSync(this.fd, this.buffer, 0, this.buffer.length, offset);
      const text = this.buffer.toString('utf8', 0, read);
      const atEnd = read < this.buffer.length;
      const field = parseFirstField(text, this.delimiter, atEnd);
      if (field !== undefined || atEnd) return field;
      this.buffer = Buffer.alloc(this.buffer.length * 2);
    }
  }
}

/**
 * The first field of `text` (leading line breaks skipped), or undefined when `text` ends inside it;
 * `atEnd`: `text` is the rest of the file, so a field it ends in is whole.
 */
export function parseFirstField(text: string, delimiter: string, atEnd = false): string | undefined {
  let start = 0;
  while (text[start] === '\n' || text[start] === '\r') start++;
  if (text[start] !== '"') {
    for (let i = start; i < text.length; i++) {
      if (text[i] === '\n' || text[i] === '\r' || text.startsWith(delimiter, i)) return text.slice(start, i);
    }
    return atEnd && start < text.length ? text.slice(start) : undefined;
  }
  let field = '';
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return undefined;
    field += text.slice(i, quote);
    if (quote + 1 >= text.length) return atEnd ? field : undefined;
    if (text[quote + 1] !== '"') return field;
    field += '"';
    i = quote + 2;
  }
}
