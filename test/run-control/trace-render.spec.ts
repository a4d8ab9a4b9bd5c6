/**
 * Pictures of a run: `ExecutionResult.trace` and `durationMs`, `toMermaidGantt(result)` and
 * `formatTimeline(result)` — structure and marks, never wall-clock speed.
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  buildDag,
  DependsOn,
  Param,
  Task,
  Workflow,
  TaskResultError,
  TaskTimeoutError,
  WorkflowAbortedError,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  formatTimeline,
  toMermaidGantt,
  type ExecutionResult,
  type TaskTrace,
} from '../../src';
import { rejectionOf, settle, sleep } from '../support/event-log';

/** The seed's shape with short sleeps: three roots, a chain, a join. */
class Seedling {
  @Task() fastA(@Param() n: number) {
    return sleep(2).then(() => n + 1);
  }
  @Task() slowA(@Param() n: number) {
    return sleep(10).then(() => n + 1);
  }
  @Task() fastB(@Param() n: number) {
    return sleep(4).then(() => n + 1);
  }
  @Task() @DependsOn('fastA') slowB(a: number) {
    return sleep(15).then(() => a + 1);
  }
  @Task() @DependsOn('slowA', 'fastB') fastC(a: number, b: number) {
    return sleep(2).then(() => a + b);
  }
  @Task() @DependsOn('fastC', 'slowB') end(c: number, b: number) {
    return sleep(2).then(() => c + b);
  }
}

/** failFast: false with one failure, one skipped dependent, one independent success. */
class PartlyBroken {
  @Task() loadConfiguration() {
    return sleep(3).then(() => 'configuration');
  }
  @Task() broken(): string {
    throw new Error('disk full');
  }
  @Task() @DependsOn('broken') neverRuns(value: string) {
    return value;
  }
  @Task() @DependsOn('loadConfiguration') afterwards(configuration: string) {
    return `${configuration} applied`;
  }
}

async function partlyBrokenResult(): Promise<ExecutionResult<PartlyBroken>> {
  const error = await rejectionOf(
    Workflow.invoke(new PartlyBroken(), undefined, { failFast: false }),
    WorkflowExecutionError,
  );
  return error.result;
}

describe('ExecutionResult.trace and durationMs', () => {
  it('lists every task by start time with its status, times and attempts', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    const { trace } = result;

    expect(trace.map((entry) => entry.task)).to.have.length(6);
    expect(trace.slice(0, 3).map((entry) => entry.task)).to.deep.equal(['fastA', 'slowA', 'fastB']);
    expect(trace.at(-1)!.task).to.equal('end');
    for (let index = 1; index < trace.length; index++) {
      expect(trace[index].start).to.be.at.least(trace[index - 1].start);
    }
    for (const entry of trace) {
      expect(entry.status).to.equal('succeeded');
      expect(entry.attempts).to.equal(1);
      expect(entry.start).to.be.a('number').at.least(0);
      expect(entry.end).to.be.at.least(entry.start);
      expect(entry.end).to.be.at.most(result.durationMs);
    }
    const byTask = Object.fromEntries(trace.map((entry) => [entry.task, entry]));
    expect(byTask.slowB.start).to.be.at.least(byTask.fastA.end);
    expect(byTask.fastC.start).to.be.at.least(Math.max(byTask.slowA.end, byTask.fastB.end));
    expect(byTask.end.start).to.be.at.least(Math.max(byTask.fastC.end, byTask.slowB.end));
    // The critical path fastA → slowB → end sleeps at least 19 ms (timers may fire ~1 ms early).
    expect(result.durationMs).to.be.at.least(19 - 3);
  });

  it('lists tasks in the order they started, also when a concurrency limit reorders them', async () => {
    const started: string[] = [];
    class PriorityBeatsDeclaration {
      @Task() side() {
        return settle();
      }
      @Task() head() {
        return settle();
      }
      @Task() @DependsOn('head') tail() {
        return settle();
      }
    }
    // One slot for two ready roots: head (remaining path 2) starts before side (path 1), though
    // side is declared first.
    const result = await Workflow.invoke(new PriorityBeatsDeclaration(), undefined, {
      concurrency: 1,
      hooks: { onTaskStart: ({ task }) => started.push(task) },
    });
    expect(started).to.deep.equal(['head', 'side', 'tail']);
    expect(result.trace.map((entry) => entry.task)).to.deep.equal(started);
  });

  it('marks failed and skipped tasks, and only lists tasks that started or were skipped', async () => {
    const result = await partlyBrokenResult();
    const statuses = result.trace.map(
      ({ task, status, attempts }) => `${task}:${status}:${attempts}`,
    );
    expect(statuses).to.have.members([
      'loadConfiguration:succeeded:1',
      'broken:failed:1',
      'neverRuns:skipped:0',
      'afterwards:succeeded:1',
    ]);
    const targeted = await Workflow.invoke(new Seedling(), 0, { targets: ['slowB'] });
    expect(targeted.trace.map((entry) => entry.task)).to.deep.equal(['fastA', 'slowB']);
  });

  it('gives the same frozen array of frozen entries on every read', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    const { trace } = result;
    expect(result.trace).to.equal(trace);
    expect(Object.isFrozen(trace)).to.equal(true);
    for (const entry of trace) expect(Object.isFrozen(entry), entry.task).to.equal(true);
  });
});

