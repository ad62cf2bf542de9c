import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/config/read-config-file.js';
import { SETTINGS, envVariableOf } from '../../src/config/settings.js';
import { createSimulator, DEMO_CREDENTIALS, type Simulator } from '../../src/simulator/create-simulator.js';
import { CLI, lastLogRecord, readCsv, ROOT } from '../helpers/cli.js';
import { runProcess, type ProcessRun } from '../helpers/run-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { putRequests } from '../helpers/received-requests.js';

/**
 * The recipes in examples/ are run, not just shown: each command line goes against a simulator on
 * 127.0.0.1 with nothing but the variables the recipe sets (and PATH, HOME), the way cron,
 * Kubernetes or GitHub Actions start it. The manifests are parsed and checked for what their
 * scheduler needs. The YAML is kept in a plain subset that the small parser below reads.
 */

// Parsed YAML is walked by the field names Kubernetes and Actions define; a type per manifest would only restate them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;

const EXAMPLES = join(ROOT, 'examples');
const FIXTURE = join(ROOT, 'fixtures', 'usage-corrections.csv');
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Every environment variable a recipe may set: the documented ones. */
const DOCUMENTED = new Set([
  ...SETTINGS.map(envVariableOf),
  'ZUORA_USAGE_CONFIG',
  'ZUORA_CLIENT_ID',
  'ZUORA_CLIENT_SECRET',
  'ZUORA_ACCESS_TOKEN',
]);

let dir: string;
let sim: Simulator;
beforeEach(async () => {
  dir = await tempDir('zuu-recipes-');
  sim = await createSimulator();
});
afterEach(async () => {
  await sim.close();
});

type Run = ProcessRun;

/** Runs a command with exactly `env` (as `env -i` would; plus the loopback guard), nothing inherited. */
const runClean = (command: string, args: string[], env: Record<string, string>, cwd: string): Promise<Run> => runProcess(command, args, { cwd, env });

