/**
 * The builder, specified by the intent of the Python seed's own tests — building, the parameter
 * node, immediate values, invoking many times and concurrently, extracting results, adding after
 * sealing, mixing builders — plus every rule of API.md §7.
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  buildDag,
  CONTEXT,
  DagNode,
  DependsOn,
  Param,
  PARAM,
  SIGNAL,
  Task,
  TaskResultError,
  TaskTimeoutError,
  Workflow,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  WorkflowOptionsError,
  WorkflowStream,
  toMermaidGantt,
  type DagTasks,
  type ExecutionResult,
  type TaskContext,
} from '../src';
import {
  EventLog,
  recordProcessEvents,
  rejectionOf,
  settle,
  sleep,
  withTimersInOrder,
} from './support/event-log';
import { hostileValues } from './support/hostile-values';
import { typeCheckMarkdown } from './support/markdown-snippets';
import { SEED_EVENTS } from './support/seed';

const inc = (n: number) => n + 1;
const add = (a: number, b: number) => a + b;

/** The definition error `action` throws, checked for its code. */
function definitionError(action: () => unknown, code: string): WorkflowDefinitionError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(WorkflowDefinitionError);
    expect((error as WorkflowDefinitionError).code).to.equal(code);
    return error as WorkflowDefinitionError;
  }
  return expect.fail(`expected a ${code} WorkflowDefinitionError`);
}