describe('toMermaidGantt', () => {
  /** The task lines of a Gantt chart: `name[ (skipped)] :spec`. */
  const taskLines = (gantt: string) =>
    gantt
      .split('\n')
      .map((line) => /^\s+(\w+)(?: \(skipped#58; [^)]*\))?\s*:(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ task: match[1], spec: match[2] }));

  it('is a gantt chart with a dateFormat and one line per task', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    const gantt = toMermaidGantt(result);
    const lines = gantt.split('\n');

    expect(lines[0]).to.equal('gantt');
    expect(lines.some((line) => /^\s+dateFormat\s+\S+/.test(line))).to.equal(true);
    const tasks = taskLines(gantt);
    expect(tasks.map((line) => line.task)).to.deep.equal(result.trace.map((entry) => entry.task));
    for (const { spec } of tasks) expect(spec).to.not.contain('crit');
  });

  it('marks a failed task crit and a skipped one as skipped', async () => {
    const result = await partlyBrokenResult();
    const gantt = toMermaidGantt(result);
    const specs = Object.fromEntries(taskLines(gantt).map(({ task, spec }) => [task, spec]));

    expect(Object.keys(specs)).to.have.members(result.trace.map((entry) => entry.task));
    expect(specs.broken).to.contain('crit');
    expect(specs.afterwards).to.not.contain('crit');
    const skippedLine = gantt.split('\n').find((line) => line.includes('neverRuns'))!;
    expect(skippedLine).to.match(/skipped|milestone/);
  });
});

/** A result with made-up times, for the arithmetic of the pictures. */
function resultWithTimes(
  durationMs: number,
  times: Record<string, [start: number, end: number]>,
): ExecutionResult {
  const trace = Object.entries(times).map(([task, [start, end]]) => ({
    task,
    status: 'succeeded' as const,
    start,
    end,
    durationMs: end - start,
    attempts: 1,
  }));
  return { workflow: 'Made', durationMs, trace } as unknown as ExecutionResult;
}

/** A result with a made-up trace: entries succeeded after one attempt unless they say otherwise. */
function resultWithTrace(
  durationMs: number,
  entries: readonly (Partial<TaskTrace> & Pick<TaskTrace, 'task' | 'start' | 'end'>)[],
): ExecutionResult {
  const trace = entries.map((entry) => ({ status: 'succeeded', attempts: 1, ...entry }));
  return { workflow: 'Made', durationMs, trace } as unknown as ExecutionResult;
}

describe('ExecutionResult in JSON', () => {
  it('is its workflow, duration and trace, in a run error too: no values, no inner arrays', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    expect(JSON.parse(JSON.stringify(result))).to.deep.equal({
      workflow: 'Seedling',
      durationMs: result.durationMs,
      trace: JSON.parse(JSON.stringify(result.trace)),
    });
    const error = await rejectionOf(Workflow.invoke(new PartlyBroken()), WorkflowExecutionError);
    const logged = JSON.parse(JSON.stringify(error));
    expect(Object.keys(logged.result)).to.deep.equal(['workflow', 'durationMs', 'trace']);
    expect(logged.result.trace.map((entry: { task: string }) => entry.task)).to.include('broken');
  });

  it('is always JSON: a recovered-from error that refers to itself, or a BigInt thrown', async () => {
    const circular = Object.assign(new TypeError('socket hang up'), { request: {} as object });
    (circular.request as { error?: unknown }).error = circular;
    class Recovers {
      @Task({ fallback: () => 0 }) fromError(): number {
        throw circular;
      }
      @Task({ fallback: () => 0 }) fromBigInt(): number {
        throw 42n;
      }
    }
    const result = await Workflow.invoke(new Recovers());
    const logged = JSON.parse(JSON.stringify(result));
    expect(
      logged.trace.map((entry: { recoveredFrom: unknown }) => entry.recoveredFrom),
    ).to.deep.equal([{ name: 'TypeError', message: 'socket hang up' }, '42']);
    // The result itself still holds what was thrown.
    expect(result.trace[0].recoveredFrom).to.equal(circular);
  });
});

describe('ExecutionResult through structuredClone (postMessage)', () => {
  it('copies nothing, as the guide says; toObject() and toJSON() carry the run', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    expect(structuredClone(result)).to.deep.equal({});
    expect(result.param).to.equal(0);
    expect(structuredClone(result.toObject())).to.deep.equal(result.toObject());
    expect(structuredClone(result.toJSON())).to.deep.equal(JSON.parse(JSON.stringify(result)));
  });

  it('sends a run error as its toJSON(), as the guide says: the clone of the error drops its fields', async () => {
    const error = await rejectionOf(
      Workflow.invoke(new PartlyBroken(), { apiKey: 'secret' }, { failFast: false }),
      WorkflowExecutionError,
    );
    const cloned = structuredClone(error);
    expect([cloned.name, cloned.message]).to.deep.equal(['Error', error.message]);
    expect(cloned).to.not.have.property('failures');
    // toJSON() is what a worker can receive: the same as the error's JSON, never the param.
    const sent = structuredClone(error.toJSON());
    expect(sent).to.deep.equal(JSON.parse(JSON.stringify(error)));
    expect(JSON.stringify(sent)).to.not.contain('secret');
  });
});

