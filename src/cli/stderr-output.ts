import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import type { LogFormat } from '../options.js';
import { createTerminal, type Terminal } from '../output/terminal-progress.js';

/** The environment variable of `--log-format` (config/settings.ts names every option so). */
const LOG_FORMAT_VARIABLE = 'ZUORA_USAGE_LOG_FORMAT';

/** The format given, or the default: `text` on a terminal, else `json` (SPEC: Main options). */
export function logFormatOf(given: string | undefined, isTTY: boolean): LogFormat {
  return given === 'text' || given === 'json' ? given : isTTY ? 'text' : 'json';
}

/**
 * The format of a command line that fails before it is parsed (a bad setting, a flag yargs refuses):
 * `--log-format` as written on it, else its environment variable, else the default.
 */
export function logFormatFromArgv(argv: readonly string[], env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  let given: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--log-format') given = argv[i + 1];
    else if (arg.startsWith('--log-format=')) given = arg.slice('--log-format='.length);
  });
  return logFormatOf(given ?? env[LOG_FORMAT_VARIABLE], isTTY);
}

/** How a run writes to stderr: in one format, and through the terminal (with its bar) when stderr is one. */
export interface StderrOutput {
  format: LogFormat;
  logger: Logger;
  /** Writes whole lines (the human summary, a start failure's message) in order with the log. */
  write(text: string): void;
  /** Present when stderr is a terminal: the progress bar lives there. */
  terminal?: Terminal;
}

/** Opens stderr for a run: the logger in the format asked for, and the terminal when stderr is one. */
export async function openStderr(options: { level: string; format: LogFormat; stream?: NodeJS.WriteStream }): Promise<StderrOutput> {
  const stream = options.stream ?? process.stderr;
  const pretty = options.format === 'text';
  if (stream.isTTY) {
    const terminal = createTerminal(stream);
    const write = (text: string): void => terminal.write(text);
    return { format: options.format, logger: await createLogger({ level: options.level, pretty, colorize: true, write }), write, terminal };
  }
  const write = (text: string): void => {
    stream.write(text);
  };
  // Not a terminal (cron mail, a log file): no colours in text lines.
  return { format: options.format, logger: await createLogger({ level: options.level, pretty, colorize: false }), write };
}
