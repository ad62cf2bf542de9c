import type { InputEncoding } from './input/encodings.js';
import type { DateFormat } from './rows/date-time.js';
import type { Credentials } from './send/auth.js';

/** Zuora's public REST environments (ZUORA-API-NOTES.md "Base URLs"), by the name `--env` takes. */
export const ZUORA_ENVIRONMENTS = {
  'us-production': { url: 'https://rest.na.zuora.com', label: 'US Production, Cloud 1' },
  'us-production-cloud2': { url: 'https://rest.zuora.com', label: 'US Production, Cloud 2' },
  'us-api-sandbox': { url: 'https://rest.sandbox.na.zuora.com', label: 'US API Sandbox, Cloud 1' },
  'us-api-sandbox-cloud2': { url: 'https://rest.apisandbox.zuora.com', label: 'US API Sandbox, Cloud 2' },
  'us-sandbox': { url: 'https://rest.test.zuora.com', label: 'US Developer & Central Sandbox' },
  'eu-production': { url: 'https://rest.eu.zuora.com', label: 'EU Production' },
  'eu-api-sandbox': { url: 'https://rest.sandbox.eu.zuora.com', label: 'EU API Sandbox' },
  'eu-sandbox': { url: 'https://rest.test.eu.zuora.com', label: 'EU Developer & Central Sandbox' },
  'apac-production': { url: 'https://rest.ap.zuora.com', label: 'APAC Production' },
  'apac-sandbox': { url: 'https://rest.test.ap.zuora.com', label: 'APAC Developer & Central Sandbox' },
} as const;

export type ZuoraEnvironment = keyof typeof ZUORA_ENVIRONMENTS;

/** `local` runs against the built-in simulator, started in-process on a loopback port. */
export const ENVIRONMENT_NAMES = [...Object.keys(ZUORA_ENVIRONMENTS), 'local'] as const;

/** Where to send: a real base URL, or the in-process simulator. */
export type Target = { kind: 'url'; baseUrl: string } | { kind: 'local' };

/** `--max-failures`: stop once more than `count` rows, or more than `percent` % of answered rows, failed. */
export type MaxFailures = { count: number } | { percent: number };

/**
 * The one table of defaults: every option that has a fixed default takes it from here (the option
 * table config/main-options.ts, `--help`, `--print-config`, the settings resolution), and so do the
 * retry policy and the throttle. Options whose default is worked out per run (`--out`, `--track-prefix`,
 * `--log-format`, ...) say how in their description instead.
 */
export const DEFAULTS = {
  /** Most requests in flight (`-c`). */
  concurrency: 8,
  /** Attempts per row, the first included (`--max-attempts`). */
  maxAttempts: 6,
  /** Limit for one attempt, in ms (`--timeout`). */
  timeoutMs: 30_000,
  encoding: 'utf-8',
  transport: 'put',
  logLevel: 'info',
  gzip: true,
  rejectUnknownFields: true,
  dryRun: false,
  resume: false,
  overwrite: false,
  decimalComma: false,
  ignoreUnknownColumns: false,
  allowTimes1000: false,
  preview: false,
  verify: false,
  skipUnchanged: false,
} as const;

