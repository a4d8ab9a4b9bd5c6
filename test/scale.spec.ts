/** Large graphs: nothing recursive, nothing quadratic. */
import { expect } from 'chai';
import { Workflow, WorkflowDefinitionError } from '../src';
import { declareTask } from './support/declare-task';

/** Builds a class whose tasks form a chain t0 <- t1 <- … , the way tsc applies decorators. */
function chainClass(size: number, options: { async: boolean; closeLoop?: boolean }) {
  class Chain {}
  const prototype = Chain.prototype;
  for (let index = 0; index < size; index++) {
    const name = `t${index}`;
    const body = options.async
      ? (previous: number | undefined) => Promise.resolve((previous ?? 0) + 1)
      : (previous: number | undefined) => (previous ?? 0) + 1;
    const dependsOn = index > 0 ? [`t${index - 1}`] : options.closeLoop ? [`t${size - 1}`] : [];
    declareTask(prototype, name, body, { dependsOn });
  }
  return Chain;
}

describe('scale', () => {
  it('validates and runs a 50,000-task synchronous chain without a stack overflow', async () => {
    const Chain = chainClass(50_000, { async: false });
    expect(Workflow.graph(Chain).order.at(-1)).to.equal('t49999');
    const result = await Workflow.invoke(new Chain());
    expect(result.get('t49999' as never)).to.equal(50_000);
  });

  it('runs a 50,000-task asynchronous chain', async () => {
    const Chain = chainClass(50_000, { async: true });
    const result = await Workflow.invoke(new Chain());
    expect(result.get('t49999' as never)).to.equal(50_000);
  });

  it('reports a 50,000-task cycle', () => {
    const Loop = chainClass(50_000, { async: false, closeLoop: true });
    const error = (() => {
      try {
        Workflow.validate(Loop);
      } catch (e) {
        return e as WorkflowDefinitionError;
      }
    })();
    expect(error?.code).to.equal('CYCLE');
    expect(error?.message).to.contain('t0 -> t1 -> t2');
    expect(error?.message).to.contain('t49999 -> t0');
  });
});