describe('buildDag', () => {
  describe('building', () => {
    it('returns typed nodes named after their functions, with numeric suffixes when taken', () => {
      const tm = buildDag<number>();
      const a = tm.addNode(inc, tm.parameterNode);
      const b = tm.addNode(inc, a);
      const c = tm.addNode(inc, b);
      const sum = tm.addNode(add, a, c);
      const anonymous = tm.addNode((n: number) => n, sum);
      expect([a, b, c, sum, anonymous].map((node) => node.name)).to.deep.equal([
        'inc',
        'inc_2',
        'inc_3',
        'add',
        'task',
      ]);
    });

    it('names a node of a bound function after the function, without any "bound " prefix', () => {
      const boundOnce: (n: number) => number = inc.bind(null);
      const boundTwice: (n: number) => number = boundOnce.bind(null);
      expect(boundTwice.name).to.equal('bound bound inc');
      const tm = buildDag<number>();
      const once = tm.addNode(boundOnce, tm.parameterNode);
      const twice = tm.addNode(boundTwice, once);
      expect([once.name, twice.name]).to.deep.equal(['inc', 'inc_2']);
    });

    it('builds the graph the nodes describe, with the shape of a class graph', () => {
      const tm = buildDag<number>({ name: 'seed' });
      const fastTaskA = tm.addNode({ name: 'fastTaskA' }, inc, tm.parameterNode);
      const slowTaskB = tm.addNode({ name: 'slowTaskB' }, inc, fastTaskA);
      const slowTaskA = tm.addNode({ name: 'slowTaskA' }, inc, tm.parameterNode);
      const fastTaskB = tm.addNode({ name: 'fastTaskB' }, inc, tm.parameterNode);
      const fastTaskC = tm.addNode({ name: 'fastTaskC' }, add, slowTaskA, fastTaskB);
      tm.addNode({ name: 'endTask' }, add, fastTaskC, slowTaskB);

      class Seed {
        @Task() fastTaskA(@Param() n: number) {
          return n;
        }
        @Task() @DependsOn('fastTaskA') slowTaskB() {}
        @Task() slowTaskA(@Param() n: number) {
          return n;
        }
        @Task() fastTaskB(@Param() n: number) {
          return n;
        }
        @Task() @DependsOn('slowTaskA', 'fastTaskB') fastTaskC() {}
        @Task() @DependsOn('fastTaskC', 'slowTaskB') endTask() {}
      }
      const { workflow, ...graph } = tm.graph();
      const { workflow: className, ...classGraph } = Workflow.graph(Seed);
      expect(workflow).to.equal('seed');
      expect(className).to.equal('Seed');
      expect(graph).to.deep.equal(classGraph);
      expect(tm.toMermaid()).to.equal(Workflow.toMermaid(Seed));
    });

    it("names the workflow 'dag', or options.name, in its graph, messages and Gantt chart", async () => {
      for (const [tm, name] of [
        [buildDag(), 'dag'],
        [buildDag({ name: 'Nightly' }), 'Nightly'],
      ] as const) {
        tm.addNode({ name: 'fails' }, () => {
          throw new Error('boom');
        });
        expect(tm.graph().workflow).to.equal(name);
        const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
        expect(error.message).to.equal(`${name}: task "fails" failed: boom`);
        expect(error.workflow).to.equal(name);
        expect(toMermaidGantt(error.result).split('\n')[1]).to.match(
          new RegExp(`^  title ${name} run \\(`),
        );
      }
    });

    it('keeps automatic names stable for the same sequence of calls', () => {
      const names = () => {
        const tm = buildDag();
        const first = tm.addNode(() => 1);
        tm.addNode({ name: 'inc_2' }, inc, first);
        return [tm.addNode(inc, first), tm.addNode(inc, first)].map((node) => node.name);
      };
      expect(names()).to.deep.equal(['inc', 'inc_3']);
      expect(names()).to.deep.equal(names());
    });

    it('uses up no automatic-name suffix in an addNode that throws', () => {
      const names = (withFailures: boolean) => {
        const tm = buildDag<number>();
        const other = buildDag<number>();
        const first = tm.addNode(inc, tm.parameterNode);
        if (withFailures) {
          const foreign = other.addNode(inc, other.parameterNode);
          definitionError(() => tm.addNode({ retires: 1 } as never, inc, first), 'INVALID_TASK');
          definitionError(() => tm.addNode({ timeout: -1 }, inc, first), 'INVALID_TASK');
          definitionError(() => tm.addNode(inc, foreign as never), 'INVALID_TASK');
          definitionError(() => tm.addImmediateNode(1, { retries: -1 } as never), 'INVALID_TASK');
        }
        const second = tm.addNode(inc, first);
        const third = tm.addNode(inc, second);
        const immediate = tm.addImmediateNode(1);
        return [first, second, third, immediate].map((node) => node.name);
      };
      expect(names(true)).to.deep.equal(['inc', 'inc_2', 'inc_3', 'immediate']);
      expect(names(true)).to.deep.equal(names(false));
    });

    it('rejects an explicit name that is taken, adding nothing', async () => {
      const tm = buildDag();
      const one = tm.addNode({ name: 'one' }, () => 1);
      const error = definitionError(() => tm.addNode({ name: 'one' }, () => 2), 'INVALID_TASK');
      expect(error.message).to.equal(
        'dag: addNode: the name "one" is taken by another node of this DAG; node names are unique.',
      );
      expect(error.task).to.equal('one');
      expect(tm.graph().tasks.map((task) => task.name)).to.deep.equal(['one']);
      expect(one.extractResult(await tm.invoke())).to.equal(1);
    });

    for (const [label, options, mention] of [
      ['a misspelt option', { retires: 2 }, 'unknown option "retires". Did you mean "retries"?'],
      ['a negative timeout', { timeout: -1 }, 'dag: addNode: option "timeout" of node "inc"'],
      ['a name that is not a string', { name: 7 }, 'option "name" must be a non-empty string'],
      ['an empty name', { name: '' }, 'option "name" must be a non-empty string'],
    ] as const) {
      it(`throws INVALID_TASK at once for ${label}, adding nothing`, () => {
        const tm = buildDag<number>();
        const error = definitionError(
          () => tm.addNode(options as never, inc, tm.parameterNode),
          'INVALID_TASK',
        );
        expect(error.message).to.contain(mention);
        const next = tm.addNode(inc, tm.parameterNode);
        expect(next.name).to.equal('inc');
        expect(tm.graph().tasks).to.have.length(1);
      });
    }

    it('suggests "name" for a misspelt node option', () => {
      const tm = buildDag<number>();
      const error = definitionError(
        () => tm.addNode({ nmae: 'x' } as never, inc, tm.parameterNode),
        'INVALID_TASK',
      );
      expect(error.message).to.equal(
        'dag: addNode: node "inc" has an unknown option "nmae". Did you mean "name"?',
      );
    });

    it('says a node takes the nodes it depends on as arguments, not as an option', () => {
      const tm = buildDag<number>();
      const first = tm.addNode(inc, tm.parameterNode);
      for (const key of ['dependsOn', 'deps', 'needs']) {
        const error = definitionError(
          () => tm.addNode({ [key]: [first] } as never, inc, tm.parameterNode),
          'INVALID_TASK',
        );
        expect(error.message).to.equal(
          `dag: addNode: node "inc_2" has an unknown option "${key}". A node's dependencies are ` +
            'not an option: pass the nodes as its arguments, addNode(fn, node, …).',
        );
      }
    });

    it('throws INVALID_TASK when the first argument is neither a function nor an options object', () => {
      const tm = buildDag<number>();
      for (const [first, shown] of [
        ['x', '"x"'],
        [undefined, 'undefined'],
        // Collections hold entries, not named options: a Map of options would be read as none.
        [new Map([['retries', 2]]), 'a Map'],
        [[], 'an array'],
        [new Set(), 'a Set'],
        // Options loaded asynchronously and not awaited would be read as none.
        [Promise.resolve({ retries: 2 }), 'a promise. Await it first'],
      ] as const) {
        const error = definitionError(() => tm.addNode(first as never, inc), 'INVALID_TASK');
        expect(error.message).to.equal(
          `dag: addNode: the first argument must be a function or an options object, got ${shown}.`,
        );
      }
      expect(() => tm.validate()).to.throw(WorkflowDefinitionError, /has no nodes/);
    });

    it('says a node or a token given where options go is an input, not options (arguments swapped)', () => {
      const tm = buildDag<number>({ name: 'swapped' });
      const a = tm.addNode(inc, tm.parameterNode);
      const messages = [
        () => tm.addNode(a as never, inc),
        () => tm.addNode(tm.parameterNode as never, inc),
        () => tm.addNode(SIGNAL as never, inc, 1),
        () => tm.addImmediateNode(1, a as never),
        () => tm.addImmediateNode(1, CONTEXT as never),
      ].map((add) => definitionError(add, 'INVALID_TASK').message);
      expect(messages).to.deep.equal([
        'swapped: addNode: the first argument must be a function or an options object, got node ' +
          '"inc". A node is an input: pass it after the function, as in addNode(fn, node).',
        'swapped: addNode: the first argument must be a function or an options object, got the ' +
          'PARAM token. A token is an input: pass it after the function, as in addNode(fn, PARAM).',
        'swapped: addNode: the first argument must be a function or an options object, got the ' +
          'SIGNAL token. A token is an input: pass it after the function, as in addNode(fn, SIGNAL).',
        'swapped: addImmediateNode: options must be an object, got node "inc". An immediate ' +
          "node's only option is name: addImmediateNode(value, { name }).",
        'swapped: addImmediateNode: options must be an object, got the CONTEXT token. An ' +
          "immediate node's only option is name: addImmediateNode(value, { name }).",
      ]);
      expect(tm.graph().tasks.map((task) => task.name)).to.deep.equal(['inc']);
    });

    it('says a node or a token given to addImmediateNode as its value is an input, not a value', () => {
      const other = buildDag({ name: 'other' });
      const foreign = other.addNode(function rates() {
        return 1.1;
      });
      const tm = buildDag<number>({ name: 'imm' });
      const a = tm.addNode(inc, tm.parameterNode);
      const errors = [
        () => tm.addImmediateNode(a as never),
        () => tm.addImmediateNode(tm.parameterNode as never, { name: 'param' }),
        () => tm.addImmediateNode(SIGNAL as never),
        () => tm.addImmediateNode(foreign as never),
      ].map((add) => definitionError(add, 'INVALID_TASK'));
      expect(errors.map((error) => [error.workflow, error.task])).to.deep.equal([
        ['imm', 'immediate'],
        ['imm', 'param'],
        ['imm', 'immediate'],
        ['imm', 'immediate'],
      ]);
      expect(errors.map((error) => error.message)).to.deep.equal([
        'imm: addImmediateNode: node "immediate" would hold node "inc" itself, not its result: a ' +
          'node is an input. addNode((value) => value, node) is a node of its result.',
        'imm: addImmediateNode: node "param" would hold the PARAM token itself, not its value: a ' +
          'token is an input. addNode((value) => value, PARAM) is a node of its value.',
        'imm: addImmediateNode: node "immediate" would hold the SIGNAL token itself, not its ' +
          'value: a token is an input. addNode((value) => value, SIGNAL) is a node of its value.',
        'imm: addImmediateNode: node "immediate" would hold node "rates" itself, not its result: ' +
          'a node is an input. addNode((value) => value, node) is a node of its result.',
      ]);
      // Nothing was added, and no automatic name was used up; a node inside a value is a constant.
      const held = tm.addImmediateNode({ node: a });
      expect(held.name).to.equal('immediate');
      expect(tm.graph().tasks.map((task) => task.name)).to.deep.equal(['inc', 'immediate']);
    });

    for (const [label, fn] of [
      ['undefined', undefined],
      ['a string', 'inc'],
      ['an object', {}],
    ] as const) {
      it(`throws INVALID_TASK at once when the function is ${label}`, () => {
        const tm = buildDag();
        const error = definitionError(
          () => tm.addNode({ name: 'broken' }, fn as unknown as () => unknown),
          'INVALID_TASK',
        );
        expect(error.message).to.contain('node "broken" needs a function to call');
        definitionError(() => tm.addNode(fn as never), 'INVALID_TASK');
        expect(() => tm.validate()).to.throw(WorkflowDefinitionError, /has no nodes/);
      });
    }

    it('throws INVALID_TASK naming the option when an option cannot be read', () => {
      const tm = buildDag({ name: 'hostile' });
      const getter = definitionError(
        () =>
          tm.addNode(
            {
              get retries(): number {
                throw new Error('getter boom');
              },
            },
            () => 1,
          ),
        'INVALID_TASK',
      );
      expect(getter.message).to.equal(
        'hostile: addNode: option "retries" of node "task" could not be read: getter boom',
      );
      expect(getter.cause).to.be.instanceOf(Error).with.property('message', 'getter boom');
      const trap = definitionError(
        () =>
          tm.addNode(
            new Proxy(
              {},
              {
                ownKeys() {
                  throw new Error('ownKeys boom');
                },
              },
            ),
            () => 1,
          ),
        'INVALID_TASK',
      );
      expect(trap.message).to.equal(
        'hostile: addNode: the options of node "task" could not be read: ownKeys boom',
      );
      const name = definitionError(
        () =>
          tm.addNode(
            {
              get name(): string {
                throw new Error('name boom');
              },
            },
            () => 1,
          ),
        'INVALID_TASK',
      );
      expect(name.message).to.equal('hostile: addNode: option "name" could not be read: name boom');
      expect(name.cause).to.be.instanceOf(Error).with.property('message', 'name boom');
      const immediateError = new Error('ownKeys boom');
      const immediate = definitionError(
        () =>
          tm.addImmediateNode(
            1,
            new Proxy(
              {},
              {
                ownKeys() {
                  throw immediateError;
                },
              },
            ),
          ),
        'INVALID_TASK',
      );
      expect(immediate.message).to.equal(
        'hostile: addImmediateNode: options could not be read: ownKeys boom',
      );
      expect(immediate.cause).to.equal(immediateError);
      expect(tm.addNode(() => 1).name).to.equal('task');
    });

    it('reads options before it checks the name and the seal: an option getter using the DAG changes nothing', async () => {
      // A getter that seals the DAG: the node is not added to the sealed plan.
      const tm = buildDag<number>({ name: 'reentrant' });
      const first = tm.addNode({ name: 'first' }, inc, tm.parameterNode);
      let early: Promise<unknown> | undefined;
      const sealing = {
        get retries() {
          early = tm.invoke(1);
          return 0;
        },
      };
      definitionError(() => tm.addNode(sealing, inc, first), 'SEALED');
      const runs = await Promise.all([early, tm.invoke(2)]);
      expect(
        runs.map((run) => (run as ExecutionResult<DagTasks, number>).toObject()),
      ).to.deep.equal([{ first: 2 }, { first: 3 }]);
      expect(tm.graph().tasks.map((task) => task.name)).to.deep.equal(['first']);

      // A getter that adds a node: names stay unique, explicit and automatic alike.
      const other = buildDag<number>({ name: 'reentrant' });
      other.addNode(inc, other.parameterNode);
      const twin = {
        name: 'twin',
        get timeout() {
          other.addNode({ name: 'twin' }, inc, other.parameterNode);
          return undefined;
        },
      };
      const error = definitionError(() => other.addNode(twin, inc, 1), 'INVALID_TASK');
      expect(error.message).to.contain('the name "twin" is taken');
      const late = other.addNode(
        {
          get timeout() {
            other.addNode(inc, other.parameterNode);
            return undefined;
          },
        },
        inc,
        1,
      );
      expect(other.graph().tasks.map((task) => task.name)).to.deep.equal([
        'inc',
        'twin',
        'inc_2',
        'inc_3',
      ]);
      expect(late.name).to.equal('inc_3');
      const result = await other.invoke(1);
      expect(result.toObject()).to.deep.equal({ inc: 2, twin: 2, inc_2: 2, inc_3: 2 });
      expect(late.extractResult(result)).to.equal(2);
    });

    it('names addImmediateNode, not addNode, in the errors of addImmediateNode', () => {
      const tm = buildDag({ name: 'imm' });
      tm.addImmediateNode(1, { name: 'rate' });
      const messages = [
        () => tm.addImmediateNode(2, null as never),
        () => tm.addImmediateNode(2, new Map([['name', 'rate2']]) as never),
        () => tm.addImmediateNode(2, { name: 'rate' }),
        () => tm.addImmediateNode(2, { name: 7 as never }),
        // Typed as { name }, and nothing else applies: the value is given.
        () => tm.addImmediateNode(2, { name: 'config', retries: 2 } as never),
        () => tm.addImmediateNode(2, { fallback: () => 0 } as never),
      ].map((add) => definitionError(add, 'INVALID_TASK').message);
      expect(messages).to.deep.equal([
        'imm: addImmediateNode: options must be an object, got null.',
        'imm: addImmediateNode: options must be an object, got a Map.',
        'imm: addImmediateNode: the name "rate" is taken by another node of this DAG; node names are unique.',
        'imm: addImmediateNode: option "name" must be a non-empty string, got 7.',
        'imm: addImmediateNode: option "retries" does not apply to an immediate node, whose value ' +
          'is given: its only option is "name".',
        'imm: addImmediateNode: option "fallback" does not apply to an immediate node, whose ' +
          'value is given: its only option is "name".',
      ]);
      expect(tm.graph().tasks.map((task) => task.name)).to.deep.equal(['rate']);
    });

    it('rejects a node of another builder as an argument, at once, naming both', () => {
      const first = buildDag({ name: 'first' });
      const second = buildDag({ name: 'second' });
      const foreign = first.addNode({ name: 'foreign' }, () => 1);
      const error = definitionError(
        () => second.addNode({ name: 'mine' }, inc, foreign as never),
        'INVALID_TASK',
      );
      expect(error.message).to.equal(
        'second: addNode: argument 1 of node "mine" is node "foreign" of another DAG. ' +
          'A node can only take nodes of its own DAG.',
      );
      expect(error.workflow).to.equal('second');
      definitionError(() => second.validate(), 'NO_TASKS');
    });

    it('takes a DagNode made with new, not by addNode, as a constant: it cannot form a cycle', async () => {
      const tm = buildDag({ name: 'forged' });
      for (const index of [0, 5, -1]) {
        const forged = new DagNode<number>('ghost', tm, index);
        tm.addNode({ name: `takes${index}` }, (value: unknown) => value === forged, forged);
      }
      expect(tm.graph().tasks.map((task) => task.dependsOn)).to.deep.equal([[], [], []]);
      expect((await tm.invoke()).toObject()).to.deep.equal({
        takes0: true,
        takes5: true,
        'takes-1': true,
      });
    });

    it('rejects invalid buildDag options', () => {
      expect(() => buildDag({ name: '' })).to.throw(TypeError, /"name" must be a non-empty string/);
      expect(() => buildDag({ nmae: 'x' } as never)).to.throw(TypeError, /unknown option "nmae"/);
      // As for every other misspelt option: a close match is offered, else the one option there is.
      expect(() => buildDag({ nmae: 'x' } as never)).to.throw(
        TypeError,
        'buildDag: unknown option "nmae". Did you mean "name"?',
      );
      expect(() => buildDag({ title: 'x' } as never)).to.throw(
        TypeError,
        'buildDag: unknown option "title". Its only option is "name".',
      );
      expect(() => buildDag(null as never)).to.throw(TypeError, /must be an object/);
      expect(() => buildDag(42 as never)).to.throw(
        TypeError,
        'buildDag: options must be an object, got 42.',
      );
      expect(() => buildDag('x' as never)).to.throw(
        TypeError,
        'buildDag: options must be an object, got "x". To name the DAG, write ' +
          'buildDag({ name: "x" }).',
      );
      expect(() => buildDag('' as never)).to.throw(
        TypeError,
        /^buildDag: options must be an object, got ""\.$/,
      );
      expect(() => buildDag(new Map([['name', 'x']]) as never)).to.throw(
        TypeError,
        'buildDag: options must be an object, got a Map.',
      );
      expect(() => buildDag(Promise.resolve({ name: 'x' }) as never)).to.throw(
        TypeError,
        'buildDag: options must be an object, got a promise. Await it first.',
      );
      const boom = new Error('trap boom');
      // The seed's build_dag(int), ported word for word: the type is a type argument in TypeScript.
      for (const type of [Number, String, class Input {}]) {
        expect(() => buildDag(type as never)).to.throw(
          TypeError,
          "buildDag: options must be an object, got a function. The parameter's type is a type " +
            'argument, not an argument: buildDag<number>() where Python writes build_dag(int).',
        );
      }
      const trapped = new Proxy(
        {},
        {
          get: () => {
            throw boom;
          },
        },
      );
      expect(() => buildDag(trapped))
        .to.throw(TypeError, 'buildDag: options could not be read: trap boom')
        .with.property('cause', boom);
    });

    it("points the seed's snake_case names, ported word for word (plain JavaScript), to async-dag's", async () => {
      const tm = buildDag<number>({ name: 'seed' });
      const seed = tm as unknown as Record<string, unknown>;
      // tm.parameter_node read undefined, a constant: the node got undefined, and returned NaN.
      expect(() => seed.parameter_node)
        .to.throw(TypeError)
        .with.property(
          'message',
          "seed: tm.parameter_node is the Python seed's name; in async-dag it is tm.parameterNode.",
        );
      expect(() => (seed.add_node as (...args: unknown[]) => unknown)(inc, tm.parameterNode))
        .to.throw(TypeError)
        .with.property(
          'message',
          "seed: tm.add_node() is the Python seed's name; in async-dag it is tm.addNode().",
        );
      expect(() => (seed.add_immediate_node as (value: unknown) => unknown)(1)).to.throw(
        TypeError,
        "seed: tm.add_immediate_node() is the Python seed's name; in async-dag it is " +
          'tm.addImmediateNode().',
      );
      const node = tm.addNode(inc, tm.parameterNode);
      const result = await tm.invoke(1);
      expect(() =>
        (node as unknown as { extract_result: (r: unknown) => unknown }).extract_result(result),
      ).to.throw(
        TypeError,
        "seed: node.extract_result() is the Python seed's name; in async-dag it is " +
          'node.extractResult().',
      );
      // Read through what is no builder (a Proxy whose traps throw, too), it names no DAG.
      const unreadable = new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error('trap refused');
          },
        },
      );
      for (const receiver of [{}, unreadable]) {
        expect(() => Reflect.get(tm, 'parameter_node', receiver)).to.throw(
          TypeError,
          /^tm\.parameter_node is the Python seed's name/,
        );
      }
      // Nothing of them shows: not in keys, JSON or a log, and no node was added.
      expect(Object.keys(tm)).not.to.include('add_node');
      expect(JSON.stringify(tm)).to.equal('{"name":"seed","nodes":["inc"],"sealed":true}');
      expect(inspect(node)).to.equal("DagNode { name: 'inc' }");
    });

    it("says the param is result.param when tm.parameterNode is read as the seed's parameter node", async () => {
      // The seed's tm.parameter_node is a node with extract_result; here it is the PARAM token, and
      // tm.parameterNode.extractResult(result) was the engine's "… is not a function".
      const tm = buildDag<number>({ name: 'seed' });
      tm.addNode(inc, tm.parameterNode);
      const result = await tm.invoke(1);
      const token = tm.parameterNode as unknown as Record<string, (r: unknown) => unknown>;
      const message =
        'tm.parameterNode (PARAM) is an input token, not a node: it has no result of its own. ' +
        "A run's parameter is result.param.";
      expect(() => token.extractResult(result)).to.throw(TypeError, message);
      expect(() => token.extract_result(result)).to.throw(TypeError, message);
      expect(result.param).to.equal(1);
      // Nothing of it shows: the token prints, compares and serialises as before.
      expect(Object.keys(PARAM)).to.deep.equal(['token', 'toString']);
      expect(inspect(PARAM)).not.to.contain('extractResult');
      expect(JSON.stringify(PARAM)).to.equal('{"token":"PARAM"}');
      expect(Object.isFrozen(PARAM)).to.equal(true);
    });

    it('lets a shim give the seed names a value, on one builder or on every one', async () => {
      const tm = buildDag<number>({ name: 'shimmed' });
      const seed = tm as unknown as Record<string, unknown>;
      seed.add_node = tm.addNode.bind(tm);
      const node = (seed.add_node as typeof tm.addNode)(inc, tm.parameterNode);
      expect(node.extractResult(await tm.invoke(1))).to.equal(2);
      expect(() => (buildDag() as unknown as Record<string, unknown>).add_node).to.throw(
        TypeError,
        /Python seed's name/,
      );
      const prototype = Object.getPrototypeOf(tm) as Record<string, unknown>;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, 'parameter_node')!;
      try {
        prototype.parameter_node = 'shim';
        expect((buildDag() as unknown as Record<string, unknown>).parameter_node).to.equal('shim');
      } finally {
        Object.defineProperty(prototype, 'parameter_node', descriptor);
      }
      expect(() => (buildDag() as unknown as Record<string, unknown>).parameter_node).to.throw(
        TypeError,
      );
    });
  });

  describe('sealing', () => {
    for (const method of ['invoke', 'stream', 'graph', 'validate', 'toMermaid'] as const) {
      it(`is sealed by ${method}(): a later addNode or addImmediateNode throws SEALED`, async () => {
        const tm = buildDag();
        tm.addNode(() => 1);
        const used = tm[method]();
        if (used instanceof Promise) await used;
        if (used instanceof WorkflowStream) await used.result;
        const error = definitionError(() => tm.addNode(() => 2), 'SEALED');
        expect(error.message).to.contain('addNode() after the DAG was sealed');
        definitionError(() => tm.addImmediateNode(3), 'SEALED');
        expect(tm.graph().tasks).to.have.length(1);
      });
    }

    it('is sealed by a first invoke() or stream() whose options are rejected', async () => {
      const invoked = buildDag();
      const node = invoked.addNode(() => 1);
      await rejectionOf(invoked.invoke(undefined, { concurrency: 0 }), WorkflowOptionsError);
      definitionError(() => invoked.addNode(() => 2), 'SEALED');
      expect(node.extractResult(await invoked.invoke())).to.equal(1);

      const streamed = buildDag();
      streamed.addNode(() => 1);
      expect(() => streamed.stream(undefined, { concurrency: 0 })).to.throw(WorkflowOptionsError);
      definitionError(() => streamed.addImmediateNode(2), 'SEALED');
    });

    it('is not sealed by an empty DAG being used: NO_TASKS, and nodes can still be added', async () => {
      const tm = buildDag({ name: 'empty' });
      const error = definitionError(() => tm.validate(), 'NO_TASKS');
      expect(error.message).to.equal(
        'empty: the DAG has no nodes. Add nodes with addNode() or addImmediateNode() before using it.',
      );
      const rejection = await rejectionOf(tm.invoke(), WorkflowDefinitionError);
      expect(rejection.code).to.equal('NO_TASKS');
      const node = tm.addNode(() => 'late');
      expect(node.extractResult(await tm.invoke())).to.equal('late');
    });
  });

  describe('arguments', () => {
    it('passes the invocation parameter for tm.parameterNode', async () => {
      const tm = buildDag<string>();
      const greeting = tm.addNode((name: string) => `Hello, ${name}`, tm.parameterNode);
      expect(greeting.extractResult(await tm.invoke('Ada'))).to.equal('Hello, Ada');
      expect(greeting.extractResult(await tm.invoke('Grace'))).to.equal('Hello, Grace');
    });

    it('passes constants unchanged to every invocation, never as nodes', async () => {
      const shared = { calls: 0 };
      const tm = buildDag<number>();
      const node = tm.addNode(
        (n: number, label: string, box: { calls: number }, nothing: undefined) => {
          box.calls++;
          return `${label}:${n}:${String(nothing)}`;
        },
        tm.parameterNode,
        'n',
        shared,
        undefined,
      );
      expect(node.extractResult(await tm.invoke(1))).to.equal('n:1:undefined');
      expect(node.extractResult(await tm.invoke(2))).to.equal('n:2:undefined');
      expect(shared.calls).to.equal(2);
      expect(tm.graph().tasks.map((task) => task.name)).to.deep.equal(['task']);
    });

    it('passes a node listed twice twice', async () => {
      const tm = buildDag<number>();
      const a = tm.addNode(inc, tm.parameterNode);
      const doubled = tm.addNode(add, a, a);
      expect(doubled.extractResult(await tm.invoke(1))).to.equal(4);
      expect(tm.graph().tasks[1].dependsOn).to.deep.equal(['inc']);
    });

    it('adds immediate nodes whose result is the value, awaited', async () => {
      const tm = buildDag<number>();
      const rate = tm.addImmediateNode(0.5);
      const later = tm.addImmediateNode(Promise.resolve(10), { name: 'later' });
      const scaled = tm.addNode(
        (n: number, r: number, l: number) => n * r + l,
        tm.parameterNode,
        rate,
        later,
      );
      const result = await tm.invoke(4);
      expect([rate.name, later.name]).to.deep.equal(['immediate', 'later']);
      expect(rate.extractResult(result)).to.equal(0.5);
      expect(later.extractResult(result)).to.equal(10);
      expect(scaled.extractResult(result)).to.equal(12);
    });

    it('fails an immediate node of a rejected promise in the run, never as an unhandled rejection', async () => {
      const unhandled = recordProcessEvents('unhandledRejection');
      try {
        const failure = new Error('config unavailable');
        const tm = buildDag({ name: 'imm' });
        const config = tm.addImmediateNode(Promise.reject(failure), { name: 'config' });
        const seen = tm.addNode(
          { name: 'seen', when: 'allSettled' },
          (settled: unknown) => settled,
          config,
        );
        await sleep(5); // long enough for Node.js to report a rejection nobody handles
        expect(unhandled.received).to.deep.equal([]);
        const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
        expect(error.task).to.equal('config');
        expect(error.cause).to.equal(failure);
        expect(seen.extractResult(error.result)).to.deep.equal({
          status: 'failed',
          error: failure,
        });
        const again = await rejectionOf(tm.invoke(), WorkflowExecutionError);
        expect(again.cause).to.equal(failure);
        await settle();
        expect(unhandled.received).to.deep.equal([]);
      } finally {
        unhandled.stop();
      }
    });

    it('makes tm.parameterNode the PARAM token, so either passes the invocation parameter', async () => {
      const tm = buildDag<number>();
      expect(tm.parameterNode).to.equal(PARAM);
      const viaNode = tm.addNode(inc, tm.parameterNode);
      const viaToken = tm.addNode(inc, PARAM);
      const result = await tm.invoke(1);
      expect([viaNode.extractResult(result), viaToken.extractResult(result)]).to.deep.equal([2, 2]);
    });

    it('makes no graph edge of a token: only nodes given as arguments are dependencies', () => {
      const tm = buildDag<number>();
      const first = tm.addNode(
        { name: 'first' },
        (_n: number, _signal: AbortSignal, _ctx: TaskContext) => 1,
        tm.parameterNode,
        SIGNAL,
        CONTEXT,
      );
      tm.addNode({ name: 'second' }, (_first: number, n: number) => n, first, PARAM);
      expect(tm.graph().tasks).to.deep.equal([
        { name: 'first', dependsOn: [], dependents: ['second'] },
        { name: 'second', dependsOn: ['first'], dependents: [] },
      ]);
      expect(tm.graph().roots).to.deep.equal(['first']);
    });

    it('calls a function with exactly its arguments: nodes, tokens and constants, no more', async () => {
      const tm = buildDag<number>();
      const none = tm.addNode((...inputs: unknown[]) => inputs.length);
      const all = tm.addNode(
        (...inputs: unknown[]) => [
          inputs.length,
          inputs[0],
          inputs[1],
          inputs[2] instanceof AbortSignal,
          (inputs[3] as TaskContext).task,
          inputs[4],
        ],
        none,
        tm.parameterNode,
        SIGNAL,
        CONTEXT,
        'constant',
      );
      const result = await tm.invoke(7);
      expect(none.extractResult(result)).to.equal(0);
      expect(all.extractResult(result)).to.deep.equal([5, 0, 7, true, 'task_2', 'constant']);
    });

    it("emits a node's ctx.progress() as taskProgress, to the stream and to onTaskProgress", async () => {
      const tm = buildDag<number>({ name: 'progress' });
      tm.addNode(
        { name: 'rows' },
        (count: number, ctx: TaskContext) => {
          for (let done = 1; done <= count; done++) ctx.progress({ done });
          return count;
        },
        tm.parameterNode,
        CONTEXT,
      );
      const hooked: unknown[] = [];
      const stream = tm.stream(2, {
        hooks: { onTaskProgress: ({ task, attempt, data }) => hooked.push([task, attempt, data]) },
      });
      const streamed: unknown[] = [];
      for await (const event of stream) {
        if (event.type === 'taskProgress') streamed.push([event.task, event.data]);
      }
      expect(streamed).to.deep.equal([
        ['rows', { done: 1 }],
        ['rows', { done: 2 }],
      ]);
      expect(hooked).to.deep.equal([
        ['rows', 1, { done: 1 }],
        ['rows', 1, { done: 2 }],
      ]);
    });

    it('calls functions with this undefined', async () => {
      const tm = buildDag();
      const seen = tm.addNode(function (this: unknown) {
        return this;
      });
      expect(seen.extractResult(await tm.invoke())).to.equal(undefined);
    });

    it('calls every shape of function as written: bound, defaults, rest, destructuring, thenables', async () => {
      class Prices {
        constructor(readonly rate: number) {}
        scale(n: number) {
          return n * this.rate;
        }
      }
      const prices = new Prices(3);
      const tm = buildDag<number>();
      const scale = prices.scale.bind(prices);
      const bound = tm.addNode(scale, tm.parameterNode);
      const wrapped = tm.addNode((n: number) => prices.scale(n), tm.parameterNode);
      const defaulted = tm.addNode((n: number, step: number = 10) => n + step, tm.parameterNode);
      const rest = tm.addNode((...values: number[]) => values, bound, wrapped, 1);
      const destructured = tm.addNode(
        ({ a, b = 2 }: { a: number; b?: number }, [first]: number[]) => a + b + first,
        { a: 1 },
        [100],
      );
      const thenable = tm.addNode(
        (n: number) => ({ then: (resolve: (value: number) => void) => resolve(n * 100) }),
        tm.parameterNode,
      );
      // An async generator function returns its generator, unstarted: a later node consumes it.
      const pages = tm.addNode(async function* pages(count: number) {
        for (let page = 1; page <= count; page++) yield page;
      }, tm.parameterNode);
      const collected = tm.addNode(async (generator: AsyncGenerator<number>) => {
        const all: number[] = [];
        for await (const page of generator) all.push(page);
        return all;
      }, pages);
      const result = await tm.invoke(2);
      const typed: number = thenable.extractResult(result);
      expect(typed).to.equal(200);
      expect(bound.name).to.equal('scale');
      expect(
        [bound, wrapped, defaulted, destructured, thenable].map((node) =>
          node.extractResult(result),
        ),
      ).to.deep.equal([6, 6, 12, 103, 200]);
      expect(rest.extractResult(result)).to.deep.equal([6, 6, 1]);
      expect(collected.extractResult(result)).to.deep.equal([1, 2]);
    });

    it('passes the attempt signal for SIGNAL and a TaskContext for CONTEXT', async () => {
      const tm = buildDag<number>();
      let contextSignal: AbortSignal | undefined;
      const node = tm.addNode(
        { name: 'watched', retries: 1 },
        (n: number, signal: AbortSignal, ctx: TaskContext) => {
          contextSignal = ctx.signal;
          if (ctx.attempt === 1) throw new Error('first attempt fails');
          return { n, same: signal === ctx.signal, task: ctx.task, attempt: ctx.attempt };
        },
        tm.parameterNode,
        SIGNAL,
        CONTEXT,
      );
      const result = await tm.invoke(3);
      expect(node.extractResult(result)).to.deep.equal({
        n: 3,
        same: true,
        task: 'watched',
        attempt: 2,
      });
      expect(contextSignal?.aborted).to.equal(false);
    });
  });

  describe('invoking', () => {
    it('runs the seed example with its started/done order and results 1 and 4', async () => {
      const log = new EventLog();
      const step = async (n: number, name: string, ms: number) => {
        log.start(name);
        await sleep(ms);
        log.end(name);
        return n;
      };
      const incTask = async (n: number, name: string, ms: number) => 1 + (await step(n, name, ms));
      const addTask = async (a: number, b: number, name: string, ms: number) =>
        (await step(a, name, ms)) + b;
      const tm = buildDag<number>();
      const fastTaskA = tm.addNode(incTask, tm.parameterNode, 'fast_task_a', 25);
      const slowTaskB = tm.addNode(incTask, fastTaskA, 'slow_task_b', 250);
      const slowTaskA = tm.addNode(incTask, tm.parameterNode, 'slow_task_a', 125);
      const fastTaskB = tm.addNode(incTask, tm.parameterNode, 'fast_task_b', 50);
      const fastTaskC = tm.addNode(addTask, slowTaskA, fastTaskB, 'fast_task_c', 25);
      const endTask = tm.addNode(
        { name: 'endTask' },
        addTask,
        fastTaskC,
        slowTaskB,
        'end_task',
        25,
      );
      // On fake timers, fired in time order: on real ones, a process held up for ~125 ms between
      // fast_task_a's end and slow_task_a's (a loaded machine) ended fast_task_c after slow_task_b.
      const result = await withTimersInOrder(() => tm.invoke(0));
      expect(fastTaskA.extractResult(result)).to.equal(1);
      expect(endTask.extractResult(result)).to.equal(4);
      expect(log.events).to.deep.equal(SEED_EVENTS);
    });

    it("names its nodes when a result is asked for a seed argument's name, which names no node", async () => {
      // The seed passes "fast_task_a" to inc_task as an argument; the node is named after incTask.
      const incTask = (n: number, _name: string) => n + 1;
      const tm = buildDag<number>();
      const fastTaskA = tm.addNode(incTask, tm.parameterNode, 'fast_task_a');
      tm.addNode(incTask, fastTaskA, 'slow_task_b');
      const result = await tm.invoke(0);
      expect(() => result.get('fast_task_a')).to.throw(
        TaskResultError,
        'dag: "fast_task_a" is not a task. Tasks: incTask, incTask_2.',
      );
    });

    it('is invoked many times, concurrently, and runs share nothing', async () => {
      const tm = buildDag<number>();
      const slow = tm.addNode(async (n: number) => {
        await settle();
        return n * 10;
      }, tm.parameterNode);
      const results = await Promise.all(Array.from({ length: 50 }, (_, n) => tm.invoke(n)));
      expect(results.map((result) => slow.extractResult(result))).to.deep.equal(
        Array.from({ length: 50 }, (_, n) => n * 10),
      );
    });

    it('takes every InvokeOptions field, with targets as nodes or names', async () => {
      const started: string[] = [];
      const tm = buildDag<number>({ name: 'options' });
      const a = tm.addNode({ name: 'a' }, inc, tm.parameterNode);
      const b = tm.addNode({ name: 'b' }, inc, a);
      const c = tm.addNode({ name: 'c' }, inc, a);
      const result = await tm.invoke(1, {
        targets: [b],
        concurrency: 1,
        overrides: { a: (n: number) => n * 100 },
        hooks: { onTaskStart: ({ task }) => started.push(task) },
        failFast: true,
        signal: new AbortController().signal,
      });
      expect(b.extractResult(result)).to.equal(101);
      expect(result.has('c')).to.equal(false);
      expect(() => c.extractResult(result)).to.throw(
        TaskResultError,
        /not among this run's targets/,
      );
      expect(started).to.deep.equal(['a', 'b']);
      const byName = await tm.invoke(1, { targets: ['c'] });
      expect(byName.toObject()).to.deep.equal({ a: 2, c: 3 });
    });

    it("says to key overrides by a node's name when a node is used as the key", async () => {
      const tm = buildDag<number>({ name: 'keyed' });
      const a = tm.addNode({ name: 'a' }, inc, tm.parameterNode);
      // `{ [a]: fn }` from JavaScript: the key is the string "[object Object]".
      const overrides = { [a as never]: (n: number) => n * 100 };
      const error = await rejectionOf(tm.invoke(1, { overrides }), WorkflowOptionsError);
      expect(error.message).to.equal(
        'keyed: invalid option "overrides": "[object Object]" is not a task of keyed. An object ' +
          'used as a key is "[object Object]": key by the name, as in { [node.name]: … }.',
      );
      const result = await tm.invoke(1, { overrides: { [a.name]: (n: number) => n * 100 } });
      expect(a.extractResult(result)).to.equal(100);
    });

    it('says to put a lone node given as targets (from JavaScript) in an array', async () => {
      const tm = buildDag();
      const only = tm.addNode({ name: 'only' }, () => 1);
      tm.addNode({ name: 'other' }, () => 2);
      const error = await rejectionOf(
        tm.invoke(undefined, { targets: only as never }),
        WorkflowOptionsError,
      );
      expect(error.message).to.equal(
        'dag: invalid option "targets": must be a non-empty array of task names or nodes, got ' +
          'node "only". Put it in an array: targets: [node].',
      );
      const foreign = buildDag().addNode({ name: 'foreign' }, () => 1);
      const foreignError = await rejectionOf(
        tm.invoke(undefined, { targets: foreign as never }),
        WorkflowOptionsError,
      );
      expect(foreignError.message).to.equal(
        'dag: invalid option "targets": node "foreign" belongs to another DAG.',
      );
    });

    it('rejects a node of another DAG among the targets', async () => {
      const tm = buildDag();
      tm.addNode(() => 1);
      const other = buildDag({ name: 'other' });
      const foreign = other.addNode({ name: 'foreign' }, () => 1);
      const error = await rejectionOf(
        tm.invoke(undefined, { targets: [foreign] }),
        WorkflowOptionsError,
      );
      expect(error.message).to.equal(
        'dag: invalid option "targets": node "foreign" belongs to another DAG.',
      );
    });

    it('reports options it cannot read as WorkflowOptionsError naming the option, as for a class', async () => {
      const tm = buildDag({ name: 'Flow' });
      tm.addNode({ name: 'a' }, () => 1);
      const throwingTargets = () => ({
        get targets(): never {
          throw new Error('getter boom');
        },
      });
      const revoked = () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      };
      for (const [make, option, message] of [
        [
          throwingTargets,
          'targets',
          'Flow: invalid option "targets": could not be read: getter boom',
        ],
        [
          revoked,
          'options',
          'Flow: invalid option "options": could not be read: ' +
            "Cannot perform 'ownKeys' on a proxy that has been revoked",
        ],
      ] as const) {
        const rejection = await rejectionOf(tm.invoke(undefined, make()), WorkflowOptionsError);
        expect([rejection.option, rejection.message]).to.deep.equal([option, message]);
        expect(rejection.cause).to.be.instanceOf(Error);
        let thrown: unknown;
        try {
          tm.stream(undefined, make());
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(WorkflowOptionsError);
        expect([(thrown as WorkflowOptionsError).option, (thrown as Error).message]).to.deep.equal([
          option,
          message,
        ]);
      }
    });

    it('reads inherited and frozen options with node targets, as with name targets', async () => {
      const tm = buildDag<number>({ name: 'inherit' });
      const a = tm.addNode({ name: 'a' }, inc, tm.parameterNode);
      const b = tm.addNode({ name: 'b' }, inc, a);
      tm.addNode({ name: 'c' }, inc, a);
      for (const targets of [['b'], [b]]) {
        const started: string[] = [];
        const defaults = {
          overrides: { a: (n: number) => n * 100 },
          hooks: { onTaskStart: ({ task }: { task: string }) => started.push(task) },
        };
        const options = Object.assign(Object.create(defaults) as typeof defaults, { targets });
        const result = await tm.invoke(1, options);
        expect(result.toObject()).to.deep.equal({ a: 100, b: 101 });
        expect(started).to.deep.equal(['a', 'b']);
      }
      const frozen = Object.freeze({ targets: Object.freeze([b]) });
      expect((await tm.invoke(2, frozen)).toObject()).to.deep.equal({ a: 3, b: 4 });
      const misspelt = await rejectionOf(
        tm.invoke(1, { targets: [b], concurency: 1 } as never),
        WorkflowOptionsError,
      );
      expect(misspelt.message).to.equal(
        'inherit: invalid option "concurency": unknown option. Did you mean "concurrency"?',
      );
    });

    it('fails like a class: WorkflowExecutionError naming the DAG and the node, retries, timeouts', async () => {
      let attempts = 0;
      const tm = buildDag({ name: 'orders' });
      const flaky = tm.addNode({ name: 'flaky', retries: 2 }, () => {
        if (++attempts < 3) throw new Error('not yet');
        return attempts;
      });
      // After flaky: its retries, however slow on a loaded machine, are over before the timeout.
      tm.addNode({ name: 'slow', timeout: 10 }, (_: number) => new Promise(() => {}), flaky);
      const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
      // The task's own timeout: said once, not quoted after "failed:" with the names again.
      expect(error.message).to.equal('orders: task "slow" timed out after 10 ms');
      expect(() => error.result.get('slow')).to.throw(
        'orders: task "slow" timed out in this run after 10 ms',
      );
      expect(error.result.get('flaky')).to.equal(3);
      expect(error.result.trace.map((entry) => [entry.task, entry.attempts])).to.deep.equal([
        ['flaky', 3],
        ['slow', 1],
      ]);
    });

    it('quotes a timeout that is not the failed task’s own after "failed:", as any error', async () => {
      // A body that rethrows a timeout from elsewhere (another DAG's, another node's) failed with it.
      const elsewhere = new TaskTimeoutError('inventory', 'reserve', 50);
      const tm = buildDag({ name: 'orders' });
      tm.addNode({ name: 'ship' }, () => Promise.reject(elsewhere));
      const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
      expect(error.message).to.equal(
        'orders: task "ship" failed: inventory: task "reserve" timed out after 50 ms',
      );
      expect(() => error.result.get('ship')).to.throw(
        'task "ship" failed in this run: inventory: task "reserve" timed out after 50 ms',
      );
    });
  });

  describe('extracting results', () => {
    it('reads its own node, typed, and refuses a result of another DAG with the same names', async () => {
      const build = () => {
        const tm = buildDag();
        return { tm, node: tm.addNode({ name: 'same' }, () => 1) };
      };
      const first = build();
      const second = build();
      const result = await first.tm.invoke();
      expect(first.node.extractResult(result)).to.equal(1);
      expect(() => second.node.extractResult(result))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: node "same" cannot read a result of another DAG (this result is a run of "dag").',
        );
    });

    it("reads its node when passed on as a function, as the seed's bound extract_result does", async () => {
      const tm = buildDag<number>();
      const doubled = tm.addNode((n: number) => n * 2, tm.parameterNode);
      expect(await tm.invoke(21).then(doubled.extractResult)).to.equal(42);
      const results = await Promise.all([tm.invoke(1), tm.invoke(2)]);
      expect(results.map(doubled.extractResult)).to.deep.equal([2, 4]);
      const { extractResult } = doubled;
      expect(extractResult(results[1]!)).to.equal(4);
    });

    it('points result.get given a node (plain JavaScript) to extractResult', async () => {
      const tm = buildDag();
      const node = tm.addNode({ name: 'one' }, () => 1);
      const result = await tm.invoke();
      expect(() => result.get(node as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: expected a task name (a string), got an object. A node of buildDag() reads its ' +
            'value with node.extractResult(result), or get(node.name).',
        );
      // Any other object gets no such advice, and one whose members throw gets the plain message.
      expect(() => result.get({} as never)).to.throw(TaskResultError, /got an object\.$/);
      const hostile = new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
        },
      );
      expect(() => result.get(hostile as never)).to.throw(TaskResultError, /got an object\.$/);
    });

    it('points result.get given tm.parameterNode (plain JavaScript) to result.param', async () => {
      // The seed's parameter_node is a node whose value a run holds; here it is the PARAM token.
      const tm = buildDag<number>();
      tm.addNode({ name: 'one' }, (n: number) => n, tm.parameterNode);
      const result = await tm.invoke(1);
      expect(() => result.get(tm.parameterNode as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          "dag: expected a task name (a string), got the PARAM token. A run's parameter is " +
            'result.param.',
        );
      expect(() => result.get(SIGNAL as never)).to.throw(
        TaskResultError,
        /^dag: expected a task name \(a string\), got the SIGNAL token\.$/,
      );
    });

    it('refuses a result of a class workflow, and a value that is not a result', async () => {
      class Same {
        @Task() same() {
          return 1;
        }
      }
      const tm = buildDag();
      const node = tm.addNode({ name: 'same' }, () => 1);
      await tm.invoke();
      const classResult = await Workflow.invoke(new Same());
      expect(() => node.extractResult(classResult)).to.throw(TaskResultError, /run of "Same"/);
      expect(() => node.extractResult({} as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: node "same" needs an ExecutionResult (what invoke resolves with), got an object.',
        );
      expect(() => node.extractResult(null as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: node "same" needs an ExecutionResult (what invoke resolves with), got null.',
        );
      // The slip of JavaScript, where nothing checks the type: a run not awaited.
      expect(() => node.extractResult(tm.invoke() as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: node "same" needs an ExecutionResult (what invoke resolves with), got a promise. ' +
            'Await it first: the promise of a run resolves with its result.',
        );
      // A stream of a run, in place of its result.
      const stream = tm.stream();
      expect(() => node.extractResult(stream as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: node "same" needs an ExecutionResult (what invoke resolves with), got an object. ' +
            "That is a WorkflowStream: its run's result is await stream.result.",
        );
      node.extractResult(await stream.result);
    });

    it('refuses a Proxy of its own result with the same error, not a private-field TypeError', async () => {
      const tm = buildDag();
      const node = tm.addNode({ name: 'same' }, () => 1);
      const result = await tm.invoke();
      const { proxy, revoke } = Proxy.revocable(result, {});
      expect(() => node.extractResult(proxy)).to.throw(TaskResultError, 'needs an ExecutionResult');
      revoke();
      expect(() => node.extractResult(proxy)).to.throw(TaskResultError, 'needs an ExecutionResult');
    });

    it('throws TaskResultError for a node that failed, naming why', async () => {
      const tm = buildDag();
      const broken = tm.addNode({ name: 'broken' }, (): number => {
        throw new Error('boom');
      });
      const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
      expect(() => broken.extractResult(error.result)).to.throw(
        TaskResultError,
        'dag: task "broken" failed in this run: boom',
      );
    });

    it('points a run error given instead of its result to error.result, as the pictures do', async () => {
      const tm = buildDag();
      const fine = tm.addNode({ name: 'fine' }, () => 1);
      tm.addNode({ name: 'broken' }, (): number => {
        throw new Error('boom');
      });
      const error = await rejectionOf(tm.invoke(), WorkflowExecutionError);
      expect(() => fine.extractResult(error as never))
        .to.throw(TaskResultError)
        .with.property(
          'message',
          'dag: node "fine" needs an ExecutionResult (what invoke resolves with), got an object. ' +
            "A run error holds the run's result: pass error.result.",
        );
      expect(fine.extractResult(error.result)).to.equal(1);
    });
  });

  describe('a node as a value', () => {
    /** A DAG whose node holds a secret as a constant argument. */
    const secretsDag = () => {
      const tm = buildDag<string>({ name: 'secrets' });
      const fetchIt = tm.addNode(
        function fetchIt(key: string, url: string) {
          return `${url}&key=${key}`;
        },
        tm.parameterNode,
        'https://api.example/?token=SECRET-123',
      );
      return { tm, fetchIt };
    };

    it('prints and serialises as its name, never its DAG and the constants the DAG holds', async () => {
      const { tm, fetchIt } = secretsDag();
      // A node returned by mistake is a node's value: it reaches results and logs.
      const mistake = tm.addNode({ name: 'mistake' }, (_url: string) => fetchIt, fetchIt);
      const result = await tm.invoke('k');
      expect(inspect(fetchIt)).to.equal("DagNode { name: 'fetchIt' }");
      expect(inspect({ nodes: [fetchIt] })).to.equal("{ nodes: [ DagNode { name: 'fetchIt' } ] }");
      expect(inspect({ a: fetchIt }, { depth: 0 })).to.equal('{ a: [DagNode] }');
      expect(JSON.stringify(fetchIt)).to.equal('{"name":"fetchIt"}');
      expect(JSON.stringify(result.toObject())).to.equal(
        '{"fetchIt":"https://api.example/?token=SECRET-123&key=k","mistake":{"name":"fetchIt"}}',
      );
      expect(mistake.extractResult(result)).to.equal(fetchIt);
      expect(fetchIt.extractResult(result)).to.equal('https://api.example/?token=SECRET-123&key=k');
    });

    it('keeps its name: plain JavaScript cannot point a node at another node by renaming it', async () => {
      const tm = buildDag();
      const a = tm.addNode({ name: 'a' }, () => 'A');
      tm.addNode({ name: 'b' }, () => 'B');
      expect(() => {
        (a as { name: string }).name = 'b';
      }).to.throw(TypeError);
      const result = await tm.invoke(undefined, { targets: [a] });
      expect(result.toObject()).to.deep.equal({ a: 'A' });
      expect(a.extractResult(result)).to.equal('A');
    });

    it('a builder prints and serialises as its name, its nodes and whether it is sealed', async () => {
      const { tm, fetchIt } = secretsDag();
      tm.addNode({ name: 'length' }, (text: string) => text.length, fetchIt);
      expect(inspect(tm)).to.equal(
        "DagBuilder { name: 'secrets', nodes: [ 'fetchIt', 'length' ], sealed: false }",
      );
      expect(inspect({ dag: tm }, { depth: 0 })).to.equal('{ dag: [DagBuilder] }');
      await tm.invoke('k');
      expect(JSON.stringify(tm)).to.equal(
        '{"name":"secrets","nodes":["fetchIt","length"],"sealed":true}',
      );
      expect(JSON.stringify(tm)).not.to.contain('SECRET');
    });
  });
});

/** The compile errors of `lines`, a TypeScript file, each with its 1-based line in `lines`. */
function compileErrors(name: string, lines: readonly string[]) {
  const problems = typeCheckMarkdown([{ name, markdown: ['```ts', ...lines, '```'].join('\n') }]);
  // The block's first code line is line 2 of the Markdown.
  return problems.map((problem) => ({ ...problem, line: problem.line - 1 }));
}

/** The first lines of each compile-error file: the seed's builder, and one node `a` (lines 1–4). */
const SEED_PREAMBLE = [
  `import { buildDag } from 'async-dag';`,
  `declare function incTask(n: number, name: string, delay: number): Promise<number>;`,
  `const tm = buildDag<number>();`,
  `const a = tm.addNode(incTask, tm.parameterNode, 'fast_task_a', 0.1);`,
];

describe('buildDag compile errors', () => {
  it('say how many arguments a node takes, not that its function or options are amiss', function () {
    this.timeout(60_000); // one TypeScript program over src/
    const lines = [
      ...SEED_PREAMBLE,
      `tm.addNode(incTask, a, 'slow_task_b');`,
      `tm.addNode(incTask, a, 'slow_task_b', 1, 'extra');`,
      `tm.addNode(incTask, 'not a node', 'slow_task_b', 1);`,
      `tm.addNode(incTask, a);`,
      `tm.addNode({ retries: 1 }, incTask, a);`,
      `tm.addNode({ retries: 1 }, incTask, a, 'slow_task_b', 1, 'extra');`,
      `tm.addNode({ name: 'b' }, incTask, a, 'slow_task_b', 1);`,
    ];
    expect(
      compileErrors('arity', lines).map(({ line, code, message }) => [line, code, message]),
    ).to.deep.equal([
      [5, 2554, 'Expected 4 arguments, but got 3.'],
      [6, 2554, 'Expected 4 arguments, but got 5.'],
      [
        7,
        2345,
        `Argument of type 'string' is not assignable to parameter of type ` +
          `'NodeArgument<number, number, "allSucceeded">'.`,
      ],
      // One argument given: the function is no options object, and the node is no function.
      [8, 2554, 'Expected 4 arguments, but got 2.'],
      // With options, the count includes them: not that the options are no function.
      [9, 2554, 'Expected 5 arguments, but got 3.'],
      [10, 2554, 'Expected 5 arguments, but got 6.'],
    ]);
  });

  it('say what is wrong in options or after them, not that no overload matches', function () {
    this.timeout(60_000); // one TypeScript program over src/
    const lines = [
      ...SEED_PREAMBLE,
      `tm.addNode({ name: 'c', retires: 2 }, incTask, a, 'slow_task_c', 1);`,
      `tm.addNode({ fallback: () => 'n/a' }, incTask, a, 'slow_task_c', 1);`,
      `tm.addNode({ when: 'noneFailed' }, incTask, a, 'slow_task_c', 1);`,
      `tm.addNode({ retries: 1 }, incTask, 'not a node', 'slow_task_c', 1);`,
    ];
    const problems = compileErrors('options', lines);
    // A message's first line says what is wrong, the lines under it how.
    expect(
      problems.map(({ line, code, message }) => [line, code, message.split('\n')[0]]),
    ).to.deep.equal([
      [
        5,
        2561,
        `Object literal may only specify known properties, but 'retires' does not exist in type ` +
          `'${problems[0]?.message.split("in type '")[1]?.split("'. Did you mean")[0]}'. ` +
          `Did you mean to write 'retries'?`,
      ],
      [
        6,
        2322,
        `Type '() => "n/a"' is not assignable to type '(error: unknown, signal: AbortSignal) => ` +
          `number | Promise<number> | PromiseLike<Promise<number>> | PromiseLike<number>'.`,
      ],
      [
        7,
        2345,
        `Argument of type 'DagNode<number>' is not assignable to parameter of type ` +
          `'NodeArgument<number, number, "noneFailed">'.`,
      ],
      [
        8,
        2345,
        `Argument of type 'string' is not assignable to parameter of type ` +
          `'NodeArgument<number, number, "allSucceeded">'.`,
      ],
    ]);
  });
});

describe('buildDag with values it cannot inspect', () => {
  it('passes a revoked Proxy or a throwing Proxy as a constant, without touching it', async () => {
    for (const [label, value] of hostileValues()) {
      const tm = buildDag({ name: label });
      const node = tm.addNode((received: unknown) => Object.is(received, value), value);
      expect(node.extractResult(await tm.invoke())).to.equal(true);
    }
  });

  it('takes a revoked Proxy or a throwing Proxy as an immediate value, without touching it', async () => {
    for (const [label, value] of hostileValues()) {
      const tm = buildDag({ name: label });
      const immediate = tm.addImmediateNode(value, { name: 'value' });
      expect(immediate.name).to.equal('value');
    }
  });

  it('adds a function whose name cannot be read: named "task", or as options.name says', async () => {
    const tm = buildDag({ name: 'wrapped' });
    const nameThrows = () => 1;
    Object.defineProperty(nameThrows, 'name', {
      get() {
        throw new Error('name getter refused');
      },
    });
    const trapThrows = new Proxy(() => 2, {
      get(target, key, receiver) {
        if (key === 'name') throw new Error('get trap refused');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const { proxy: revoked, revoke } = Proxy.revocable(() => 3, {});
    revoke();
    const nameNotText = () => 4;
    Object.defineProperty(nameNotText, 'name', { value: 42 });
    expect(tm.addNode(nameThrows).name).to.equal('task');
    expect(tm.addNode(trapThrows).name).to.equal('task_2');
    expect(tm.addNode(nameNotText).name).to.equal('task_3');
    expect(tm.addNode({ name: 'named' }, trapThrows).name).to.equal('named');
    expect(tm.addNode({ name: 'revoked' }, revoked).name).to.equal('revoked');
    // A revoked Proxy cannot be called: that node fails when it runs, as any throwing node does.
    const error = await rejectionOf(
      tm.invoke(undefined, { targets: ['revoked'] }),
      WorkflowExecutionError,
    );
    expect(error.task).to.equal('revoked');
    const result = await tm.invoke(undefined, { targets: ['task', 'task_2', 'task_3', 'named'] });
    expect(result.toObject()).to.deep.equal({ task: 1, task_2: 2, task_3: 4, named: 2 });
  });
});
