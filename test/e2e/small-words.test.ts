import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';

/** The one line a start failure writes in text format. */
async function refusal(args: string[]): Promise<string> {
  const run = await runCli([...args, '--log-format', 'text']);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  return run.stderr.trim();
}

describe('small words: a command line the tool refuses says what to do', () => {
  it('no input file: what to run, not "Not enough non-option arguments"', async () => {
    const line = await refusal(['--env', 'local']);
    expect(line).toContain('No input file');
    expect(line).toContain('zuora-usage-update <corrections.csv> --env <name>');
    expect(line).toContain('--help');
    expect(line).not.toContain('non-option');
  });

  it('a misspelled flag: did you mean', async () => {
    expect(await refusal(['in.csv', '--env', 'local', '--concurency', '4'])).toContain('Unknown option --concurency: did you mean --concurrency?');
    expect(await refusal(['in.csv', '--env', 'local', '--dryrun'])).toContain('did you mean --dry-run?');
  });

  it('a second input file is not taken for a flag', async () => {
    expect(await refusal(['in.csv', 'more.csv', '--env', 'local'])).toContain('Unknown argument "more.csv": give one input file, then options.');
  });

  it('a wrong --env lists the names briefly, with the nearest one', async () => {
    const line = await refusal(['in.csv', '--env', 'us-prodution']);
    expect(line).toContain('--env "us-prodution" is not a Zuora environment. Did you mean us-production?');
    expect(line).toContain('Use one of: us-production, us-production-cloud2,');
    expect(line).toContain('local (or --base-url <url>)');
    expect(line).not.toContain('Choices:');
  });

  it('a missing input file suggests a near name in its folder', async () => {
    const { dir } = await workdir('usage-corrections.csv');
    expect(await refusal([join(dir, 'usage-correction.csv'), '--env', 'local'])).toContain(`no such file; did you mean ${join(dir, 'usage-corrections.csv')}?`);
    expect(await refusal([join(dir, 'usage-corrections'), '--env', 'local'])).toContain(`did you mean ${join(dir, 'usage-corrections.csv')}?`);
    expect(await refusal([join(dir, 'other.csv'), '--env', 'local'])).not.toContain('did you mean');
  });
});
