/**
 * The strictest check that a run releases everything: a Node.js process that ends runs every way a
 * run can end (test/support/run-endings-child.ts) exits by itself once they have settled. Whatever
 * a run might leave behind — a timer, an interval, an immediate, a handle, a listener that holds
 * one — would keep it alive: the timers its tasks could leave are ten minutes long. Each ending
 * also reports the abort listeners left on the caller's signal and the active resources it added,
 * so that a failure names the ending at fault. (releases-everything.spec.ts checks the same in
 * this process, at every moment a run can be suspended.)
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

interface EndingLine {
  readonly ending: string;
  readonly outcome: string;
  readonly listeners: number;
  readonly resources: string[];
}

describe('a process that ends runs every way', function () {
  // ts-node compiles the child in 2 to 3 s; a timer left behind would keep it alive ten minutes.
  this.timeout(120_000);

  it('exits by itself, with no listener, resource or unhandled rejection left by any ending', async () => {
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    let stdout: string;
    try {
      ({ stdout } = await run(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', join(root, 'test/support/run-endings-child.ts')],
        { cwd: root, env, timeout: 90_000 },
      ));
    } catch (error) {
      const { killed, stdout: printed } = error as { killed?: boolean; stdout?: string };
      expect.fail(
        killed === true
          ? `the process did not exit: something a run left keeps it alive. It printed:\n${printed}`
          : String(error),
      );
    }
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EndingLine & { exited?: true; unhandled?: string[] });
    const exit = lines.pop();
    expect(exit, 'the last line').to.deep.equal({ exited: true, unhandled: [] });
    const outcomes = Object.fromEntries(lines.map(({ ending, outcome }) => [ending, outcome]));
    expect(outcomes).to.deep.equal({
      succeeds: 'resolved',
      'fails (failFast) while busy, then runs its cleanup': 'WorkflowExecutionError',
      'fails (failFast: false) once the other tasks finish': 'WorkflowExecutionError',
      'times out on every attempt, with a retry delay between them': 'WorkflowExecutionError',
      "is aborted by the caller's signal mid-task": 'WorkflowAbortedError',
      "is aborted by the caller's signal while busy": 'WorkflowAbortedError',
      "starts with the caller's signal aborted already": 'WorkflowAbortedError',
      'is streamed and read to its end': 'resolved',
      'is streamed, failing, and read to its end': 'WorkflowExecutionError',
      "is streamed and left by the reader's break": 'WorkflowAbortedError',
      "is streamed and left by the reader's throw": 'WorkflowAbortedError',
      "is streamed and left by return() while the reader's next() waits": 'WorkflowAbortedError',
      'fails when a task interceptor throws': 'WorkflowExecutionError',
      'fails when a run interceptor throws before next()': 'Error',
      'fails when a run interceptor throws after next() settled': 'Error',
      'fails when a fallback throws': 'WorkflowExecutionError',
      'fails when a task ignores its signal until its timeout': 'WorkflowExecutionError',
      'fails under a concurrency limit with tasks still queued': 'WorkflowExecutionError',
      'is streamed, failing, with nobody reading it or awaiting its result': 'resolved',
      'succeeds while an async hook rejects after it settled': 'resolved',
      'fails when onTaskStart throws': 'WorkflowExecutionError',
      'fails when onTaskSuccess throws': 'WorkflowExecutionError',
      'fails when onTaskFailure throws': 'WorkflowExecutionError',
      'fails when onTaskRetry throws': 'WorkflowExecutionError',
      'fails when onTaskSkip throws': 'WorkflowExecutionError',
      'fails when onTaskProgress throws': 'WorkflowExecutionError',
    });
    const leftovers = lines.filter(({ listeners, resources }) => listeners > 0 || resources.length);
    expect(leftovers, 'endings that left a listener or a resource').to.deep.equal([]);
  });
});
