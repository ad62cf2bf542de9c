/**
 * The options named (all when none are), each default handed to yargs as the text `--help` shows and
 * not as a value: a value yargs filled in could not be told from one given on the command line, which
 * the settings stage must do (a default comes after the environment and the config file, and it
 * applies it). The text is what yargs would show: `[default: 8]`, `[default: "utf-8"]`.
 */
export function defaultsAsText<T extends Record<string, object>>(options: T, names?: ReadonlySet<string>): T {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => {
      if (!('default' in option) || (names !== undefined && !names.has(name))) return [name, option];
      const { default: value, ...rest } = option;
      return [name, { ...rest, defaultDescription: typeof value === 'string' ? `"${value}"` : String(value) }];
    }),
  ) as T;
}