/** Everything one run needs, validated. Built by the CLI edge from flags and the environment. */
export interface RunOptions {
  /** Input CSV path. */
  input: string;
  /** Results CSV path. */
  out: string;
  /** Failures CSV path. */
  failures: string;
  target: Target;
  /** Undefined only for `--dry-run` and for `local`, which uses the simulator's demo client. */
  credentials: Credentials | undefined;
  /** Sent as `Zuora-Entity-Ids`, `Zuora-Org-Ids`, `Zuora-Version` when set. */
  entityIds?: string;
  orgIds?: string;
  zuoraVersion?: string;
  /** Most requests in flight. */
  concurrency: number;
  /** Attempts per row, the first included. */
  maxAttempts: number;
  /** Limit for one attempt, in ms. */
  timeoutMs: number;
  dryRun: boolean;
  resume: boolean;
  /** `--overwrite`: start over although `out` holds an unfinished run's results (SPEC "Outputs"). Default false. */
  overwrite?: boolean;
  /** Prefix of each `Zuora-Track-Id`: `<prefix>-<line>`. */
  trackPrefix: string;
  gzip: boolean;
  rejectUnknownFields: boolean;
  dateFormat?: DateFormat;
  /** `--decimal-comma`: quantities are written with a decimal comma (`42,5`); only with a `;`, tab or `|` delimiter. */
  decimalComma?: boolean;
  /** `--allow-times-1000`: accept a Quantity that is exactly 1000 × Zuora's (a deliberate unit change). */
  allowTimes1000?: boolean;
  /** Forced delimiter character; detected from the header line when undefined. */
  delimiter?: string;
  /** Encoding of the input file (`--encoding`), default UTF-8; a file starting with a UTF-8 BOM is read as UTF-8 whatever it says. */
  encoding?: InputEncoding;
  ignoreUnknownColumns: boolean;
  maxFailures?: MaxFailures;
  summaryJson?: string;
  /** `--preview`: read every valid row's record, write the preview file to `out`, change nothing. */
  preview?: boolean;
  /** `--backup <file>`: save each Id's values before its first change, as a restorable input file. */
  backup?: string;
  /** `--verify`: read each updated (or unknown) row's record back and compare. */
  verify?: boolean;
  /**
   * `--settle <seconds>`: an Id in doubt (a request of an earlier row got no answer) is read back once
   * that request is this old, and its last row sent again where Zuora holds other values. Undefined:
   * such a row ends `unknown` EARLIER_ATTEMPT_IN_DOUBT.
   */
  settleSeconds?: number;
  /** `--skip-unchanged`: read each Id first and send only the rows that change something. */
  skipUnchanged?: boolean;
  /** `--report <file.html>`: also write a self-contained HTML report of the run (report/). */
  report?: string;
  /** `put`: one `PUT /v1/object/usage/{id}` a row (default); `actions`: `POST /v1/action/update` calls of many rows. */
  transport?: Transport;
  /** Rows an Actions call carries, 1 to 50. Default 50. */
  batchSize?: number;
}

/** Why `--decimal-comma` needs a `;`, tab or `|` delimiter (checked on the flag, and on the delimiter detected in the file). */
export const DECIMAL_COMMA_DELIMITER =
  '--decimal-comma needs a ; tab or | delimiter (a spreadsheet that writes decimal commas separates cells with ;): with , as delimiter, 42,5 would be two cells. Save the file with ; as separator, or leave out --decimal-comma.';

/** How rows travel to Zuora (SPEC "Fewer requests"). */
export type Transport = 'put' | 'actions';

/** The `--transport` values. */
export const TRANSPORTS: readonly Transport[] = ['put', 'actions'];

/** `--log-format`: `text` (human lines and a summary block) or `json` (JSON lines, the summary as one line). */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** Longest track prefix that still leaves room for `-<line>` within Zuora's 64 characters. */
export const MAX_TRACK_PREFIX_LENGTH = 48;

/**
 * Checks a `--track-prefix`: US-ASCII printable, none of `:` `;` `"` `'` (Zuora's rules for
 * `Zuora-Track-Id`), short enough for `-<line>`. Returns an error message, or undefined when fine.
 */
export function checkTrackPrefix(prefix: string): string | undefined {
  if (prefix === '') return '--track-prefix must not be empty';
  if (prefix.length > MAX_TRACK_PREFIX_LENGTH) {
    return `--track-prefix "${prefix}" has ${prefix.length} characters; at most ${MAX_TRACK_PREFIX_LENGTH} leave room for "-<line>" within Zuora's 64`;
  }
  if (!/^[A-Za-z0-9]/.test(prefix)) {
    return `--track-prefix "${prefix}" must start with a letter or digit (the track id lands in a spreadsheet cell)`;
  }
  const bad = [...prefix].find((c) => c < '!' || c > '~' || ':;"\''.includes(c));
  if (bad !== undefined) {
    return `--track-prefix "${prefix}" contains ${JSON.stringify(bad)}; use US-ASCII letters, digits and - _ . only (no spaces, : ; " ')`;
  }
  return undefined;
}

/** A track prefix unique to this run: `zuu-` and a compact UTC timestamp plus randomness. */
export function generateTrackPrefix(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const suffix = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `zuu-${stamp}-${suffix}`;
}

/** Whether a URL's host is loopback, the only place plain `http://` may go. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./.test(host);
}
