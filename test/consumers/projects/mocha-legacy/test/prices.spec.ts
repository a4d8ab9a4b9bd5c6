import { DependsOn, Param, Task, Workflow, WorkflowExecutionError } from 'async-dag';
import { assert, expect } from 'chai';

class Prices {
  @Task() sku(@Param() sku: string) {
    return sku.trim().toUpperCase();
  }

  @Task() @DependsOn<Prices>('sku') quote(sku: string) {
    if (sku === '') throw new Error('no SKU');
    return `${sku}: 12.50`;
  }
}

describe('Prices', () => {
  it('quotes the normalised SKU', async () => {
    const result = await Workflow.invoke(new Prices(), ' pen ');
    expect(result.get('quote')).to.equal('PEN: 12.50');
  });

  it('fails in quote when the SKU is blank', async () => {
    const error = await Workflow.invoke(new Prices(), ' ').then(
      () => expect.fail('expected the run to fail'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(error, WorkflowExecutionError);
    expect(error.task).to.equal('quote');
    expect((error.cause as Error).message).to.equal('no SKU');
  });
});
