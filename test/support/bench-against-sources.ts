/**
 * Imported first by the bench smoke test: the benchmark code runs against `src/` (see
 * bench/library.ts), so the suite needs no build and the run counts toward coverage.
 */
process.env.ASYNC_DAG_BENCH_SOURCE = 'src';
