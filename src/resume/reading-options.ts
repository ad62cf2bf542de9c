import { readFile } from 'node:fs/promises';
import { RunError } from '../errors.js';
import type { RunOptions } from '../options.js';
import { runInfoPath } from './run-info.js';

/**
 * The options that decide what a cell means (SPEC "Resume"): recorded with the run in `<out>.run.json`,
 * so that a `--resume` never keeps rows read one way and sends the rest read another (rows applied as
 * 03/02 = March 2 kept, the rest sent as 3 February).
 */
export interface ReadingOptions {
  /** `--date-format`, `ISO only` when not given. */
  dateFormat: string;
  /** `--encoding`, `utf-8` by default. */
  encoding: string;
  /** `--delimiter`, `detected` when not given (then the header line decides, the same for the same file). */
  delimiter: string;
  /** `--ignore-unknown-columns`. */
  ignoreUnknownColumns: boolean;
  /** `--decimal-comma`. */
  decimalComma: boolean;
}

/** The command-line flag of each reading option, for messages. */
const FLAGS: Record<keyof ReadingOptions, string> = {
  dateFormat: '--date-format',
  encoding: '--encoding',
  delimiter: '--delimiter',
  ignoreUnknownColumns: '--ignore-unknown-columns',
  decimalComma: '--decimal-comma',
};

/** The reading options of a run given none. */
export const DEFAULT_READING: ReadingOptions = { dateFormat: 'ISO only', encoding: 'utf-8', delimiter: 'detected', ignoreUnknownColumns: false, decimalComma: false };

/** The reading options of a run, as recorded. */
export function readingOptions(options: RunOptions): ReadingOptions {
  // `decimalComma` may not be an option of this build yet: recorded as off until it is.
  const { decimalComma } = options as RunOptions & { decimalComma?: boolean };
  return {
    dateFormat: options.dateFormat ?? DEFAULT_READING.dateFormat,
    encoding: options.encoding ?? DEFAULT_READING.encoding,
    delimiter: options.delimiter === undefined ? DEFAULT_READING.delimiter : options.delimiter === '\t' ? 'tab' : options.delimiter,
    ignoreUnknownColumns: options.ignoreUnknownColumns,
    decimalComma: decimalComma ?? false,
  };
}

/**
 * Compares this run's reading options with those recorded beside the earlier results (call once the
 * run info is known to exist). Throws BAD_OPTION naming the first option that differs and both values.
 * Returns `unrecorded` for run info written by an earlier version, which recorded none.
 */
export async function checkReadingOptions(out: string, current: ReadingOptions): Promise<'same' | 'unrecorded'> {
  let recorded: Partial<ReadingOptions> | undefined;
  try {
    recorded = (JSON.parse(await readFile(runInfoPath(out), 'utf8')) as { reading?: Partial<ReadingOptions> }).reading;
  } catch {
    return 'unrecorded';
  }
  if (recorded === undefined || recorded === null || typeof recorded !== 'object') return 'unrecorded';
  for (const key of Object.keys(FLAGS) as Array<keyof ReadingOptions>) {
    // An option recorded by no earlier version (one added since) had its default then.
    const before = recorded[key] ?? DEFAULT_READING[key];
    if (before === current[key]) continue;
    const flag = FLAGS[key];
    const notGiven = before === false || (before === DEFAULT_READING[key] && NOT_GIVEN.has(key));
    const again = notGiven ? `without ${flag}` : before === true ? `with ${flag}` : `with ${flag} ${show(key, before)}`;
    throw new RunError(
      'BAD_OPTION',
      `--resume: the results in ${out} were written with ${flag} ${show(key, before)}, and this run has ${flag} ${show(key, current[key])}: ` +
        `its cells would not mean what they meant for the rows already applied. Run again ${again} to finish that run, ` +
        'or without --resume (or with another --out) to start over. No row was sent.',
    );
  }
  return 'same';
}

/** Whether every reading option has its default: cells read as any earlier version read them without options. */
export function defaultReading(reading: ReadingOptions): boolean {
  return (Object.keys(FLAGS) as Array<keyof ReadingOptions>).every((key) => reading[key] === DEFAULT_READING[key]);
}

/** Options whose default is the option not given: shown as such. */
const NOT_GIVEN = new Set<keyof ReadingOptions>(['dateFormat', 'delimiter']);

function show(key: keyof ReadingOptions, value: string | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (NOT_GIVEN.has(key) && value === DEFAULT_READING[key]) return `not given (${value})`;
  return /^[\w./-]+$/.test(value) && value !== '' ? value : JSON.stringify(value);
}
