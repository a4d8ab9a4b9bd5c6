/**
 * The packed package and the toolchains its consumers use, shared by every spec that builds a
 * consumer project (test/package.spec.ts, test/docs-snippets.spec.ts), prepared once per test run:
 *
 * - `npm pack` (which builds through `prepack`), then one `npm install` of the tarball into a
 *   template project; each consumer project gets a copy of that template's node_modules, as if
 *   it had installed the tarball itself.
 * - The tools (TypeScript 5.0, 5.9, 6 and 7, tsx, esbuild, vitest 3 + vite 7, jest + @swc/jest,
 *   mocha + ts-node + chai, Babel 7 with its TypeScript preset and decorators plugin, Bun, Deno)
 *   are listed in test/consumers/package.json and its lockfile, installed with `npm ci` into
 *   test/consumers/node_modules (skipped while a stamp says that install matches the lockfile),
 *   and run by path; packages a project must resolve itself (vitest, @swc/jest, chai,
 *   @types/node, Babel's preset and plugin, …) are linked into its node_modules.
 *
 * Everything lives in one temporary folder, removed when the process exits.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SEED_ORDER } from './seed';

export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');
/** The consumer tools' folder: package.json, lockfile, seed programs and project templates. */
export const CONSUMERS = join(REPOSITORY_ROOT, 'test', 'consumers');
const TOOLS_MODULES = join(CONSUMERS, 'node_modules');
const TOOLS_STAMP = join(TOOLS_MODULES, '.async-dag-tools-stamp');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Whether this run skips every test that packs the package (`ASYNC_DAG_SKIP_PACK=1`). */
export const skipPack = process.env.ASYNC_DAG_SKIP_PACK === '1';

