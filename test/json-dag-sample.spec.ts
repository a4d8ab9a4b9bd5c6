/**
 * The "graphs from data" sample (samples/from-json): a DAG built from a JSON description of steps
 * with `needs`, in any listed order, with clear errors for an unknown step and for a cycle.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline, parsePipeline, type StepRunner } from '../samples/from-json/load-dag';

const pipeline = parsePipeline(
  JSON.parse(readFileSync(join(__dirname, '..', 'samples', 'from-json', 'pipeline.json'), 'utf8')),
);

/** A runner that logs starts and ends and waits one macrotask turn. */
function loggingRunner(log: string[]): StepRunner {
  return async (step, inputs) => {
    log.push(`${step.name}:start`);
    await new Promise((resolve) => setImmediate(resolve));
    log.push(`${step.name}:end`);
    return { step: step.name, after: inputs.map((input) => input.step) };
  };
}

describe('the JSON pipeline sample', () => {
  it('builds the described graph and runs each step after the steps it needs', async () => {
    const log: string[] = [];
    const { dag, nodes } = loadPipeline(pipeline, loggingRunner(log));
    expect(dag.graph().tasks.map((task) => [task.name, task.dependsOn])).to.deep.equal([
      ['checkout', []],
      ['install', ['checkout']],
      ['lint', ['install']],
      ['unitTests', ['install']],
      ['build', ['install']],
      ['e2eTests', ['build']],
      ['publish', ['lint', 'unitTests', 'e2eTests']],
    ]);
    const result = await dag.invoke();
    expect(nodes.get('publish')!.extractResult(result)).to.deep.equal({
      step: 'publish',
      after: ['lint', 'unitTests', 'e2eTests'],
    });
    for (const step of pipeline.steps) {
      for (const need of step.needs ?? []) {
        expect(log.indexOf(`${need}:end`)).to.be.lessThan(log.indexOf(`${step.name}:start`));
      }
    }
    // lint, unitTests and build all start in the turn install ends.
    const afterInstall = log.slice(log.indexOf('install:end') + 1, log.indexOf('install:end') + 4);
    expect(afterInstall).to.deep.equal(['lint:start', 'unitTests:start', 'build:start']);
  });

  it('accepts steps listed in any order', async () => {
    const reversed = { ...pipeline, steps: [...pipeline.steps].reverse() };
    const { dag } = loadPipeline(reversed, loggingRunner([]));
    const result = await dag.invoke();
    expect(Object.keys(result.toObject()).sort()).to.deep.equal(
      pipeline.steps.map((step) => step.name).sort(),
    );
  });

  it('names an unknown step and lists the known ones', () => {
    const broken = {
      name: 'broken',
      steps: [{ name: 'build' }, { name: 'deploy', needs: ['biuld'] }],
    };
    expect(() => loadPipeline(broken)).to.throw(
      'step "deploy" needs "biuld", which is not a step. Steps: build, deploy',
    );
  });

  it('names the path of a cycle in the description', () => {
    const cyclic = {
      name: 'cyclic',
      steps: [
        { name: 'a', needs: ['c'] },
        { name: 'b', needs: ['a'] },
        { name: 'c', needs: ['b'] },
        { name: 'd' },
      ],
    };
    expect(() => loadPipeline(cyclic)).to.throw('the steps form a cycle: a -> b -> c -> a');
  });

  it('reports a step listed twice', () => {
    expect(() => loadPipeline({ name: 'twice', steps: [{ name: 'a' }, { name: 'a' }] })).to.throw(
      'step "a" is listed twice',
    );
  });

  it('quotes step names from the file as JSON, so a line break or a quote stays on one line', () => {
    const odd = 'de"ploy\nnow';
    const messages = [
      () => loadPipeline({ name: 'p', steps: [{ name: odd }, { name: odd }] }),
      () => loadPipeline({ name: 'p', steps: [{ name: 'build' }, { name: odd, needs: ['x\ny'] }] }),
      () => loadPipeline({ name: 'p', steps: [{ name: odd, needs: [odd] }] }),
      () => parsePipeline({ name: 'p', steps: [{ name: odd, ms: -1 }] }),
    ].map((load) => {
      try {
        load();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected an error');
    });
    expect(messages).to.deep.equal([
      'step "de\\"ploy\\nnow" is listed twice',
      'step "de\\"ploy\\nnow" needs "x\\ny", which is not a step. Steps: build, "de\\"ploy\\nnow"',
      'the steps form a cycle: "de\\"ploy\\nnow" -> "de\\"ploy\\nnow"',
      'step 1 ("de\\"ploy\\nnow"): "ms" must be a number of milliseconds from 0 to 2147483647',
    ]);
  });

  it('checks the shape of the data, saying what is wrong and where', () => {
    const cases: [unknown, string][] = [
      [{ name: 'p' }, 'a pipeline is an object with a non-empty string "name" and a "steps" array'],
      [{ name: '', steps: [] }, 'a pipeline is an object with a non-empty string "name"'],
      [
        { name: 'p', steps: [{ needs: [] }] },
        'step 1: a step is an object with a non-empty string "name"',
      ],
      [
        { name: 'p', steps: [{ name: 'build' }, { name: 'test', needs: 'build' }] },
        'step 2 ("test"): "needs" must be an array of step names',
      ],
      [
        { name: 'p', steps: [{ name: 'build', ms: -1 }] },
        'step 1 ("build"): "ms" must be a number of milliseconds from 0 to 2147483647',
      ],
      // setTimeout fires at once, with a warning, for a delay past its limit.
      [
        { name: 'p', steps: [{ name: 'build', ms: 2_147_483_648 }] },
        'step 1 ("build"): "ms" must be a number of milliseconds from 0 to 2147483647',
      ],
      // A misspelt key would drop a dependency without a word.
      [
        { name: 'p', steps: [{ name: 'build' }, { name: 'test', need: ['build'] }] },
        'step 2 ("test"): unknown key "need" (did you mean "needs"?); the keys are "name", "needs", "ms"',
      ],
      [
        { name: 'p', steps: [{ name: 'test', dependsOn: ['build'] }] },
        'step 1 ("test"): unknown key "dependsOn"; the keys are "name", "needs", "ms"',
      ],
      [
        { name: 'p', step: [], steps: [] },
        'the pipeline: unknown key "step" (did you mean "steps"?)',
      ],
    ];
    for (const [json, message] of cases) expect(() => parsePipeline(json)).to.throw(message);
    expect(parsePipeline(pipeline)).to.equal(pipeline);
  });
});