describe('ExecutionResult in console.log', () => {
  it('shows its workflow, duration and trace, as JSON does, not the run’s inner arrays and plan', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    const shown = inspect(result, { depth: 4 });
    expect(shown).to.match(/^ExecutionResult \{\n {2}workflow: 'Seedling',\n {2}durationMs: /);
    expect(shown).to.contain("task: 'fastA'");
    for (const inner of ['plan', 'states', 'times', 'reportOrder', 'Scratch', 'closure']) {
      expect(shown).not.to.contain(inner);
    }
    // A run error printed with console.error shows its result the same way.
    const error = await rejectionOf(Workflow.invoke(new PartlyBroken()), WorkflowExecutionError);
    const printed = inspect(error);
    expect(printed).to.contain("result: ExecutionResult {\n    workflow: 'PartlyBroken'");
    expect(printed).not.to.contain('plan');
    // Nested deeper than the depth asked for, it is named, not opened.
    expect(inspect({ outer: { result } }, { depth: 0 })).to.equal('{ outer: [Object] }');
    expect(inspect({ result }, { depth: 0 })).to.equal('{ result: [ExecutionResult] }');
    // A runtime that calls the method without an `inspect` of its own (Node before 16.3) gets the
    // bare view to print.
    const custom = (
      result as unknown as Record<symbol, (depth: number, options: object) => unknown>
    )[Symbol.for('nodejs.util.inspect.custom')];
    expect(custom.call(result, 2, {})).to.deep.equal(result.toJSON());
  });

  it('shows none of the run’s inner arrays and plan when Node prints a run error nobody caught', async () => {
    // Node prints an uncaught error with `customInspect: false` (and a depth of at least 5), so
    // the view above is not used there: what it shows is the result's own fields.
    // Nor the run's parameter, which console.error does not show either: a crash log is a log.
    const error = await rejectionOf(
      Workflow.invoke(new PartlyBroken(), { apiKey: 'SECRET-123' }),
      WorkflowExecutionError,
    );
    const printed = inspect(error, { customInspect: false, depth: 5 });
    expect(printed).to.contain("workflow: 'PartlyBroken'");
    for (const inner of ['plan', 'indexByName', 'Int32Array', 'states', 'reportOrder', 'Scratch']) {
      expect(printed).not.to.contain(inner);
    }
    expect(printed).to.contain('result: ExecutionResult {}');
    expect(printed).not.to.contain('SECRET');
    expect(error.result.param).to.deep.equal({ apiKey: 'SECRET-123' });
    const result = await Workflow.invoke(new Seedling(), 0);
    expect(result.trace).to.have.length(6); // the trace is cached once read
    expect(inspect(result, { customInspect: false })).to.equal('ExecutionResult {}');
  });

  it('opens as many levels as its plain view would, at the top level and nested', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    const view = { workflow: result.workflow, durationMs: result.durationMs, trace: result.trace };
    // console.log's depth (2) reaches the trace's entries, as it would for the plain view.
    for (const depth of [0, 1, 2, 3]) {
      expect(inspect(result, { depth }), `depth ${depth}`).to.equal(
        `ExecutionResult ${inspect(view, { depth })}`,
      );
    }
    expect(inspect(result)).to.contain("task: 'fastA'");
    expect(inspect({ nested: result }, { depth: 2 })).to.equal(
      inspect({ nested: view }, { depth: 2 }).replace('nested: {', 'nested: ExecutionResult {'),
    );
  });
});

