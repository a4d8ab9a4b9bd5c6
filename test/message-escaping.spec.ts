/**
 * Task and workflow names in messages. A builder's node names (and a class's computed method
 * names) may hold a newline, a quote, a backslash or control characters — names taken from a
 * config file do. A message quotes each name as JSON writes a string, so it stays one line and
 * the name reads back with `JSON.parse`; a plain name reads as it always did (`task "fetchUser"`).
 */
import { expect } from 'chai';
import {
  buildDag,
  DependsOn,
  Task,
  TaskResultError,
  TaskTimeoutError,
  Workflow,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowOptionsError,
} from '../src';
import { recordProcessEvents, rejectionOf, settle, thrownBy } from './support/event-log';

const thrownByGet = (get: () => unknown) => thrownBy(get, TaskResultError);
const definitionErrorOf = (define: () => unknown) => thrownBy(define, WorkflowDefinitionError);

/** A newline; a quote; a bell, a C1 control (NEL) and a line separator; a backslash. */
const LINE_BREAK = 'g\nh';
const QUOTE = 'say "hi"';
const CONTROL = 'bell\u0007\u0085\u2028';
const BACKSLASH = 'C:\\temp';

/** Characters that would end a log line, or reach a terminal as a command. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Every JSON string literal in `message`, parsed. */
function quotedIn(message: string): string[] {
  return (message.match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((quoted) => JSON.parse(quoted) as string);
}

/** `message` is one line of plain text and quotes each of `names` so that it reads back whole. */
function expectQuoted(message: string, ...names: string[]): void {
  expect(UNSAFE.test(message), JSON.stringify(message)).to.equal(false);
  const quoted = quotedIn(message);
  for (const name of names) expect(quoted, message).to.include(name);
}

function failing(): never {
  throw new Error('boom');
}

describe('names in messages', () => {
  it('keeps a plain name as it was: task "fetchUser"', async () => {
    const tm = buildDag({ name: 'Checkout' });
    tm.addNode({ name: 'fetchUser' }, failing);
    const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
    expect(error.message).to.equal('Checkout: task "fetchUser" failed: boom');
  });

  it('quotes node names as JSON in a run failure and its other failures', async () => {
    const tm = buildDag();
    tm.addNode({ name: LINE_BREAK }, failing);
    tm.addNode({ name: QUOTE }, failing);
    tm.addNode({ name: CONTROL }, failing);
    tm.addNode({ name: BACKSLASH }, failing);
    const error = await rejectionOf(
      tm.invoke(undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    expect(
      error.message.startsWith(`dag: task ${JSON.stringify(LINE_BREAK)} failed: boom`),
    ).to.equal(true);
    expectQuoted(error.message, LINE_BREAK, QUOTE, CONTROL, BACKSLASH);
    expect(error.task).to.equal(LINE_BREAK);
  });

  it('quotes them in what get() says of a failed and of a skipped node', async () => {
    const tm = buildDag();
    const broken = tm.addNode({ name: LINE_BREAK }, failing);
    const after = tm.addNode({ name: QUOTE }, (value: unknown) => value, broken);
    const error = await rejectionOf(
      tm.invoke(undefined, { failFast: false }),
      WorkflowExecutionError,
    );
    const failed = thrownByGet(() => broken.extractResult(error.result));
    expectQuoted(failed.message, LINE_BREAK);
    expect(failed.message).to.contain(`task ${JSON.stringify(LINE_BREAK)} failed in this run`);
    const skipped = thrownByGet(() => after.extractResult(error.result));
    expectQuoted(skipped.message, QUOTE, LINE_BREAK);
    expect(skipped.message).to.contain(
      `task ${JSON.stringify(QUOTE)} was skipped: dependency ${JSON.stringify(LINE_BREAK)} failed`,
    );
    expect(error.result.trace.find((entry) => entry.task === QUOTE)?.reason).to.equal(
      `dependency ${JSON.stringify(LINE_BREAK)} failed`,
    );
  });

  it('quotes them in a timeout', async () => {
    const tm = buildDag();
    tm.addNode(
      { name: CONTROL, timeout: 5 },
      () => new Promise((resolve) => setTimeout(resolve, 500)),
    );
    const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
    expect(error.cause).to.be.instanceOf(TaskTimeoutError);
    const timeout = error.cause as TaskTimeoutError;
    expectQuoted(timeout.message, CONTROL);
    expect(timeout.task).to.equal(CONTROL);
    expectQuoted(error.message, CONTROL);
  });

  it('quotes them in a hook rejection after the run settled', async () => {
    const warnings = recordProcessEvents('warning');
    try {
      let rejectLater!: (reason: unknown) => void;
      const tm = buildDag();
      tm.addNode({ name: LINE_BREAK }, () => 1);
      await tm.invoke(undefined, {
        hooks: { onTaskSuccess: () => new Promise<void>((_, reject) => (rejectLater = reject)) },
      });
      rejectLater(new Error('late'));
      await settle(2);
      expect(warnings.received).to.have.length(1);
      const { message } = warnings.received[0] as Error;
      expectQuoted(message, LINE_BREAK);
      expect(message).to.contain(
        `the onTaskSuccess hook of task ${JSON.stringify(LINE_BREAK)} rejected`,
      );
    } finally {
      warnings.stop();
    }
  });

  it('quotes them in definition errors: a taken name, an invalid option', () => {
    const tm = buildDag();
    tm.addNode({ name: QUOTE }, () => 1);
    const taken = definitionErrorOf(() => tm.addNode({ name: QUOTE }, () => 2));
    expectQuoted(taken.message, QUOTE);
    expect(taken.message).to.contain(`the name ${JSON.stringify(QUOTE)} is taken`);
    const option = definitionErrorOf(() => tm.addNode({ name: LINE_BREAK, retries: -1 }, () => 2));
    expectQuoted(option.message, LINE_BREAK);
    // An option key an immediate node does not take is quoted too: it is the caller's text.
    const key = definitionErrorOf(() =>
      tm.addImmediateNode(1, { name: 'imm', [LINE_BREAK]: 1 } as { name: string }),
    );
    expectQuoted(key.message, LINE_BREAK);
  });

  it('quotes them in definition errors: an unknown dependency, a cycle', () => {
    class Unknown {
      @Task() @DependsOn(`${LINE_BREAK}x`) [CONTROL](value: unknown) {
        return value;
      }
      @Task() [LINE_BREAK]() {
        return 1;
      }
    }
    const unknown = definitionErrorOf(() => Workflow.validate(Unknown));
    expect(unknown.code).to.equal('UNKNOWN_DEPENDENCY');
    expectQuoted(unknown.message, CONTROL, `${LINE_BREAK}x`, LINE_BREAK);

    class Loop {
      @Task() @DependsOn(QUOTE) [LINE_BREAK](value: unknown) {
        return value;
      }
      @Task() @DependsOn(LINE_BREAK) [QUOTE](value: unknown) {
        return value;
      }
    }
    const cycle = definitionErrorOf(() => Workflow.validate(Loop));
    expect(cycle.code).to.equal('CYCLE');
    expectQuoted(cycle.message, LINE_BREAK, QUOTE);
    expect(cycle.cycle).to.deep.equal([LINE_BREAK, QUOTE, LINE_BREAK]);

    class Itself {
      @Task() @DependsOn(CONTROL) [CONTROL](value: unknown) {
        return value;
      }
    }
    const itself = definitionErrorOf(() => Workflow.validate(Itself));
    expectQuoted(itself.message, CONTROL);
  });

  it("quotes a name holding the separator of a cycle's arrows or of a list, so it reads as one task", async () => {
    class Loop {
      @Task() @DependsOn('c -> d') ['a b'](value: unknown) {
        return value;
      }
      @Task() @DependsOn('a b') ['c -> d'](value: unknown) {
        return value;
      }
    }
    const cycle = definitionErrorOf(() => Workflow.validate(Loop));
    expect(cycle.message).to.include('a b -> "c -> d" -> a b');

    const tm = buildDag({ name: 'Report' });
    tm.addNode({ name: 'load, parse' }, () => 1);
    tm.addNode({ name: 'render' }, () => 2);
    const result = await tm.invoke();
    const unknown = thrownByGet(() => result.get('nothing like it at all' as never));
    expect(unknown.message).to.include('Tasks: "load, parse", render.');
  });

  it('quotes them in run options that name tasks', async () => {
    const tm = buildDag();
    tm.addNode({ name: LINE_BREAK }, () => 1);
    const override = await rejectionOf(
      tm.invoke(undefined, { overrides: { [LINE_BREAK]: 1 as never } }),
      WorkflowOptionsError,
    );
    expectQuoted(override.message, LINE_BREAK);
    const unknown = await rejectionOf(
      tm.invoke(undefined, { targets: ['nothing like it at all'] }),
      WorkflowOptionsError,
    );
    // The list of tasks shows the name too.
    expectQuoted(unknown.message, LINE_BREAK);
  });

  it('writes a workflow name with a line break as JSON, and a plain one as it is', async () => {
    const tm = buildDag({ name: 'nightly\nimport' });
    tm.addNode({ name: 'load' }, failing);
    const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
    expect(error.message).to.equal('"nightly\\nimport": task "load" failed: boom');
    expect(error.workflow).to.equal('nightly\nimport');
  });

  it("quotes a workflow name holding a message's separator (': '), so it reads as one name", async () => {
    const named = async (name: string) => {
      const tm = buildDag({ name });
      tm.addNode({ name: 'load' }, failing);
      return (await rejectionOf(tm.invoke(), WorkflowExecutionError)).message;
    };
    expect(await named('Orders: nightly')).to.equal('"Orders: nightly": task "load" failed: boom');
    // A colon without the space after it splits nothing: the name is as it is.
    expect(await named('etl:nightly')).to.equal('etl:nightly: task "load" failed: boom');
  });
});
