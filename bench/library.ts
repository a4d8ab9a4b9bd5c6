/**
 * The library as the benchmarks use it: the BUILT package, as users run it (`npm run bench` builds
 * `dist/` first), not a development-only compile of `src/`. The bench smoke test sets
 * `ASYNC_DAG_BENCH_SOURCE=src` to exercise the benchmark code against the sources without a build.
 */
import type * as Library from '../src';

function load(): typeof Library {
  if (process.env.ASYNC_DAG_BENCH_SOURCE === 'src') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- chosen at run time
    return require('../src') as typeof Library;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built package, by path
  return require(BUILT_PACKAGE) as typeof Library;
}

/** Where `npm run build` puts the CommonJS entry point. */
export const BUILT_PACKAGE = '../dist/cjs/index.js';

const library = load();

export const { Workflow, Task, DependsOn, Param, buildDag, skip } = library;
export type {
  DagNode,
  ExecutionResult,
  InvokeOptions,
  WorkflowInterceptor,
  WorkflowStream,
} from '../src';
