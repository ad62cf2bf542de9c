import type { FieldColumn } from '../input/columns.js';

/** The column `--preview` adds after the input columns: what the row would change. */
export const CHANGES_COLUMN = 'changes';

/**
 * The columns `--preview` adds to the input's (SPEC "Look before you leap"): each updatable column
 * followed by its `before_<Field>` (canonical name), then `changes` after the last input column. `kept`
 * are the input columns echoed in the outputs (table header positions), `fields` the updatable columns
 * in file order. Positions are in the echoed header, as the results writer's `extraAfter` takes them.
 */
export function previewColumns(kept: readonly number[], fields: readonly FieldColumn[]): { extraColumns: string[]; extraAfter: number[] } {
  const extraColumns = fields.map((column) => `before_${column.field}`);
  const extraAfter = fields.map((column) => kept.indexOf(column.index));
  return { extraColumns: [...extraColumns, CHANGES_COLUMN], extraAfter: [...extraAfter, kept.length - 1] };
}
