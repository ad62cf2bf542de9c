/**
 * One CSV record as text, quoted the way csv-stringify quotes by default (and Excel reads): a cell is
 * quoted only when it holds the delimiter, a double quote, CR or LF, and a double quote inside is
 * doubled. The results are written a row at a time, for every row of the file: this costs one string
 * a row where csv-stringify's sync API built several arrays a cell (BENCHMARKS.md, memory).
 */
export function csvLine(cells: readonly (string | undefined)[], delimiter: string, lineEnd: '\n' | '\r\n' = '\n'): string {
  return `${csvCells(cells, delimiter)}${lineEnd}`;
}

/** `csvLine` of `first` followed by `rest`, without the line end and without joining the two arrays first. */
export function csvCells(first: readonly (string | undefined)[], delimiter: string, rest: readonly (string | undefined)[] = []): string {
  let line = '';
  for (let i = 0; i < first.length + rest.length; i++) {
    if (i > 0) line += delimiter;
    const cell = (i < first.length ? first[i] : rest[i - first.length]) ?? '';
    line += needsQuotes(cell, delimiter) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return line;
}

function needsQuotes(cell: string, delimiter: string): boolean {
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    // '"' 34, LF 10, CR 13
    if (c === 34 || c === 10 || c === 13) return true;
  }
  return cell.includes(delimiter);
}
