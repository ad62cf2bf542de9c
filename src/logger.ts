import pino, { type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear. Secrets are never put in log objects in the first place;
 * this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'client_secret',
  '*.client_secret',
  'clientSecret',
  '*.clientSecret',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
];

/** How log lines look on a terminal. */
const PRETTY = { ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } as const;

export interface LoggerOptions {
  level: string;
  /** Human-readable lines (a terminal) instead of JSON lines (cron, Kubernetes). */
  pretty: boolean;
  /** Colours in human-readable lines. Default true (a terminal); false for cron mail and files. */
  colorize?: boolean;
  /** Where to write; stderr (fd 2) by default so stdout stays free. */
  destination?: NodeJS.WritableStream | number;
  /**
   * Writes each log line (formatted when `pretty`) synchronously through this function instead, in
   * order with everything else written there: a terminal with a progress bar (terminal-progress.ts).
   */
  write?: (text: string) => void;
}

/**
 * The one root logger of a run; stages take child loggers from it. pino-pretty is loaded only for a
 * terminal: a scheduled run never pays its memory.
 */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const base = {
    level: options.level,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const destination = options.destination ?? 2;
  const write = options.write;
  if (write) {
    const format = options.pretty ? (await import('pino-pretty')).prettyFactory({ ...PRETTY, colorize: options.colorize ?? true }) : undefined;
    return pino(base, { write: (line: string) => write(format ? format(line) : line) });
  }
  if (options.pretty) {
    const { default: pretty } = await import('pino-pretty');
    return pino(
      base,
      pretty({
        destination: typeof destination === 'number' ? destination : (destination as NodeJS.WritableStream),
        sync: true,
        ...PRETTY,
        colorize: options.colorize ?? true,
      }),
    );
  }
  return pino(base, typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination);
}