describe('run errors in console.error', () => {
  it('show why every task failed at console.error’s depth, not [Error]', async () => {
    const tm = buildDag({ name: 'Nightly' });
    tm.addNode({ name: 'upload' }, () => {
      throw new TypeError('socket hang up');
    });
    tm.addNode({ name: 'count' }, () => {
      throw 'quota exceeded';
    });
    const retryIf = () => {
      throw new RangeError('retryIf broke');
    };
    tm.addNode({ name: 'fetch', retries: 1, retryIf }, () => {
      throw new Error('');
    });
    const error = await rejectionOf(
      tm.invoke(undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    // console.error(error) is inspect(error): depth 2 reaches each entry of failures, not its error.
    const printed = inspect(error);
    expect(printed).to.contain(
      [
        '  failures: [',
        "    { task: 'upload', error: [TypeError: socket hang up] },",
        "    { task: 'count', error: 'quota exceeded' },",
        '    {',
        "      task: 'fetch',",
        '      error: [RangeError: retryIf broke],',
        '      attemptError: [Error]',
        '    }',
        '  ],',
      ].join('\n'),
    );
    // With depth to spare, an entry prints as the plain object it is: each error with its stack.
    const [upload] = error.failures;
    for (const depth of [1, 2, null]) {
      expect(inspect(upload, { depth }), `depth ${depth}`).to.equal(
        inspect({ ...upload }, { depth }),
      );
    }
    expect(inspect(error, { depth: 3 })).to.contain(
      "task: 'upload',\n      error: TypeError: socket hang up\n          at ",
    );
  });
});

describe('run errors in JSON', () => {
  it('hold every thrown value as JSON can: a failure’s message, a BigInt, a value that refers to itself', async () => {
    const circular = Object.assign(new TypeError('socket hang up'), { request: {} as object });
    (circular.request as { error?: unknown }).error = circular;
    const tm = buildDag({ name: 'Nightly' });
    tm.addNode({ name: 'upload' }, () => {
      throw circular;
    });
    tm.addNode({ name: 'count' }, () => {
      throw 10n;
    });
    const retryIf = () => {
      throw new RangeError('retryIf broke');
    };
    tm.addNode({ name: 'fetch', retries: 1, retryIf }, () => {
      throw new Error('network down');
    });
    const error = await rejectionOf(
      tm.invoke(undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    const logged = JSON.parse(JSON.stringify(error));
    expect(logged).to.deep.include({
      name: 'WorkflowExecutionError',
      message: error.message,
      workflow: 'Nightly',
      task: 'upload',
      cause: { name: 'TypeError', message: 'socket hang up' },
    });
    expect(logged.failures).to.deep.equal([
      { task: 'upload', error: { name: 'TypeError', message: 'socket hang up' } },
      { task: 'count', error: '10' },
      {
        task: 'fetch',
        error: { name: 'RangeError', message: 'retryIf broke' },
        attemptError: { name: 'Error', message: 'network down' },
      },
    ]);
    expect(Object.keys(logged.result)).to.deep.equal(['workflow', 'durationMs', 'trace']);
    // The error itself still holds what was thrown.
    expect(error.failures[0].error).to.equal(circular);

    const controller = new AbortController();
    controller.abort(5n);
    const aborted = await rejectionOf(
      tm.invoke(undefined, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(JSON.parse(JSON.stringify(aborted))).to.deep.equal({
      name: 'AbortError',
      message: aborted.message,
      workflow: 'Nightly',
      cause: '5',
      failures: [],
      result: JSON.parse(JSON.stringify(aborted.result)),
    });
  });

  it('hold a thrown error’s own message whole, however long, and empty when it is empty', async () => {
    // A validation library's message lists every issue: the log is where it gets read.
    const issues = Array.from({ length: 20 }, (_, row) => `rows[${row}].email: Invalid email`);
    const long = `validation failed: ${issues.join('; ')}`;
    expect(long.length).to.be.greaterThan(600);
    const tm = buildDag({ name: 'Import' });
    tm.addNode({ name: 'blank', fallback: () => 'default' }, (): string => {
      throw new RangeError('');
    });
    tm.addNode({ name: 'parse' }, () => {
      throw new Error(long);
    });
    const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
    const logged = JSON.parse(JSON.stringify(error));

    expect(logged.cause).to.deep.equal({ name: 'Error', message: long });
    expect(logged.failures).to.deep.equal([
      { task: 'parse', error: { name: 'Error', message: long } },
    ]);
    const blank = logged.result.trace.find(({ task }: TaskTrace) => task === 'blank');
    expect(blank.recoveredFrom).to.deep.equal({ name: 'RangeError', message: '' });
    // The run error's own message stays one readable line: the cause's message cut short.
    expect(error.message.length).to.be.lessThan(400);
  });

  it('hold a thrown string whole too, as an error’s message is; other values described, cut short', async () => {
    // Libraries that throw strings throw messages: the same long message, not wrapped in an Error.
    const long = `validation failed: ${'rows[0].email: Invalid email; '.repeat(20)}`;
    const big = { rows: Array.from({ length: 100 }, (_, row) => row) };
    const tm = buildDag({ name: 'Import' });
    tm.addNode({ name: 'object', fallback: () => 'default' }, (): string => {
      throw big;
    });
    tm.addNode({ name: 'parse' }, () => {
      throw long;
    });
    const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
    const logged = JSON.parse(JSON.stringify(error));

    expect(logged.cause).to.equal(long);
    expect(logged.failures).to.deep.equal([{ task: 'parse', error: long }]);
    const object = logged.result.trace.find(({ task }: TaskTrace) => task === 'object');
    expect(object.recoveredFrom)
      .to.be.a('string')
      .that.matches(/^\{"rows":\[0,1,2,/);
    expect(object.recoveredFrom.length).to.be.lessThan(310);
    expect(error.message.length).to.be.lessThan(400);
  });
  it('hold every failure as JSON where a logger copies the error’s own fields instead (pino, winston)', async () => {
    const tm = buildDag({ name: 'Nightly' });
    tm.addNode({ name: 'upload' }, () => {
      throw new TypeError('socket hang up');
    });
    const retryIf = () => {
      throw new RangeError('retryIf broke');
    };
    tm.addNode({ name: 'fetch', retries: 1, retryIf }, () => {
      throw new Error('network down');
    });
    tm.addNode({ name: 'count' }, () => {
      throw { toJSON: () => 10n };
    });
    const error = await rejectionOf(
      tm.invoke(undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    // pino's `err` serializer and winston's `errors` format do not call the error's toJSON: they
    // copy its own enumerable fields, then write each as JSON.
    const copied = JSON.parse(JSON.stringify({ ...error }));
    expect(copied.failures).to.deep.equal([
      { task: 'upload', error: { name: 'TypeError', message: 'socket hang up' } },
      {
        task: 'fetch',
        error: { name: 'RangeError', message: 'retryIf broke' },
        attemptError: { name: 'Error', message: 'network down' },
      },
      { task: 'count', error: '[object Object]' },
    ]);
    expect(copied.failures).to.deep.equal(JSON.parse(JSON.stringify(error)).failures);
    // A failure still holds what was thrown, and shows only that.
    expect(error.failures[0].error).to.be.instanceOf(TypeError);
    expect(Object.keys(error.failures[1])).to.deep.equal(['task', 'error', 'attemptError']);
    expect(inspect(error.failures[0])).to.not.include('toJSON');

    const controller = new AbortController();
    const aborted = tm.invoke(undefined, {
      signal: controller.signal,
      failFast: false,
      hooks: { onTaskFailure: () => controller.abort() },
    });
    const abortError = await rejectionOf(aborted, WorkflowAbortedError);
    expect(JSON.parse(JSON.stringify({ ...abortError })).failures[0]).to.deep.equal({
      task: 'upload',
      error: { name: 'TypeError', message: 'socket hang up' },
    });
  });
});

describe('the other errors in JSON', () => {
  it('hold their name and message, which JSON.stringify leaves out of an Error, and their fields', async () => {
    class Broken {
      @Task() @DependsOn('missing' as never) a() {}
    }
    const definition = await rejectionOf(Workflow.invoke(new Broken()), WorkflowDefinitionError);
    expect(JSON.parse(JSON.stringify(definition))).to.deep.equal({
      name: 'WorkflowDefinitionError',
      message: definition.message,
      code: definition.code,
      workflow: 'Broken',
      task: 'a',
    });

    const tm = buildDag({ name: 'Nightly' });
    tm.addNode({ name: 'slow', timeout: 1 }, () => new Promise(() => {}));
    const options = await rejectionOf(
      tm.invoke(undefined, { concurrency: 0 }),
      WorkflowOptionsError,
    );
    expect(JSON.parse(JSON.stringify(options))).to.deep.equal({
      name: 'WorkflowOptionsError',
      message: options.message,
      workflow: 'Nightly',
      option: 'concurrency',
    });

    const failed = await rejectionOf(tm.invoke(undefined), WorkflowExecutionError);
    const timeout = failed.cause as TaskTimeoutError;
    expect(timeout).to.be.instanceOf(TaskTimeoutError);
    expect(JSON.parse(JSON.stringify(timeout))).to.deep.equal({
      name: 'TaskTimeoutError',
      message: 'Nightly: task "slow" timed out after 1 ms',
      workflow: 'Nightly',
      task: 'slow',
      timeoutMs: 1,
    });

    let asked: unknown;
    try {
      failed.result.get('fast' as never);
    } catch (error) {
      asked = error;
    }
    expect(asked).to.be.instanceOf(TaskResultError);
    expect(JSON.parse(JSON.stringify(asked))).to.deep.equal({
      name: 'TaskResultError',
      message: (asked as TaskResultError).message,
      workflow: 'Nightly',
      task: 'fast',
    });
  });
});

/** d3, as Mermaid (a dev dependency) uses it to draw a Gantt chart's axis. */
async function mermaidsD3(): Promise<{ timeFormat(specifier: string): (date: Date) => string }> {
  const specifier = 'd3'; // not a literal: d3 ships no type declarations
  return (await import(specifier)) as { timeFormat(specifier: string): (date: Date) => string };
}

describe('toMermaidGantt, times', () => {
  it('draws a task that took no time 1 ms long, and a skip as a milestone when it was skipped', () => {
    const gantt = toMermaidGantt(
      resultWithTrace(30, [
        { task: 'instant', start: 10, end: 10 },
        { task: 'gaveUp', status: 'skipped', start: 5, end: 20, reason: 'nothing to do' },
      ]),
    );
    expect(gantt.split('\n').slice(-2)).to.deep.equal([
      '  instant :done, 10, 11',
      '  gaveUp (skipped#58; nothing to do) :milestone, 20, 0ms',
    ]);
  });

  it('labels the axis in seconds since the run began, past a minute and in any time zone', async () => {
    const gantt = toMermaidGantt(
      resultWithTimes(95_008, { first: [0, 45_002], second: [45_002, 95_008] }),
    );
    const axisFormat = /^ {2}axisFormat (.+)$/m.exec(gantt)![1];
    expect(gantt).to.contain('\n  second :done, 45002, 95008');
    // Mermaid formats the axis with d3 in the reader's time zone; `%S` (seconds of the minute)
    // would read 35 s at 95 s, and is off in zones whose 1970 offset was not whole minutes.
    const format = (await mermaidsD3()).timeFormat(axisFormat);
    expect([0, 1_500, 60_000, 95_008].map((ms) => format(new Date(ms)))).to.deep.equal([
      '0.000 s',
      '1.500 s',
      '60.000 s',
      '95.008 s',
    ]);
  });
});

describe('the pictures, given something else than a result', () => {
  it('throw a TypeError, pointing at error.result when given a run error', async () => {
    class FailsOnce {
      @Task() broken(): number {
        throw new Error('broken');
      }
    }
    const error = await rejectionOf(Workflow.invoke(new FailsOnce()), WorkflowExecutionError);
    for (const [draw, name] of [
      [toMermaidGantt, 'toMermaidGantt'],
      [formatTimeline, 'formatTimeline'],
    ] as const) {
      expect(() => draw(error as never)).to.throw(
        TypeError,
        `${name}: expected the ExecutionResult of a run, got an object. A run error holds the ` +
          `run's result: pass error.result.`,
      );
      expect(() => draw(undefined as never)).to.throw(
        TypeError,
        `${name}: expected the ExecutionResult of a run, got undefined.`,
      );
      const run = Workflow.invoke(new FailsOnce());
      expect(() => draw(run as never)).to.throw(
        TypeError,
        `${name}: expected the ExecutionResult of a run, got a promise. Await it first: the ` +
          `promise of a run resolves with its result.`,
      );
      await run.catch(() => undefined);
      expect(draw(error.result)).to.contain('broken');
      const stream = Workflow.stream(new FailsOnce());
      expect(() => draw(stream as never)).to.throw(
        TypeError,
        `${name}: expected the ExecutionResult of a run, got an object. That is a WorkflowStream: ` +
          `its run's result is await stream.result.`,
      );
      await stream.result.catch(() => undefined);
      const unreadable = new Proxy(
        {},
        {
          get() {
            throw new Error('get refused');
          },
        },
      );
      expect(() => draw(unreadable as never)).to.throw(
        TypeError,
        `${name}: expected the ExecutionResult of a run, got an object.`,
      );
    }
  });

  it('draw a skipped entry without a reason (a trace built by hand) as plainly skipped', () => {
    const handMade = {
      workflow: 'Handmade',
      durationMs: 5,
      trace: [{ task: 'later', status: 'skipped', start: 1, end: 1 }],
    };
    expect(toMermaidGantt(handMade as never)).to.contain('  later (skipped) :milestone, 1, 0ms');
    expect(formatTimeline(handMade as never)).to.match(/^later .* skipped at 1\.0 ms\n/);
  });
});

describe('formatTimeline', () => {
  const columns = (line: string) => [...line].length;
  /** The column where a row's bar starts (the first bar character). */
  const barStart = (row: string) => row.search(/[█▒·]/);
  const rowOf = (timeline: string, task: string) => {
    const rows = timeline.split('\n').filter((line) => line.startsWith(`${task} `));
    expect(rows, `rows for ${task}`).to.have.length(1);
    return rows[0];
  };

  it('fits 80 columns by default, one row per task on a shared axis', async () => {
    const result = await Workflow.invoke(new Seedling(), 0);
    const timeline = formatTimeline(result);
    const lines = timeline.split('\n');

    for (const line of lines) expect(columns(line), line).to.be.at.most(80);
    for (const { task } of result.trace) rowOf(timeline, task);
    expect(barStart(rowOf(timeline, 'end'))).to.be.greaterThan(barStart(rowOf(timeline, 'fastA')));
  });

  it('draws a task that starts later further right', async () => {
    class Chain {
      @Task() early() {
        return sleep(30);
      }
      @Task() @DependsOn('early') late() {
        return 'late';
      }
    }
    const timeline = formatTimeline(await Workflow.invoke(new Chain()));
    expect(barStart(rowOf(timeline, 'late'))).to.be.greaterThan(barStart(rowOf(timeline, 'early')));
  });

  it('keeps a space between the axis’s 0 and its total when the bar is narrower than the total', () => {
    const result = resultWithTrace(1, [{ task: 'load', start: 0, end: 0.4, status: 'failed' }]);
    for (const width of [20, 26]) {
      const axis = formatTimeline(result, { width }).split('\n').at(-1)!;
      expect(axis, `width ${width}`).to.equal('       0 1.0 ms');
    }
    // Wide enough, the total ends under the bar's last column, as before.
    expect(formatTimeline(result, { width: 40 }).split('\n').at(-1)).to.match(
      /^ {5}0 {2,}1\.0 ms$/,
    );
  });

  it('scales a run shorter than a millisecond to its own duration, in hundredths', () => {
    const timeline = formatTimeline(
      resultWithTrace(0.69, [
        { task: 'a', start: 0, end: 0.6 },
        { task: 'b', start: 0.6, end: 0.69 },
      ]),
      { width: 40 },
    );
    // Not a 1 ms scale with the bars in its first two thirds and "1.0 ms" as the total.
    expect(timeline.split('\n')).to.deep.equal([
      'a    ███████████████████    0.0–0.60 ms',
      'b                       ███ 0.60–0.69 ms',
      '     0              0.69 ms',
    ]);
  });

  it('ends the axis of a run that took no time at 0.0 ms, as its rows and Gantt title say', async () => {
    // Under fake timers every reading of the run's clock is 0.
    const frozen = resultWithTrace(0, [
      { task: 'a', start: 0, end: 0 },
      { task: 'b', start: 0, end: 0 },
    ]);
    expect(formatTimeline(frozen, { width: 30 }).split('\n')).to.deep.equal([
      'a    █              0.0–0.0 ms',
      'b    █              0.0–0.0 ms',
      '     0       0.0 ms',
    ]);
    expect(toMermaidGantt(frozen)).to.contain('title Made run (0.0 ms)');

    // A run aborted before it started: no task, no time.
    const controller = new AbortController();
    controller.abort();
    const { result } = await rejectionOf(
      Workflow.invoke(new Seedling(), 0, { signal: controller.signal }),
      WorkflowAbortedError,
    );
    expect(result.durationMs).to.equal(0);
    expect(formatTimeline(result, { width: 30 })).to.equal(`     0${' '.repeat(17)}0.0 ms`);
  });

  it('starts the bar of a task that starts as another ends where that bar ends', () => {
    for (const split of [40, 48, 52, 61]) {
      const timeline = formatTimeline(
        resultWithTimes(100, { first: [0, split], second: [split, 100] }),
      );
      const first = rowOf(timeline, 'first');
      const firstEnd = first.lastIndexOf('█') + 1;
      expect(barStart(rowOf(timeline, 'second')), `split at ${split}`).to.equal(firstEnd);
    }
  });

  it('draws short names in 4 columns, attempts, whole ms from 100, a bar for a task that starts at the end, the total under the last column', () => {
    const timeline = formatTimeline(
      resultWithTrace(100, [
        { task: 'a', start: 0, end: 50, attempts: 2 },
        { task: 'b', start: 50, end: 100 },
        { task: 'c', start: 100, end: 100 },
      ]),
      { width: 40 },
    );
    expect(timeline.split('\n')).to.deep.equal([
      'a    █████      0.0–50.0 ms (2 attempts)',
      'b         █████ 50.0–100 ms',
      'c             █ 100–100 ms',
      '     0   100 ms',
    ]);
  });

  it('writes a time that rounds up to 100 ms whole, and one that rounds up to 1 ms in tenths', () => {
    // 99.96 is "100.0" in tenths and 0.996 is "1.00" in hundredths: each is written as its rounded
    // value's own range says, as the guide promises (whole ms from 100, tenths from 1).
    const timeline = formatTimeline(
      resultWithTrace(99.96, [
        { task: 'a', start: 0, end: 0.996 },
        { task: 'b', start: 0.996, end: 99.96 },
      ]),
      { width: 40 },
    );
    expect(timeline.split('\n')).to.deep.equal([
      'a    █                        0.0–1.0 ms',
      'b    ████████████████████████ 1.0–100 ms',
      '     0                 100 ms',
    ]);
    expect(
      toMermaidGantt(resultWithTrace(99.96, [{ task: 'a', start: 0, end: 99.96 }])),
    ).to.contain('title Made run (100 ms)');
  });

  it('cuts a name longer than 24 columns to 24, however wide the timeline', () => {
    const timeline = formatTimeline(
      resultWithTrace(100, [{ task: 'aTaskNameOfThirtyCharacters__', start: 0, end: 100 }]),
      { width: 60 },
    );
    expect(timeline.split('\n')).to.deep.equal([
      'aTaskNameOfThirtyCharac… ████████████████████████ 0.0–100 ms',
      '                         0                 100 ms',
    ]);
  });

  it('marks failed and skipped tasks', async () => {
    const timeline = formatTimeline(await partlyBrokenResult());
    expect(rowOf(timeline, 'broken')).to.match(/fail/i);
    expect(rowOf(timeline, 'neverRuns')).to.match(/skip/i);
    expect(rowOf(timeline, 'afterwards')).to.not.match(/fail|skip/i);
  });

  it('keeps long task names and a narrower width within bounds', async () => {
    class LongNames {
      @Task() aTaskWithAnExtremelyLongNameThatWouldNeverFitIntoTheNameColumn() {
        return 1;
      }
      @Task() short() {
        return sleep(2);
      }
    }
    const result = await Workflow.invoke(new LongNames());
    for (const line of formatTimeline(result).split('\n')) {
      expect(columns(line), line).to.be.at.most(80);
    }
    for (const line of formatTimeline(await Workflow.invoke(new Seedling(), 0), {
      width: 60,
    }).split('\n')) {
      expect(columns(line), line).to.be.at.most(60);
    }
  });

  it('cuts a long skip reason rather than the bars and names of every row', () => {
    const result = resultWithTrace(100, [
      { task: 'loadOrder', start: 0, end: 50 },
      { task: 'chargeCard', start: 50, end: 100 },
      {
        task: 'shipParcel',
        start: 100,
        end: 100,
        status: 'skipped',
        reason: 'digital order',
      },
      {
        task: 'labelParcel',
        start: 100,
        end: 100,
        status: 'skipped',
        reason: 'dependency "shipParcel" was skipped',
      },
    ]);
    const lines = formatTimeline(result).split('\n');
    // The bars keep a third of the 80 columns, and every name stays whole.
    expect(lines.slice(0, 3)).to.deep.equal([
      `loadOrder   ${'█'.repeat(13)}${' '.repeat(14)}0.0–50.0 ms`,
      `chargeCard  ${' '.repeat(13)}${'█'.repeat(13)} 50.0–100 ms`,
      `shipParcel  ${' '.repeat(25)}· skipped at 100 ms: digital order`,
    ]);
    // The reason that does not fit is cut at the width, with an ellipsis.
    expect(lines[3]).to.equal(
      `labelParcel ${' '.repeat(25)}· skipped at 100 ms: dependency "shipParce…`,
    );
    for (const line of lines) expect(columns(line), line).to.be.at.most(80);
    // Wide enough, the reason is whole.
    expect(formatTimeline(result, { width: 120 }).split('\n')[3]).to.match(
      /· +skipped at 100 ms: dependency "shipParcel" was skipped$/,
    );
    // Too narrow for a useful part of a reason, a row keeps its time whole and shows none.
    expect(formatTimeline(result, { width: 40 }).split('\n').slice(2, 4)).to.deep.equal([
      `shipParcel  ${' '.repeat(9)}· skipped at 100 ms`,
      `labelParcel ${' '.repeat(9)}· skipped at 100 ms`,
    ]);
  });

  it('never exceeds a requested width, also with long labels (retried and failed tasks)', async () => {
    class Retried {
      @Task({ retries: 2 }) aTaskNameOf24Characters(): string {
        throw new Error('still failing');
      }
      @Task() @DependsOn('aTaskNameOf24Characters') skippedDependent(value: string) {
        return value;
      }
    }
    const error = await rejectionOf(
      Workflow.invoke(new Retried(), undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    for (const width of [80, 60]) {
      for (const line of formatTimeline(error.result, { width }).split('\n')) {
        expect(columns(line), `width ${width}: ${line}`).to.be.at.most(width);
      }
    }
  });
});
