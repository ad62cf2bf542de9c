import { copyFile, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv, ROOT } from '../helpers/cli.js';
import { runProcess, type ProcessRun } from '../helpers/run-process.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The package as a user gets it: `npm pack` holds only what a user needs, and the tarball installs
 * into an empty folder and runs from there. The install is offline: the dependencies come from the
 * npm cache, where the project's own `npm ci` put them (CI runs it first, on a fresh clone too). The
 * cache holds them by integrity, not the registry's package listings, so the empty folder gets a
 * lockfile made from the project's (its runtime entries), as a published lockfile would pin them.
 */

interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  engines: Record<string, string>;
  scripts: Record<string, string>;
}

interface Lockfile {
  packages: Record<string, { dev?: boolean }>;
}

function run(command: string, args: string[], cwd: string): Promise<ProcessRun> {
  const env: NodeJS.ProcessEnv = {};
  // Nothing of the surrounding npm run (npm_config_*, npm_package_*) or of a real tenant leaks in.
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('npm_') && !key.startsWith('ZUORA_')) env[key] = value;
  return runProcess(command, args, { cwd, env });
}

let dir: string;
let pkg: PackageJson;
let packed: { filename: string; files: Array<{ path: string }> };

beforeAll(async () => {
  dir = await tempDir('zuu-package-');
  pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  // --ignore-scripts: prepack would rebuild dist/ from scratch while other test files run the CLI from it.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  packed = (JSON.parse(pack.stdout) as Array<typeof packed>)[0] as typeof packed;
}, 60_000);

describe('npm pack', () => {
  it('holds the compiled CLI, the simulator tenant and the fixtures, and nothing else', () => {
    const paths = packed.files.map((f) => f.path).sort();
    const unexpected = paths.filter(
      (path) =>
        !['package.json', 'README.md'].includes(path) &&
        !/^dist\/src\/[\w/-]+\.js$/.test(path) &&
        !/^fixtures\/(README\.md|tenant\.json|usage-corrections[\w-]*\.csv)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(paths).toContain(pkg.bin['zuora-usage-update']);
    expect(paths).toContain('fixtures/tenant.json');
    expect(paths).toContain('dist/src/config/resolve-settings.js');
  });
});

describe('the tarball installed into an empty folder', () => {
  let app: string;

  beforeAll(async () => {
    app = join(dir, 'app');
    await mkdir(app);
    const tarball = `file:${join(dir, packed.filename)}`;
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
    const runtime = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev);
    const manifest = { name: 'empty-folder', private: true, dependencies: { [pkg.name]: tarball } };
    const packages = {
      '': manifest,
      [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: tarball, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
      ...Object.fromEntries(runtime),
    };
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    await writeFile(join(app, 'package-lock.json'), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2));
    const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], app);
    expect(install.code, install.stderr).toBe(0);
  }, 60_000);

  it('npx zuora-usage-update --version prints the package version', async () => {
    const version = await run('npx', ['--no-install', 'zuora-usage-update', '--version'], app);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('npx zuora-usage-update <file> --env local runs against the simulator it ships', async () => {
    await copyFile(join(ROOT, 'fixtures', 'usage-corrections.csv'), join(app, 'corrections.csv'));
    const result = await run('npx', ['--no-install', 'zuora-usage-update', 'corrections.csv', '--env', 'local'], app);
    expect(result.code, result.stderr).toBe(0);
    const rows = await readCsv(join(app, 'corrections.results.csv'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.result === 'updated')).toBe(true);
  });
});

describe('the Docker image ships what the package ships', () => {
  it('npm start runs node with the Node flags of the bin', async () => {
    const shebang = (await readFile(join(ROOT, 'src', 'cli.ts'), 'utf8')).split('\n')[0] ?? '';
    const nodeFlags = shebang.replace(/^#!\/usr\/bin\/env -S node ?/, '').split(' ').filter(Boolean);
    expect(nodeFlags.length).toBeGreaterThan(0);
    expect((pkg.scripts.start ?? '').startsWith(`node ${nodeFlags.join(' ')} ${pkg.bin['zuora-usage-update']} `)).toBe(true);
  });

  it('copies the package "files" roots, and starts node as the bin does', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const copied = [...finalStage.matchAll(/^COPY (?:--from=\w+ )?(\S+) (\S+)$/gm)].map((m) => (m[1] ?? '').replace(/^\/app\//, ''));
    const roots = pkg.files.filter((f) => !f.startsWith('!'));
    for (const root of roots) expect(copied, root).toContain(root);
    const shebang = (await readFile(join(ROOT, 'src', 'cli.ts'), 'utf8')).split('\n')[0] ?? '';
    const nodeFlags = shebang.replace(/^#!\/usr\/bin\/env -S node ?/, '').split(' ').filter(Boolean);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(finalStage)?.[1] ?? '[]') as string[];
    expect(entrypoint).toEqual(['node', ...nodeFlags, `/app/${pkg.bin['zuora-usage-update']}`]);
    const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n');
    for (const excluded of pkg.files.filter((f) => f.startsWith('!fixtures/'))) expect(ignored, excluded).toContain(excluded.slice(1));
  });
});

describe('npm install -g . (a folder install), then npm pack', () => {
  // The folder install links the checkout; `npm pack` then rebuilds its dist/ (prepack), which must leave
  // the bin executable. Done on a copy of the checkout, so the dist/ other test files run stays as it is.
  it('the installed command still runs', async () => {
    const copy = join(dir, 'checkout');
    await mkdir(copy);
    for (const name of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'src', 'fixtures', 'dist']) {
      await cp(join(ROOT, name), join(copy, name), { recursive: true });
    }
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const prefix = join(dir, 'prefix');
    const install = await run('npm', ['install', '-g', '.', '--prefix', prefix, '--offline', '--no-audit', '--no-fund'], copy);
    expect(install.code, install.stderr).toBe(0);
    const pack = await run('npm', ['pack', '--pack-destination', dir], copy);
    expect(pack.code, pack.stderr).toBe(0);
    const version = await run(join(prefix, 'bin', 'zuora-usage-update'), ['--version'], dir);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  }, 240_000);
});
