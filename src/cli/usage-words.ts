import { editDistance } from '../text/edit-distance.js';

/** What the command line may hold, for the advice on a line yargs refused. */
export interface KnownFlags {
  /** Long flags and their aliases, without dashes (`concurrency`, `c`). */
  flags: readonly string[];
  /** The names `--env` takes. */
  environments: readonly string[];
}

/**
 * Yargs' message for a command line it refused, in the user's words (STYLE 3): what to run when the
 * input file is missing, "did you mean" for a misspelled flag, the list of names for a wrong `--env`.
 * Any other message is kept, with the pointer to `--help`.
 */
export function explainUsageError(message: string, known: KnownFlags): string {
  const help = 'Run zuora-usage-update --help for the options.';
  if (/^Not enough non-option arguments/.test(message)) {
    return `No input file: give the corrections CSV first, for example: zuora-usage-update <corrections.csv> --env <name>. ${help}`;
  }
  const unknown = /^Unknown arguments?: (.+)$/s.exec(message);
  if (unknown?.[1] !== undefined) {
    const names = unknown[1].split(',').map((name) => name.trim()).filter(Boolean);
    return `${names.map((name) => unknownArgument(name, known.flags)).join(' ')} ${help}`;
  }
  const choice = /Argument: ([\w-]+), Given: "([^"]*)", Choices: (.*)$/m.exec(message);
  if (choice?.[1] !== undefined && choice[2] !== undefined && choice[3] !== undefined) {
    const [, name, given, listed] = choice;
    const choices = name === 'env' ? known.environments : [...listed.matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? '');
    const near = nearest(given, choices);
    const what = name === 'env' ? 'is not a Zuora environment' : 'is not one of the values it takes';
    const mean = near === undefined ? '' : ` Did you mean ${near}?`;
    const use = name === 'env' ? `Use one of: ${choices.join(', ')} (or --base-url <url>).` : `Use one of: ${choices.join(', ')}.`;
    return `--${name} "${given}" ${what}.${mean} ${use}`;
  }
  return `${message}\n${help}`;
}

function unknownArgument(name: string, flags: readonly string[]): string {
  const near = nearest(name, flags);
  if (near !== undefined) return `Unknown option --${name}: did you mean --${near}?`;
  return `Unknown argument "${name}": give one input file, then options.`;
}

/** The closest of `candidates` to `word`, when it is close enough to be a typing slip. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  const plain = word.replace(/^-+/, '').toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(plain, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(1, Math.min(3, Math.floor(best.name.length / 3))) ? best.name : undefined;
}