/** What `npm pack --json` reports about the tarball. */
export interface PackReport {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

/** A finished command. */
export interface Completed {
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** How `run` rejects when the command fails: its output, also in the message. */
export type Failed = Error & { readonly stdout: string; readonly stderr: string };

/**
 * Runs a command to completion, without the coverage collector of a surrounding c8 run, and
 * rejects with its output (a `Failed`) when it exits with an error.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Completed> {
  const env = { ...process.env, ...options.env };
  delete env.NODE_V8_COVERAGE;
  delete env.NODE_OPTIONS;
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) return resolvePromise({ stdout, stderr, ms });
      reject(
        Object.assign(
          new Error(
            `${command} ${args.join(' ')} exited with ${signal ?? code} in ${options.cwd}:\n` +
              `${stdout}\n${stderr}`,
          ),
          { stdout, stderr },
        ),
      );
    });
  });
}

/** `node <file> …args` with this process's Node.js. */
export function runNode(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Completed> {
  return run(process.execPath, args, options);
}

/** The packed package, installed once into a template project. */
export interface PackedPackage {
  readonly report: PackReport;
  readonly tarball: string;
  /** The temporary folder every consumer project lives in. */
  readonly workDirectory: string;
  /** A project whose node_modules holds exactly the installed tarball and its dependencies. */
  readonly template: string;
  readonly packMs: number;
  readonly installMs: number;
}

let packed: Promise<PackedPackage> | undefined;

/** Packs and installs the package the first time it is called; later calls share the result. */
export function packedPackage(): Promise<PackedPackage> {
  return (packed ??= packAndInstall());
}

async function packAndInstall(): Promise<PackedPackage> {
  const workDirectory = mkdtempSync(join(tmpdir(), 'async-dag-consumers-'));
  process.once('exit', () => rmSync(workDirectory, { recursive: true, force: true }));
  const packing = await run(NPM, ['pack', '--json', '--pack-destination', workDirectory], {
    cwd: REPOSITORY_ROOT,
  });
  // `prepack` (the build) may print before the JSON report: parse from the report's first line.
  const reportStart = packing.stdout.search(/^\[/m);
  if (reportStart < 0) throw new Error(`no JSON report from npm pack:\n${packing.stdout}`);
  const [report] = JSON.parse(packing.stdout.slice(reportStart)) as PackReport[];
  const tarball = join(workDirectory, report.filename);

  const template = join(workDirectory, 'template');
  mkdirSync(template);
  writeFileSync(
    join(template, 'package.json'),
    JSON.stringify({ name: 'template', version: '1.0.0', private: true }),
  );
  const install = await run(
    NPM,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball],
    { cwd: template },
  );
  return {
    report,
    tarball,
    workDirectory,
    template,
    packMs: packing.ms,
    installMs: install.ms,
  };
}

/** The installed consumer tools. */
export interface ConsumerTools {
  /** How long `npm ci` took, or `undefined` when the stamp said the install was current. */
  readonly installMs: number | undefined;
  /** The absolute path of a file in an installed tool package, e.g. `tool('tsx/dist/cli.mjs')`. */
  tool(path: string): string;
}

let tools: Promise<ConsumerTools> | undefined;

/** Installs the consumer tools the first time it is called (unless already installed). */
export function consumerTools(): Promise<ConsumerTools> {
  return (tools ??= installTools());
}

async function installTools(): Promise<ConsumerTools> {
  const lockfile = readFileSync(join(CONSUMERS, 'package-lock.json'));
  const stamp = `${createHash('sha256').update(lockfile).digest('hex')} ${process.version}\n`;
  let installMs: number | undefined;
  if (!existsSync(TOOLS_STAMP) || readFileSync(TOOLS_STAMP, 'utf8') !== stamp) {
    installMs = (
      await run(NPM, ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: CONSUMERS,
        timeoutMs: 600_000,
      })
    ).ms;
    writeFileSync(TOOLS_STAMP, stamp);
  }
  return { installMs, tool: (path) => join(TOOLS_MODULES, path) };
}

/**
 * A fresh consumer project: the template's node_modules (the installed tarball), the files of
 * test/consumers/projects/`template` if given, then `files` (path → content), and `links`: tool
 * packages linked into its node_modules so the project resolves them itself.
 */
export function createProject(
  name: string,
  {
    template,
    files = {},
    links = [],
  }: { template?: string; files?: Record<string, string>; links?: readonly string[] },
  { workDirectory, template: installed }: PackedPackage,
): string {
  const project = join(workDirectory, name);
  mkdirSync(project);
  cpSync(join(installed, 'node_modules'), join(project, 'node_modules'), { recursive: true });
  if (template !== undefined) {
    cpSync(join(CONSUMERS, 'projects', template), project, { recursive: true });
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), content);
  }
  for (const link of links) {
    const target = join(project, 'node_modules', link);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(TOOLS_MODULES, link), target, 'dir');
  }
  return project;
}

/** The seed programs consumers run (test/consumers/seed/). */
export const seedSource = {
  /** Standard decorators: inputs listed with the tokens. */
  standard: readFileSync(join(CONSUMERS, 'seed', 'standard.ts'), 'utf8'),
  /** Legacy decorators: `@Param()`. */
  legacy: readFileSync(join(CONSUMERS, 'seed', 'legacy.ts'), 'utf8'),
  /** Appended where a runner takes one file: prints what `seed()` returns. */
  print: readFileSync(join(CONSUMERS, 'seed', 'print.ts'), 'utf8'),
};

/** The seed program of `mode` as one runnable file. */
export function seedProgram(mode: 'standard' | 'legacy'): string {
  return `${seedSource[mode]}${seedSource.print}`;
}

/** What the seed program prints, in either mode, on every toolchain. */
export function seedOutput(mode: 'standard' | 'legacy'): string[] {
  return [
    `decorators ${mode}`,
    ...SEED_ORDER,
    'results {"first":1,"end":4}',
    'roots fastTaskA slowTaskA fastTaskB',
    'numbered {"1":2,"2":4}',
    'failure true Broken: task "explode" failed: boom',
    'definition true UNKNOWN_DEPENDENCY',
  ];
}

/** The non-empty lines of a program's output. */
export function linesOf(output: string): string[] {
  return output.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** Runs jobs with at most `limit` at a time; each result is available as soon as it settles. */
export function limitConcurrency(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
