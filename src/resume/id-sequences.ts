import { hash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { IdTable } from './id-table.js';
import { KEPT_ROWS_MARK } from './kept-rows-path.js';

/**
 * "Untouched" judged per Id (SPEC "Resume"): the rows of each Id in the earlier results, in file order,
 * against the rows of that Id in the current input, wherever they moved. Memory is a few numbers per Id
 * of the results (the Id's digest, a 64-bit digest of its row sequence, two row counts, a flag and a
 * file offset), never the rows: the rows a resumed run may keep are kept in a scratch file, chained per
 * Id, and read back one at a time as the run reaches them.
 *
 * An Id is untouched when its recorded rows are, cell for cell and in order, the first rows of that Id
 * in the current input (rows added after them were never recorded, so they are simply sent), and no
 * journal entry makes it dirty. Row sequences are compared through a 64-bit digest (SHA-1 of each row
 * with its position, folded by XOR), and every row kept is compared again cell for cell with the
 * recorded one, so a digest collision can only make a row be sent that could have been kept.
 */
export class IdSequences {
  private keys = new Float64Array(MIN_SLOTS);
  /** XOR of the row digests, low and high 32 bits: recorded rows, then the current input's first as many. */
  private lo = new Uint32Array(MIN_SLOTS);
  private hi = new Uint32Array(MIN_SLOTS);
  /** Rows of the Id in the results. */
  private recorded = new Uint32Array(MIN_SLOTS);
  /** Rows of the Id met so far in the current input (first the comparing pass, then the run). */
  private seen = new Uint32Array(MIN_SLOTS);
  /** CHANGED: the Id's rows are all sent. */
  private flags = new Uint8Array(MIN_SLOTS);
  /** The next recorded `updated` row of the Id not yet reached, as a scratch-file reference (refOf); 0 none. */
  private head = new Uint32Array(MIN_SLOTS);
  /** While the results are read: the Id's last entry (a reference), to chain the next one to. */
  private tail: Uint32Array | undefined = new Uint32Array(MIN_SLOTS);
  private count = 0;
  private readonly scratch: ScratchFile;

  /** `scratchPath`: where the rows that may be kept are written (kept-rows-path.ts); removed by `close`. */
  constructor(scratchPath: string) {
    this.scratch = new ScratchFile(scratchPath);
  }

  /** Ids of the results. */
  get size(): number {
    return this.count;
  }

  /** Adds the next recorded row of `id` (results in file order); `kept` holds its cells and result cells when it was `updated`. */
  addRecorded(id: string, cells: readonly string[], kept: { resultCells: readonly string[] } | undefined): void {
    const slot = this.insert(IdTable.digest(id));
    const k = this.recorded[slot]!;
    this.recorded[slot] = k + 1;
    this.fold(slot, k, cells);
    if (!kept) return;
    const offset = this.scratch.append(k, JSON.stringify([cells, kept.resultCells]));
    const tail = this.tail![slot]!;
    if (tail === 0) this.head[slot] = refOf(offset);
    else this.scratch.link(offsetOf(tail), offset);
    this.tail![slot] = refOf(offset);
  }

  /** Counts the next row of `id` in the current input (input in file order). */
  addCurrent(id: string, cells: readonly string[]): void {
    const slot = this.find(IdTable.digest(id));
    if (slot < 0) return;
    const k = this.seen[slot]!;
    this.seen[slot] = k + 1;
    if (k < this.recorded[slot]!) this.fold(slot, k, cells);
  }

  /**
   * Ends the comparison: an Id is changed when the current input has fewer rows of it than the results,
   * its first rows differ, or `dirty` (the journal) holds it. Returns how many Ids changed.
   */
  judge(dirty: IdTable): number {
    this.tail = undefined;
    this.scratch.flush();
    let changed = 0;
    for (let slot = 0; slot < this.keys.length; slot++) {
      if (this.keys[slot] === 0) continue;
      if (this.seen[slot]! < this.recorded[slot]! || this.lo[slot] !== 0 || this.hi[slot] !== 0 || dirty.hasDigest(this.keys[slot]!)) {
        this.flags[slot] = CHANGED;
        changed++;
      }
      this.seen[slot] = 0;
    }
    return changed;
  }

  /**
   * The run reaches the next input row of `id` (valid or not, in file order). Returns the result cells the
   * earlier run recorded for it when it need not be sent: its Id untouched, every earlier row of the Id
   * kept, and the row recorded `updated` with the same cells. Otherwise the Id's later rows are all sent.
   */
  reach(id: string, cells: readonly string[]): string[] | undefined {
    const slot = this.find(IdTable.digest(id));
    if (slot < 0) return undefined;
    const k = this.seen[slot]!;
    this.seen[slot] = k + 1;
    if (this.flags[slot] === CHANGED) return undefined;
    const head = this.head[slot]!;
    const entry = k < this.recorded[slot]! && head !== 0 ? this.scratch.read(offsetOf(head)) : undefined;
    if (entry?.k !== k) {
      // Recorded otherwise than `updated` (or beyond the recorded rows): sent, and so is every later row.
      this.flags[slot] = CHANGED;
      return undefined;
    }
    this.head[slot] = entry.next < 0 ? 0 : refOf(entry.next);
    const [recordedCells, resultCells] = JSON.parse(entry.text) as [string[], string[]];
    if (recordedCells.length !== cells.length || recordedCells.some((cell, i) => cell !== cells[i])) {
      this.flags[slot] = CHANGED;
      return undefined;
    }
    return resultCells;
  }

  /**
   * The run reaches the next input row of `id`, which is neither sent nor kept (invalid). It is not sent,
   * so the Id's later rows may still be kept; unless it was recorded `updated` (it is invalid only now):
   * then the later rows are sent, as after any row not kept.
   */
  pass(id: string): void {
    const slot = this.find(IdTable.digest(id));
    if (slot < 0) return;
    const k = this.seen[slot]!;
    this.seen[slot] = k + 1;
    const head = this.head[slot]!;
    if (this.flags[slot] === CHANGED || head === 0) return;
    const entry = this.scratch.read(offsetOf(head));
    if (entry.k !== k) return;
    this.head[slot] = entry.next < 0 ? 0 : refOf(entry.next);
    this.flags[slot] = CHANGED;
  }

  /** Removes the scratch file. */
  close(): void {
    this.scratch.close();
  }

  private fold(slot: number, k: number, cells: readonly string[]): void {
    const digest = hash('sha1', JSON.stringify([k, cells]), 'buffer');
    this.lo[slot] = (this.lo[slot]! ^ digest.readUInt32LE(0)) >>> 0;
    this.hi[slot] = (this.hi[slot]! ^ digest.readUInt32LE(4)) >>> 0;
  }

  private find(digest: number): number {
    const slot = this.probe(digest);
    return this.keys[slot] === 0 ? -1 : slot;
  }

  private insert(digest: number): number {
    if (this.count + 1 > this.keys.length * MAX_LOAD) this.grow();
    const slot = this.probe(digest);
    if (this.keys[slot] === 0) {
      this.keys[slot] = digest;
      this.count++;
    }
    return slot;
  }

  /** Linear probing from the digest modulo the size; the table is at most 3/4 full, so a free slot exists. */
  private probe(digest: number): number {
    const size = this.keys.length;
    let slot = digest % size;
    while (this.keys[slot] !== 0 && this.keys[slot] !== digest) slot = slot + 1 === size ? 0 : slot + 1;
    return slot;
  }

  /** 1.5 times the slots: the old and new arrays together are 2.5 times the old, not 3. */
  private grow(): void {
    const old = { keys: this.keys, lo: this.lo, hi: this.hi, recorded: this.recorded, seen: this.seen, flags: this.flags, head: this.head, tail: this.tail! };
    const size = Math.ceil(old.keys.length * GROWTH);
    this.keys = new Float64Array(size);
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.recorded = new Uint32Array(size);
    this.seen = new Uint32Array(size);
    this.flags = new Uint8Array(size);
    this.head = new Uint32Array(size);
    this.tail = new Uint32Array(size);
    for (let i = 0; i < old.keys.length; i++) {
      if (old.keys[i] === 0) continue;
      const slot = this.probe(old.keys[i]!);
      this.keys[slot] = old.keys[i]!;
      this.lo[slot] = old.lo[i]!;
      this.hi[slot] = old.hi[i]!;
      this.recorded[slot] = old.recorded[i]!;
      this.seen[slot] = old.seen[i]!;
      this.flags[slot] = old.flags[i]!;
      this.head[slot] = old.head[i]!;
      this.tail[slot] = old.tail[i]!;
    }
  }
}

const CHANGED = 1;
/**
 * Memory: 33 bytes a slot while the results are read (29 after), the table 1/2 to 3/4 full: 39 to 66
 * bytes an Id of the results (it was 41 bytes a slot, at most half full).
 */
const MAX_LOAD = 0.75;
const GROWTH = 1.5;
const MIN_SLOTS = 1024;
/** Entries start at multiples of 8 bytes, so a 32-bit reference (offset / 8 + 1, 0 for none) covers 32 GB. */
const ALIGN = 8;
const MAX_REF = 0xffffffff;

function refOf(offset: number): number {
  // A reference to an offset off the alignment would read another entry's bytes.
  if (offset % ALIGN !== 0) throw new Error(`the resume scratch file has an entry at ${offset}, not a multiple of ${ALIGN}`);
  const ref = offset / ALIGN + 1;
  if (ref > MAX_REF) throw new Error('the resume scratch file passed 32 GB: too many rows to keep for --resume');
  return ref;
}

function offsetOf(ref: number): number {
  return (ref - 1) * ALIGN;
}

/** One recorded row in the scratch file. */
interface ScratchEntry {
  /** Its position among the Id's recorded rows. */
  k: number;
  /** Offset of the Id's next entry; -1 none. */
  next: number;
  text: string;
}

/** Entry layout: next offset (float64), k (uint32), text length (uint32), text (UTF-8). */
const ENTRY_HEADER = 16;
const BUFFER_BYTES = 1 << 20;

/**
 * An append-only file of entries chained per Id, after its mark, removed on close. Writes are buffered;
 * a link to an entry still in the buffer is made there.
 */
class ScratchFile {
  private readonly fd: number;
  private buffer = Buffer.alloc(BUFFER_BYTES);
  /** Bytes of the buffer in use; the buffer starts at file offset `written`. */
  private used = 0;
  private written = 0;
  private readonly header = Buffer.alloc(ENTRY_HEADER);

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'w+');
    // Entries start at a multiple of ALIGN (their offsets are kept divided by it): after the mark, padded.
    this.written = Math.ceil(writeSync(this.fd, KEPT_ROWS_MARK) / ALIGN) * ALIGN;
  }

  /** Appends an entry with no next one; returns its offset. */
  append(k: number, text: string): number {
    const length = Buffer.byteLength(text);
    // Padded to a multiple of ALIGN, so that every entry starts at one.
    const size = Math.ceil((ENTRY_HEADER + length) / ALIGN) * ALIGN;
    if (this.used + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) this.buffer = Buffer.alloc(size);
    }
    const offset = this.written + this.used;
    this.buffer.writeDoubleLE(-1, this.used);
    this.buffer.writeUInt32LE(k, this.used + 8);
    this.buffer.writeUInt32LE(length, this.used + 12);
    this.buffer.write(text, this.used + ENTRY_HEADER, 'utf8');
    this.used += size;
    return offset;
  }

  /** Makes the entry at `next` follow the entry at `from`. */
  link(from: number, next: number): void {
    if (from >= this.written) {
      this.buffer.writeDoubleLE(next, from - this.written);
      return;
    }
    this.header.writeDoubleLE(next, 0);
    writeSync(this.fd, this.header, 0, 8, from);
  }

  flush(): void {
    if (this.used === 0) return;
    for (let done = 0; done < this.used; ) done += writeSync(this.fd, this.buffer, done, this.used - done, this.written + done);
    this.written += this.used;
    this.used = 0;
  }

  /** Reads the entry at `offset` (after `flush`). */
  read(offset: number): ScratchEntry {
    readFully(this.fd, this.header, ENTRY_HEADER, offset);
    const next = this.header.readDoubleLE(0);
    const k = this.header.readUInt32LE(8);
    const length = this.header.readUInt32LE(12);
    const text = Buffer.alloc(length);
    readFully(this.fd, text, length, offset + ENTRY_HEADER);
    return { k, next, text: text.toString('utf8') };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Closed already.
    }
    rmSync(this.path, { force: true });
  }
}

function readFully(fd: number, into: Buffer, length: number, position: number): void {
  for (let done = 0; done < length; ) {
    const read = readSync(fd, into, done, length - done, position + done);
    if (read === 0) throw new Error(`the resume scratch file ended early at ${position + done}`);
    done += read;
  }
}
