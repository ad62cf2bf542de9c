import type { ColumnMap } from '../input/columns.js';

/**
 * What the cells of a file say about the spreadsheet that saved it, noted as rows are mapped:
 * times written without seconds, and the signs of a decimal-comma locale, whose spreadsheet may have
 * turned a three-decimal quantity into a number 1000 times larger (SPEC "Quantities a spreadsheet
 * multiplied by 1000"), which only a run that reads Zuora's values first can catch.
 */
export interface InputSigns {
  /** Notes one mapped row: its cells as read, and how many of its date-time cells had no seconds. */
  note(cells: readonly string[], noSeconds: number): void;
  /** Date-time cells read with `:00` seconds because the cell had none. */
  readonly noSeconds: number;
  /** The signs of a decimal-comma spreadsheet, in words (`a ; delimiter, decimal commas in Quantity`); undefined when none. */
  decimalCommaSigns(): string | undefined;
}

const DECIMAL_COMMA = /^[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+$/;
const DECIMAL_POINT = /^[+-]?\d*\.\d+$/;
/** `1,234` is as likely an English thousand: not a sign either way. */
const AMBIGUOUS = /^[+-]?[1-9]\d{0,2},\d{3}$/;

export function createInputSigns(columns: ColumnMap, delimiter: string): InputSigns {
  const quantityIndex = columns.fields.find((column) => column.field === 'Quantity')?.index;
  let noSeconds = 0;
  let commas = 0;
  let points = 0;
  return {
    note(cells, rowNoSeconds) {
      noSeconds += rowNoSeconds;
      const quantity = quantityIndex === undefined ? '' : (cells[quantityIndex] ?? '').trim();
      if (DECIMAL_COMMA.test(quantity) && !AMBIGUOUS.test(quantity)) commas++;
      else if (DECIMAL_POINT.test(quantity)) points++;
    },
    get noSeconds() {
      return noSeconds;
    },
    decimalCommaSigns() {
      const signs: string[] = [];
      if (delimiter === ';') signs.push('a ; delimiter');
      if (commas > 0 && points > 0) signs.push(`decimal commas and decimal points in one Quantity column (${commas} and ${points})`);
      else if (commas > 0) signs.push(`decimal commas in Quantity (${commas})`);
      return signs.length === 0 ? undefined : signs.join(' and ');
    },
  };
}
