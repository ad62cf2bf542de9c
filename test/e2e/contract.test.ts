import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { RESULT_COLUMNS } from '../../src/row-outcome.js';
import { runCli } from '../helpers/cli.js';

/**
 * The outside of the product (SPEC.md): result columns, exit codes and the option list. A change
 * here must be a deliberate snapshot update, never an accident.
 */
describe('the contract', () => {
  it('result columns', () => {
    expect(RESULT_COLUMNS).toMatchSnapshot();
  });

  it('exit codes', () => {
    expect(EXIT).toMatchSnapshot();
  });

  it('--help lists every option', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    const flags = [...new Set(run.stdout.match(/(?<=\s)(-[a-z]|--[a-z][a-z0-9-]*)(?=[\s,])/g))];
    expect(flags).toMatchSnapshot();
  });

  it('simulate --help lists its options', async () => {
    const run = await runCli(['simulate', '--help']);
    expect(run.code).toBe(0);
    expect([...new Set(run.stdout.match(/(?<=\s)--[a-z][a-z-]*(?=\s)/g))]).toMatchSnapshot();
  });
});
