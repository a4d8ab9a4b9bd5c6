// A failed run rejects with WorkflowExecutionError: the first failed task, every failure, and
// what did succeed.
import { assert, expect } from 'chai';
import { Workflow, WorkflowExecutionError } from '../../src';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

/** An account store whose database is down. */
class DownAccountStore extends InMemoryAccountStore {
  override create(): Promise<{ id: string }> {
    return Promise.reject(new Error('database is down'));
  }
}

describe('Asserting on a failed run', () => {
  it('names the failed task, lists every failure and keeps what succeeded', async () => {
    const mailer = new RecordingMailer();
    const workflow = new SignupWorkflow(new DownAccountStore(), mailer);

    const error = await Workflow.invoke(workflow, { email: ' Ada@Example.com', name: 'Ada' }).then(
      () => expect.fail('expected the run to fail'),
      (failure: unknown) => failure,
    );

    assert.instanceOf(error, WorkflowExecutionError);
    expect(error.task).to.equal('createAccount');
    expect((error.cause as Error).message).to.equal('database is down');
    expect(error.failures.map(({ task }) => task)).to.deep.equal(['createAccount']);
    expect(error.result.get('normalizeEmail')).to.equal('ada@example.com');
    expect(error.result.has('sendWelcome')).to.equal(false);
    expect(mailer.sent).to.deep.equal([]);
  });
});