/** A folder with `zuora-usage-update` on it, as `npm install -g` leaves it: the built CLI. */
async function installShim(): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const shim = join(bin, 'zuora-usage-update');
  await writeFile(shim, `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  await chmod(shim, 0o755);
  return bin;
}

const puts = (): number => putRequests(sim).length;

describe('cron: the crontab line and the zuora-usage-nightly wrapper', () => {
  const WRAPPER_PATH = '/usr/local/bin/zuora-usage-nightly';
  const ENV_FILE_PATH = '/etc/zuora-usage-update.env';

  /** The crontab's variable lines and its one job: schedule and command. */
  async function readCrontab(): Promise<{ variables: Record<string, string>; schedule: string; command: string }> {
    const lines = (await readFile(join(EXAMPLES, 'cron', 'crontab'), 'utf8')).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const variables = Object.fromEntries(lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const jobs = lines.filter((l) => !/^[A-Z_]+=/.test(l));
    expect(jobs).toHaveLength(1);
    const fields = (jobs[0] ?? '').split(/\s+/);
    return { variables, schedule: fields.slice(0, 5).join(' '), command: fields.slice(5).join(' ') };
  }

  /** The example env file with working credentials and the simulator as target (ZUORA_BASE_URL beats ZUORA_ENV). */
  async function envFile(): Promise<string> {
    const example = await readFile(join(EXAMPLES, 'cron', 'zuora-usage-update.env'), 'utf8');
    const names = example.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.slice(0, l.indexOf('=')));
    for (const name of names) expect(DOCUMENTED.has(name), name).toBe(true);
    const path = join(dir, 'zuora-usage-update.env');
    const text = example
      .replace(/^ZUORA_CLIENT_ID=.*$/m, `ZUORA_CLIENT_ID=${DEMO_CREDENTIALS.clientId}`)
      .replace(/^ZUORA_CLIENT_SECRET=.*$/m, `ZUORA_CLIENT_SECRET='${DEMO_CREDENTIALS.clientSecret}'`);
    await writeFile(path, `${text}ZUORA_BASE_URL=${sim.url}\n`);
    return path;
  }

  /** Runs the crontab's command as cron would: /bin/sh, the crontab's variables, nothing else. */
  async function runCronJob(data: string): Promise<Run> {
    const { variables, schedule, command } = await readCrontab();
    expect(checkCronSchedule(schedule)).toBeUndefined();
    expect(command).toContain(WRAPPER_PATH);
    expect(command).toContain(ENV_FILE_PATH);
    expect(command).not.toContain('%');
    const local = command.replace(WRAPPER_PATH, join(EXAMPLES, 'cron', 'zuora-usage-nightly')).replace(ENV_FILE_PATH, await envFile());
    const env = { ...variables, PATH: `${await installShim()}:${variables.PATH ?? SYSTEM_PATH}`, HOME: dir, ZUORA_DATA: data };
    return runClean(variables.SHELL ?? '/bin/sh', ['-c', local], env, dir);
  }

  it('applies the file with --resume, logs "run finished" last, writes the summary, and sends nothing the second time', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    await copyFile(FIXTURE, join(data, 'usage-corrections.csv'));
    const first = await runCronJob(data);
    expect(first.code, first.stderr).toBe(0);
    const rows = await readCsv(join(data, 'usage-corrections.results.csv'));
    expect(rows.every((r) => r.result === 'updated')).toBe(true);
    expect(puts()).toBe(rows.length);
    const log = await readFile(join(data, 'nightly.log'), 'utf8');
    expect(lastLogRecord(log)).toMatchObject({ msg: 'run finished', exitCode: 0, counts: { updated: rows.length } });
    expect(log).not.toContain(DEMO_CREDENTIALS.clientSecret);
    const summary = JSON.parse(await readFile(join(data, 'usage-corrections.summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ schema: 1, status: 'completed', exitCode: 0, target: { kind: 'url', baseUrl: sim.url } });

    const second = await runCronJob(data);
    expect(second.code, second.stderr).toBe(0);
    expect(puts()).toBe(rows.length);
    expect(lastLogRecord(await readFile(join(data, 'nightly.log'), 'utf8'))).toMatchObject({ msg: 'run finished', exitCode: 0 });
  });

  it('a night without a file exits 0 and says so', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    const run = await runCronJob(data);
    expect(run.code).toBe(0);
    expect(await readFile(join(data, 'nightly.log'), 'utf8')).toMatch(/no .*usage-corrections\.csv today, nothing to do/);
    expect(puts()).toBe(0);
  });

  it('the env file caps failures at 5%: a file of unknown ids stops early with exit 3', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    const ids = Array.from({ length: 40 }, (_, i) => `${'f'.repeat(28)}${String(i).padStart(4, '0')}`);
    await writeFile(join(data, 'usage-corrections.csv'), `Id,Quantity\n${ids.map((id) => `${id},1`).join('\n')}\n`);
    const run = await runCronJob(data);
    expect(run.code).toBe(3);
    expect(lastLogRecord(await readFile(join(data, 'nightly.log'), 'utf8'))).toMatchObject({ msg: 'run finished', exitCode: 3, status: 'stopped' });
  });
});

describe('Kubernetes: Secret, ConfigMap and CronJob', () => {
  async function manifests(): Promise<Yaml[]> {
    return parseYamlDocuments(await readFile(join(EXAMPLES, 'kubernetes', 'cronjob.yaml'), 'utf8')) as Yaml[];
  }

  it('has what a CronJob needs, and every reference resolves', async () => {
    const docs = await manifests();
    const byKind = (kind: string): Yaml => {
      const found = docs.filter((d) => d.kind === kind);
      expect(found, kind).toHaveLength(1);
      return found[0] as Yaml;
    };
    const secret = byKind('Secret');
    const configMap = byKind('ConfigMap');
    const cronJob = byKind('CronJob');
    expect(secret).toMatchObject({ apiVersion: 'v1', type: 'Opaque' });
    expect(Object.keys(secret.stringData).sort()).toEqual(['ZUORA_CLIENT_ID', 'ZUORA_CLIENT_SECRET']);

    expect(cronJob.apiVersion).toBe('batch/v1');
    expect(cronJob.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/);
    expect(checkCronSchedule(cronJob.spec.schedule)).toBeUndefined();
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const job = cronJob.spec.jobTemplate.spec;
    const pod = job.template.spec;
    expect(['OnFailure', 'Never']).toContain(pod.restartPolicy);
    if (job.podFailurePolicy) expect(pod.restartPolicy).toBe('Never');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.containers).toHaveLength(1);
    const container = pod.containers[0];
    expect(container.name).toMatch(/^[a-z0-9-]+$/);
    expect(typeof container.image).toBe('string');
    expect(container.args).toContain('--resume');
    for (const rule of job.podFailurePolicy?.rules ?? []) {
      if (rule.onExitCodes) expect(rule.onExitCodes.containerName).toBe(container.name);
    }
    for (const { name } of container.env) expect(DOCUMENTED.has(name), name).toBe(true);
    expect(container.envFrom.map((e: Yaml) => e.secretRef.name)).toEqual([secret.metadata.name]);
    const volumes = new Map(pod.volumes.map((v: Yaml) => [v.name, v]));
    for (const mount of container.volumeMounts) expect(volumes.has(mount.name), mount.name).toBe(true);
    const configVolume = pod.volumes.find((v: Yaml) => v.configMap);
    expect(configVolume.configMap.name).toBe(configMap.metadata.name);
    const dataMount = container.volumeMounts.find((m: Yaml) => m.mountPath === '/data');
    expect(dataMount, 'the image works in /data').toBeDefined();
  });

  it("the container's command line runs: args in /data, settings from the ConfigMap's file, credentials from the Secret", async () => {
    const docs = await manifests();
    const configMap = docs.find((d) => d.kind === 'ConfigMap') as Yaml;
    const cronJob = docs.find((d) => d.kind === 'CronJob') as Yaml;
    const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
    const configMount = container.volumeMounts.find((m: Yaml) => m.name === 'config');
    // The ConfigMap's file, mounted where ZUORA_USAGE_CONFIG points.
    const configDir = join(dir, 'config');
    await mkdir(configDir);
    for (const [key, text] of Object.entries(configMap.data)) await writeFile(join(configDir, key), text as string);
    const configEnv = container.env.find((e: Yaml) => e.name === 'ZUORA_USAGE_CONFIG').value as string;
    expect(configEnv.startsWith(`${configMount.mountPath}/`)).toBe(true);
    const configFile = join(configDir, configEnv.slice(configMount.mountPath.length + 1));
    expect(readConfigFile(configFile, dir, {})?.values.map((v) => v.setting.name)).toEqual(['env', 'concurrency', 'max-failures', 'log-level']);

    const data = join(dir, 'data');
    await mkdir(data);
    await copyFile(FIXTURE, join(data, container.args[0]));
    const env = {
      PATH: SYSTEM_PATH,
      HOME: dir,
      ZUORA_USAGE_CONFIG: configFile,
      // The Secret's keys, with the simulator's demo client; ZUORA_BASE_URL outranks the file's "env".
      ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      ZUORA_BASE_URL: sim.url,
    };
    const run = await runClean(process.execPath, [CLI, ...container.args], env, data);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLogRecord(run.stderr)).toMatchObject({ msg: 'run finished', exitCode: 0 });
    const summary = JSON.parse(await readFile(join(data, container.args[3]), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ schema: 1, status: 'completed', exitCode: 0 });
    expect(puts()).toBeGreaterThan(0);
  });
});

describe('GitHub Actions: apply a corrections file from the repository on dispatch', () => {
  async function workflow(): Promise<Yaml> {
    const [doc] = parseYamlDocuments(await readFile(join(EXAMPLES, 'github-actions', 'apply-usage-corrections.yml'), 'utf8'));
    return doc as Yaml;
  }

  it('is dispatched with a file input, reads only, never pastes an input into a script', async () => {
    const wf = await workflow();
    expect(wf.on.workflow_dispatch.inputs.file).toMatchObject({ required: true, type: 'string' });
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.concurrency['cancel-in-progress']).toBe(false);
    const steps = wf.jobs.apply.steps as Yaml[];
    for (const step of steps) if (step.run) expect(step.run).not.toContain('${{');
    const apply = steps.find((s) => typeof s.run === 'string' && s.run.includes('zuora-usage-update "$INPUT_FILE"'));
    expect(apply).toBeDefined();
    for (const name of Object.keys(apply?.env ?? {})) expect(DOCUMENTED.has(name) || name === 'INPUT_FILE', name).toBe(true);
  });

  it.each([
    ['false', 'updated', true],
    ['true', 'valid', false],
  ])('the apply step runs with dry_run=%s', async (dryRun, result, sends) => {
    const wf = await workflow();
    const apply = (wf.jobs.apply.steps as Yaml[]).find((s) => s.name === 'Apply the corrections') as Yaml;
    const expressions: Record<string, string> = {
      'inputs.file': 'corrections/2026-11.csv',
      'inputs.environment': 'us-sandbox',
      'inputs.dry_run': dryRun,
      'secrets.ZUORA_CLIENT_ID': DEMO_CREDENTIALS.clientId,
      'secrets.ZUORA_CLIENT_SECRET': DEMO_CREDENTIALS.clientSecret,
    };
    const env: Record<string, string> = { PATH: `${await installShim()}:${SYSTEM_PATH}`, HOME: dir, ZUORA_BASE_URL: sim.url };
    for (const [name, value] of Object.entries(apply.env as Record<string, string>)) {
      env[name] = value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, expression: string) => {
        const replacement = expressions[expression];
        if (replacement === undefined) throw new Error(`no value for \${{ ${expression} }}`);
        return replacement;
      });
    }
    await mkdir(join(dir, 'corrections'));
    await copyFile(FIXTURE, join(dir, 'corrections', '2026-11.csv'));
    // Actions runs `run:` with bash -e.
    const run = await runClean('/bin/bash', ['-e', '-c', apply.run], env, dir);
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(join(dir, 'zuora-usage-results', 'results.csv'));
    expect(rows.every((r) => r.result === result)).toBe(true);
    expect(puts() > 0).toBe(sends);
    const summary = JSON.parse(await readFile(join(dir, 'zuora-usage-results', 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ schema: 1, exitCode: 0, dryRun: dryRun === 'true' });
  });
});

/** A five-field cron schedule with each field in range; the problem in words, or undefined. */
function checkCronSchedule(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return `${fields.length} fields`;
  const ranges: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
  for (const [i, field] of fields.entries()) {
    const [min, max] = ranges[i] as [number, number];
    for (const part of field.split(',')) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!match) return `field ${i + 1} "${part}"`;
      for (const n of [match[2], match[3]]) if (n !== undefined && (Number(n) < min || Number(n) > max)) return `field ${i + 1} "${part}" out of ${min}-${max}`;
    }
  }
  return undefined;
}

/**
 * A YAML reader for the plain subset the recipes keep to: block mappings and lists, plain, "double"
 * or 'single' quoted scalars, `|` literal blocks, comments and `---`. Anything else (flow [] {},
 * anchors, tags, folded blocks, tabs, duplicate keys) throws, so a recipe cannot drift into YAML
 * this check would misread.
 */
function parseYamlDocuments(text: string): unknown[] {
  const docs: string[][] = [[]];
  for (const raw of text.split('\n')) {
    if (raw.includes('\t')) throw new Error(`tab in YAML: ${raw}`);
    if (raw.trimEnd() === '---') docs.push([]);
    else docs[docs.length - 1]?.push(raw);
  }
  return docs
    .map((lines) => ({ lines, pos: 0 }))
    .filter((doc) => doc.lines.some((l) => !isSkippable(l)))
    .map((doc) => parseBlock(doc, indentOf(doc.lines.find((l) => !isSkippable(l)) ?? '')));
}

interface Cursor {
  lines: string[];
  pos: number;
}

function isSkippable(line: string): boolean {
  return line.trim() === '' || line.trim().startsWith('#');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function nextLine(cursor: Cursor): string | undefined {
  while (cursor.pos < cursor.lines.length && isSkippable(cursor.lines[cursor.pos] ?? '')) cursor.pos++;
  return cursor.lines[cursor.pos];
}

function parseBlock(cursor: Cursor, indent: number): unknown {
  const first = nextLine(cursor) ?? '';
  return first.trimStart().startsWith('- ') || first.trim() === '-' ? parseList(cursor, indent) : parseMapping(cursor, indent);
}

function parseList(cursor: Cursor, indent: number): unknown[] {
  const items: unknown[] = [];
  for (let line = nextLine(cursor); line !== undefined && indentOf(line) === indent && line.trimStart().startsWith('-'); line = nextLine(cursor)) {
    const rest = line.slice(indent + 1).trimStart();
    if (rest === '') {
      cursor.pos++;
      items.push(parseBlock(cursor, indentOf(nextLine(cursor) ?? '')));
    } else if (/^[\w.-]+:( |$)/.test(rest)) {
      // `- key: value` opens a mapping whose keys line up under `key`.
      cursor.lines[cursor.pos] = `${' '.repeat(indent + 2)}${rest}`;
      items.push(parseMapping(cursor, indent + 2));
    } else {
      cursor.pos++;
      items.push(parseScalar(rest));
    }
  }
  return items;
}

function parseMapping(cursor: Cursor, indent: number): Record<string, unknown> {
  const mapping: Record<string, unknown> = {};
  for (let line = nextLine(cursor); line !== undefined && indentOf(line) === indent; line = nextLine(cursor)) {
    const match = /^([\w.-]+|"[^"]*"):(?: +(.*))?$/.exec(line.trim());
    if (!match?.[1]) throw new Error(`not a "key: value" line of the subset: ${line}`);
    const key = match[1].startsWith('"') ? (JSON.parse(match[1]) as string) : match[1];
    if (key in mapping) throw new Error(`duplicate key ${key}`);
    const value = stripComment(match[2] ?? '');
    cursor.pos++;
    if (value === '|') {
      const block: string[] = [];
      while (cursor.pos < cursor.lines.length && ((cursor.lines[cursor.pos] ?? '').trim() === '' || indentOf(cursor.lines[cursor.pos] ?? '') > indent)) {
        block.push(cursor.lines[cursor.pos] ?? '');
        cursor.pos++;
      }
      while (block.length > 0 && block[block.length - 1]?.trim() === '') block.pop();
      const cut = Math.min(...block.filter((l) => l.trim() !== '').map(indentOf));
      mapping[key] = `${block.map((l) => l.slice(cut)).join('\n')}\n`;
    } else if (value === '') {
      const child = nextLine(cursor);
      if (child === undefined || indentOf(child) <= indent) throw new Error(`${key}: empty values are not in the subset`);
      mapping[key] = parseBlock(cursor, indentOf(child));
    } else {
      mapping[key] = parseScalar(value);
    }
  }
  return mapping;
}

function stripComment(text: string): string {
  if (text.startsWith('"') || text.startsWith("'")) return text;
  const hash = text.search(/\s#/);
  return (hash === -1 ? text : text.slice(0, hash)).trim();
}

function parseScalar(text: string): unknown {
  const value = stripComment(text);
  if (/^[[{&*!>]/.test(value)) throw new Error(`not in the YAML subset: ${value}`);
  if (value.startsWith('"')) return JSON.parse(value) as string;
  if (value.startsWith("'")) {
    if (!value.endsWith("'") || value.length < 2) throw new Error(`unclosed quote: ${value}`);
    return value.slice(1, -1).replace(/''/g, "'");
  }
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null' || value === '~') return null;
  return value;
}
