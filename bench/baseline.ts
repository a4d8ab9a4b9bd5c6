/**
 * The library as it was before Part II (control flow, events, interceptors, the builder), built
 * from git so the benchmark can run it next to today's library in the same process and the same
 * rounds: "a plain workflow costs what it cost before" is then a ratio measured in one run, not a
 * comparison with numbers from another day.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as Library from '../src';

/** The last commit before Part II: the one BENCHMARKS.md's Part I figures were measured on. */
export const BASELINE_COMMIT = '79133b2';

/** What the benchmarks need from a library build. */
export type BenchLibrary = Pick<typeof Library, 'Workflow' | 'Task' | 'DependsOn' | 'Param'>;

/**
 * The baseline library, built on first use into `bench/.baseline/<commit>/dist` (git archive of
 * its `src/` and tsconfigs, compiled with this repository's TypeScript). `undefined` when git or
 * the commit is not available (a source tarball), with the reason printed.
 */
export function loadBaseline(commit = BASELINE_COMMIT): BenchLibrary | undefined {
  const root = join(__dirname, '..');
  const directory = join(__dirname, '.baseline', commit);
  // Before the dual build, tsconfig.build.json compiled to dist/; since, to dist/cjs.
  const entries = [join(directory, 'dist', 'index.js'), join(directory, 'dist', 'cjs', 'index.js')];
  const built = () => entries.find((entry) => existsSync(entry));
  try {
    if (built() === undefined) {
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory, { recursive: true });
      const archive = execFileSync(
        'git',
        ['archive', commit, 'src', 'tsconfig.json', 'tsconfig.build.json'],
        {
          cwd: root,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      execFileSync('tar', ['-x', '-C', directory], { input: archive });
      execFileSync(
        process.execPath,
        [
          join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          join(directory, 'tsconfig.build.json'),
        ],
        { cwd: directory, stdio: 'pipe' },
      );
    }
    const entry = built();
    if (entry === undefined) throw new Error(`the build of ${commit} made no index.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a build made at run time
    return require(entry) as BenchLibrary;
  } catch (error) {
    console.warn(`baseline ${commit} not available: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}
