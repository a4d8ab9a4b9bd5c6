/**
 * Invalid `InvokeOptions` are rejected with a `WorkflowOptionsError` naming the option, before any
 * task starts — and `invoke` still returns a rejected promise rather than throwing.
 */
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import {
  buildDag,
  DependsOn,
  PARAM,
  SIGNAL,
  Task,
  Workflow,
  WorkflowOptionsError,
  type InvokeOptions,
} from '../../src';
import { rejectionOf } from '../support/event-log';

class Signup {
  readonly calls: string[] = [];

  @Task() fetchUser() {
    this.calls.push('fetchUser');
    return { id: 1 };
  }
  @Task() @DependsOn('fetchUser') sendEmail() {
    this.calls.push('sendEmail');
  }
}

/** [what is wrong, the options, the `option` the error names, what its message must say]. */
const invalidCases: [string, unknown, string, RegExp][] = [
  // The promise of hooks, not awaited, would be read as no hooks at all.
  [
    'hooks given as a promise',
    { hooks: Promise.resolve({ onTaskStart: () => {} }) },
    'hooks',
    /must be an object of hook functions, got a promise\. Await it first\.$/,
  ],
  // So would an interceptor or overrides made asynchronously (`await openTelemetryLater()`).
  [
    'an interceptor given as a promise',
    { interceptors: [Promise.resolve({ task: () => {} })] },
    'interceptors',
    /interceptor 1 must be an object with run and\/or task methods, got a promise\. Await it first\.$/,
  ],
  [
    'overrides given as a promise',
    { overrides: Promise.resolve({ fetchUser: () => ({ id: 2 }) }) },
    'overrides',
    /must be an object of functions, got a promise\. Await it first\.$/,
  ],
  // Any option's value loaded asynchronously and passed without `await` is said to be a promise.
  ...(
    [
      ['concurrency', Promise.resolve(2)],
      ['failFast', Promise.resolve(false)],
      ['signal', Promise.resolve(new AbortController().signal)],
      ['targets', Promise.resolve(['sendEmail'])],
      ['interceptors', Promise.resolve([])],
    ] as const
  ).map(([option, value]): [string, unknown, string, RegExp] => [
    `${option} given as a promise`,
    { [option]: value },
    option,
    /, got a promise\. Await it first\.$/,
  ]),
  ['concurrency 0', { concurrency: 0 }, 'concurrency', /positive integer/],
  ['concurrency -1', { concurrency: -1 }, 'concurrency', /positive integer/],
  ['concurrency NaN', { concurrency: Number.NaN }, 'concurrency', /NaN/],
  ['concurrency 1.5', { concurrency: 1.5 }, 'concurrency', /1\.5/],
  ["concurrency '2'", { concurrency: '2' }, 'concurrency', /"2"/],
  ['concurrency -Infinity', { concurrency: -Infinity }, 'concurrency', /positive integer/],
  [
    'an unknown target',
    { targets: ['fetchUsr'] },
    'targets',
    /"fetchUsr" is not a task of Signup\. Did you mean "fetchUser"\?/,
  ],
  ['a target far from any name', { targets: ['zzz'] }, 'targets', /fetchUser, sendEmail/],
  [
    'one target, not in an array',
    { targets: 'fetchUser' },
    'targets',
    /must be a non-empty array of task names, got "fetchUser"\. Put it in an array: targets: \["fetchUser"\]\./,
  ],
  // Not "must be a non-empty array …, got an array": what is wrong is that it is empty.
  [
    'empty targets',
    { targets: [] },
    'targets',
    /non-empty array of task names, got an empty array\./,
  ],
  [
    'an unknown override',
    { overrides: { sendEmial: () => undefined } },
    'overrides',
    /"sendEmial" is not a task of Signup\. Did you mean "sendEmail"\?/,
  ],
  ['an override that is not a function', { overrides: { fetchUser: 42 } }, 'overrides', /function/],
  ['an unknown option', { concurency: 2 }, 'concurency', /Did you mean "concurrency"\?/],
  // Options that belong elsewhere say where; any other name far from every option lists them.
  [
    'a run timeout',
    { timeout: 1000 },
    'timeout',
    /A run has no "timeout": pass signal: AbortSignal\.timeout\(ms\), or give each task its own with @Task\(\{ timeout \}\) \(or in addNode's options, for a builder\)\./,
  ],
  [
    'a task option given to the run',
    { retries: 2 },
    'retries',
    /"retries" is a task option: give it to @Task\(\{ retries \}\) \(or to addNode, for a builder\)\./,
  ],
  [
    'a hook given as an option',
    { onTaskStart: () => {} },
    'onTaskStart',
    /"onTaskStart" is a hook: give it in hooks: \{ onTaskStart \}\./,
  ],
  // Misspelt, they say what was meant, and where that belongs.
  [
    'a misspelt run timeout',
    { timout: 1000 },
    'timout',
    /unknown option\. Did you mean "timeout"\? A run has no "timeout": pass signal: AbortSignal\.timeout\(ms\)/,
  ],
  [
    'a misspelt task option given to the run',
    { retrys: 2 },
    'retrys',
    /unknown option\. Did you mean "retries"\? "retries" is a task option: give it to @Task\(\{ retries \}\)/,
  ],
  [
    'a misspelt hook given as an option',
    { onTaskStrat: () => {} },
    'onTaskStrat',
    /unknown option\. Did you mean "onTaskStart"\? "onTaskStart" is a hook: give it in hooks: \{ onTaskStart \}\./,
  ],
  // Another library's name for an option says ours, and where that belongs.
  ["p-limit's limit", { limit: 2 }, 'limit', /unknown option\. Did you mean "concurrency"\?$/],
  [
    'a retry count given to the run',
    { maxAttempts: 3 },
    'maxAttempts',
    /unknown option\. Did you mean "retries"\? It counts the attempts after the first: \{ maxAttempts: 3 \} is \{ retries: 2 \}\. "retries" is a task option: give it to @Task\(\{ retries \}\)/,
  ],
  [
    'an option far from every name',
    { param: 1 },
    'param',
    /unknown option\. Options: signal, concurrency, targets, overrides, hooks, failFast, interceptors\./,
  ],
  [
    'an unknown hook',
    { hooks: { onTaskStrat: () => {} } },
    'hooks',
    /Did you mean "onTaskStart"\?/,
  ],
  // A hook name far from every hook (the event is `taskProgress`, the call `ctx.progress`) lists them.
  [
    'a hook far from every hook name',
    { hooks: { onProgress: () => {} } },
    'hooks',
    /"onProgress" is not a hook\. Hooks: onTaskStart, onTaskSuccess, onTaskFailure, onTaskRetry, onTaskProgress, onTaskSkip\.$/,
  ],
  ['a hook that is not a function', { hooks: { onTaskStart: 'log' } }, 'hooks', /function/],
  [
    'hooks holding a collaborator',
    { hooks: { onTaskStart: () => {}, logger: console } },
    'hooks',
    /"logger" is not a hook\./,
  ],
  [
    'null-prototype hooks holding a collaborator',
    { hooks: Object.assign(Object.create(null) as object, { logger: {} }) },
    'hooks',
    /"logger" is not a hook\./,
  ],
  ['hooks that are not an object', { hooks: 'verbose' }, 'hooks', /object/],
  // A list or a Map of hooks is never read as hooks: refused, not silently left uncalled.
  [
    'hooks given as an array',
    { hooks: [{ onTaskStart: () => {} }] },
    'hooks',
    /must be an object of hook functions, got an array\./,
  ],
  [
    'hooks given as a Map',
    { hooks: new Map([['onTaskStart', () => {}]]) },
    'hooks',
    /must be an object of hook functions, got a Map\./,
  ],
  // Not "\"get\" is not a task" (a Map's own method) or "\"0\" is not a task" (an array's index).
  [
    'overrides given as a Map',
    { overrides: new Map([['fetchUser', () => ({ id: 2 })]]) },
    'overrides',
    /must be an object of functions, got a Map\./,
  ],
  // Also a Map made in another realm (a `vm` context, as under jest), which `instanceof` misses.
  [
    'hooks given as a Map of another realm',
    { hooks: runInNewContext('new Map([["onTaskStart", () => {}]])') },
    'hooks',
    /must be an object of hook functions, got a Map\./,
  ],
  [
    'overrides given as a Set of another realm',
    { overrides: runInNewContext('new Set()') },
    'overrides',
    /must be an object of functions, got a Set\./,
  ],
  // And the promise of hooks from another realm: under jest, Node's own APIs (`fs.promises`) give
  // one, and any `.then` on it too.
  [
    'hooks given as a promise of another realm',
    { hooks: runInNewContext('Promise.resolve({ onTaskStart() {} })') },
    'hooks',
    /must be an object of hook functions, got a promise\. Await it first\.$/,
  ],
  [
    'overrides given as an array',
    { overrides: [() => ({ id: 2 })] },
    'overrides',
    /must be an object of functions, got an array\./,
  ],
  ['targets given as a Set', { targets: new Set(['fetchUser']) }, 'targets', /got a Set\./],
  ['failFast not a boolean', { failFast: 'no' }, 'failFast', /true or false/],
  ['signal not an AbortSignal', { signal: { aborted: 'no' } }, 'signal', /AbortSignal/],
  [
    'an AbortController given as the signal',
    { signal: new AbortController() },
    'signal',
    /must be an AbortSignal, got an AbortController: pass its signal \(controller\.signal\)\./,
  ],
  // An interceptor with neither method but other members is a mistake (`{}` is accepted).
  [
    'an interceptor whose method is misspelt',
    {
      interceptors: [{ task: (_info: unknown, next: () => unknown) => next() }, { tsak: () => 1 }],
    },
    'interceptors',
    /interceptor 2 has neither a run nor a task method, so it would never be called\. It has "tsak"\. Did you mean "task"\?/,
  ],
  [
    'an interceptor of a class with neither method',
    {
      interceptors: [
        new (class Timing {
          intercept() {}
        })(),
      ],
    },
    'interceptors',
    /interceptor 1 has neither a run nor a task method, so it would never be called\. Give it run\(info, next\) and\/or task\(info, next\)\.$/,
  ],
  [
    'signal that cannot unsubscribe',
    { signal: { aborted: false, addEventListener() {} } },
    'signal',
    /AbortSignal/,
  ],
];

describe('invalid InvokeOptions', () => {
  for (const [what, options, option, message] of invalidCases) {
    it(`rejects ${what} with a WorkflowOptionsError before any task starts`, async () => {
      const flow = new Signup();
      const started: string[] = [];
      const run = Workflow.invoke(flow, undefined, {
        hooks: { onTaskStart: ({ task }) => started.push(task) },
        ...(options as InvokeOptions<Signup>),
      });

      const error = await rejectionOf(run, WorkflowOptionsError);
      expect(error.option).to.equal(option);
      expect(error.workflow).to.equal('Signup');
      expect(error.message).to.contain('Signup').and.match(message);
      expect(flow.calls).to.deep.equal([]);
      expect(started).to.deep.equal([]);
    });
  }

  // Their entries are not properties: read as an object, a Map of options would be no options,
  // and so would the promise of options loaded asynchronously and not awaited.
  for (const [kind, options, made = ''] of [
    ['a Map', new Map([['concurrency', 1]])],
    ['an array', []],
    ['a Set', new Set(['failFast'])],
    ['a promise', Promise.resolve({ concurrency: 1 })],
    // Under jest, Node's own APIs (`fs.promises`) give promises of another realm.
    ['a promise', runInNewContext('Promise.resolve({ concurrency: 1 })'), ' of another realm'],
  ] as const) {
    it(`rejects options given as ${kind}${made}, whose entries name no option`, async () => {
      const flow = new Signup();
      const error = await rejectionOf(
        Workflow.invoke(flow, undefined, options as InvokeOptions<Signup>),
        WorkflowOptionsError,
      );
      expect(error.option).to.equal('options');
      // A promise was most likely meant to be awaited: the message says so.
      const hint = kind === 'a promise' ? ' Await it first.' : '';
      expect(error.message).to.equal(
        `Signup: invalid option "options": must be an object, got ${kind}.${hint}`,
      );
      expect(flow.calls).to.deep.equal([]);
    });
  }

  // `invoke(flow, param, signal)` in JavaScript (TypeScript refuses it: no property in common):
  // read as an object, a signal holds no option, so the run could never be aborted.
  it('rejects an AbortSignal given as the options, showing it as { signal }', async () => {
    const flow = new Signup();
    const { signal } = new AbortController();
    const expected = 'must be an object, got an AbortSignal: pass it as { signal }.';
    const error = await rejectionOf(
      Workflow.invoke(flow, undefined, signal as InvokeOptions<Signup>),
      WorkflowOptionsError,
    );
    expect(error.option).to.equal('options');
    expect(error.message).to.equal(`Signup: invalid option "options": ${expected}`);
    expect(() => Workflow.stream(flow, undefined, signal as InvokeOptions<Signup>))
      .to.throw(WorkflowOptionsError)
      .with.property('message', `Signup: invalid option "options": ${expected}`);
    expect(flow.calls).to.deep.equal([]);

    const tm = buildDag<number>({ name: 'js' });
    const calls: number[] = [];
    tm.addNode((n: number) => calls.push(n), tm.parameterNode);
    const builderError = await rejectionOf(tm.invoke(1, signal as never), WorkflowOptionsError);
    expect(builderError.message).to.equal(`js: invalid option "options": ${expected}`);
    expect(calls).to.deep.equal([]);
  });

  it('lists the first 10 tasks, then "…", for a far-off target of a class with 11 tasks', async () => {
    class Eleven {
      @Task() t1() {}
      @Task() t2() {}
      @Task() t3() {}
      @Task() t4() {}
      @Task() t5() {}
      @Task() t6() {}
      @Task() t7() {}
      @Task() t8() {}
      @Task() t9() {}
      @Task() t10() {}
      @Task() t11() {}
    }
    const error = await rejectionOf(
      Workflow.invoke(new Eleven(), undefined, { targets: ['zzzzzzzz' as never] }),
      WorkflowOptionsError,
    );
    expect(error.message).to.equal(
      'Eleven: invalid option "targets": "zzzzzzzz" is not a task of Eleven. ' +
        'Tasks: t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, ….',
    );
  });

  it('says an input token given as a target is an input, not a task', async () => {
    for (const [token, shown] of [
      [PARAM, 'PARAM'],
      [SIGNAL, 'SIGNAL'],
    ] as const) {
      const error = await rejectionOf(
        Workflow.invoke(new Signup(), undefined, { targets: [token as never] }),
        WorkflowOptionsError,
      );
      expect(error.message).to.equal(
        `Signup: invalid option "targets": the ${shown} token is an input of tasks, not a task of Signup. ` +
          'Tasks: fetchUser, sendEmail.',
      );
    }
    const lone = await rejectionOf(
      Workflow.invoke(new Signup(), undefined, { targets: PARAM as never }),
      WorkflowOptionsError,
    );
    expect(lone.message).to.match(
      /invalid option "targets": must be .*, got the PARAM token, an input of tasks, not a task\.$/,
    );
    const tm = buildDag<number>({ name: 'Flow' });
    tm.addNode({ name: 'a' }, (n: number) => n, tm.parameterNode);
    const error = await rejectionOf(
      tm.invoke(1, { targets: [tm.parameterNode as never] }),
      WorkflowOptionsError,
    );
    expect(error.message).to.equal(
      'Flow: invalid option "targets": the PARAM token is an input of tasks, not a task of Flow. Tasks: a.',
    );
  });

  it('accepts an override that is undefined, running the task itself', async () => {
    const flow = new Signup();
    const result = await Workflow.invoke(flow, undefined, { overrides: { fetchUser: undefined } });
    expect(result.get('fetchUser')).to.deep.equal({ id: 1 });
    expect(flow.calls).to.deep.equal(['fetchUser', 'sendEmail']);
  });

  it('accepts concurrency Infinity and positive integers', async () => {
    for (const concurrency of [1, 2, 1000, Infinity]) {
      const flow = new Signup();
      await Workflow.invoke(flow, undefined, { concurrency });
      expect(flow.calls).to.deep.equal(['fetchUser', 'sendEmail']);
    }
  });
});

describe('options given where the param goes', () => {
  // `Workflow.invoke(flow, { signal })` compiles (TypeScript takes them for the param's type), and
  // the run would go on without its signal or limit: refused when no task reads the param.
  it('refuses a param of option names only, with no options, for a class that reads no param', async () => {
    const flow = new Signup();
    const signal = new AbortController().signal;
    const error = await rejectionOf(
      Workflow.invoke(flow, { signal, concurrency: 1 }),
      WorkflowOptionsError,
    );
    expect(error.option).to.equal('options');
    expect(error.message).to.equal(
      'Signup: invalid option "options": none were given, but the param is { signal, concurrency }, ' +
        'option names only, and no task reads the param. Options come after the param: ' +
        'Workflow.invoke(instance, undefined, { signal, concurrency }).',
    );
    expect(flow.calls).to.deep.equal([]);
    expect(() => Workflow.stream(new Signup(), { failFast: false }))
      .to.throw(WorkflowOptionsError)
      .with.property('message')
      .that.contains('Workflow.stream(instance, undefined, { failFast }).');
  });

  it('refuses a bare AbortSignal as the param too, showing it as { signal }', async () => {
    const flow = new Signup();
    const error = await rejectionOf(
      Workflow.invoke(flow, new AbortController().signal),
      WorkflowOptionsError,
    );
    expect(error.message).to.equal(
      'Signup: invalid option "options": none were given, but the param is an AbortSignal and ' +
        'no task reads the param. Options come after the param: ' +
        'Workflow.invoke(instance, undefined, { signal }).',
    );
    expect(flow.calls).to.deep.equal([]);
  });

  it('refuses it for a builder that has no parameterNode input, naming its own call', async () => {
    const tm = buildDag({ name: 'noParam' });
    tm.addNode(() => 1);
    const error = await rejectionOf(tm.invoke({ targets: [] } as never), WorkflowOptionsError);
    expect(error.message).to.equal(
      'noParam: invalid option "options": none were given, but the param is { targets }, option ' +
        "names only, and no task reads the param. Options come after the param: the builder's " +
        'invoke(undefined, { targets }).',
    );
    expect(() => tm.stream({ concurrency: 2 } as never)).to.throw(
      WorkflowOptionsError,
      "the builder's stream(undefined, { concurrency }).",
    );
  });

  it('takes such a param when a task reads it, when options are given, or when it has other keys', async () => {
    class Reads {
      @Task() @DependsOn(PARAM) echo(param: object) {
        return param;
      }
    }
    const param = { signal: new AbortController().signal };
    expect((await Workflow.invoke(new Reads(), param)).get('echo')).to.equal(param);
    const tm = buildDag<object>();
    const echo = tm.addNode((given: object) => given, tm.parameterNode);
    expect(echo.extractResult(await tm.invoke(param))).to.equal(param);
    for (const [given, options] of [
      [{ concurrency: 1 }, {}],
      [{ concurrency: 1, userId: 7 }, undefined],
      [{}, undefined],
      [[], undefined],
      [
        new (class Concurrency {
          concurrency = 1;
        })(),
        undefined,
      ],
      ['signal', undefined],
    ] as const) {
      const flow = new Signup();
      await Workflow.invoke(flow, given, options);
      expect(flow.calls, JSON.stringify(given)).to.deep.equal(['fetchUser', 'sendEmail']);
    }
  });

  it('does not read the values of the param it checks, and takes a Proxy whose traps throw', async () => {
    const read: string[] = [];
    const param = {
      get signal() {
        read.push('signal');
        return undefined;
      },
    };
    await rejectionOf(Workflow.invoke(new Signup(), param), WorkflowOptionsError);
    expect(read).to.deep.equal([]);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const flow = new Signup();
    await Workflow.invoke(flow, hostile);
    expect(flow.calls).to.deep.equal(['fetchUser', 'sendEmail']);
  });
});
