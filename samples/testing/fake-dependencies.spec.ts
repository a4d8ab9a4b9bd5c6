// The workflow gets its collaborators through the constructor, so a test passes fakes.
import { expect } from 'chai';
import { Workflow, WorkflowExecutionError } from '../../src';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

describe('Replacing dependencies through the constructor', () => {
  it('creates the account and mails the normalised address', async () => {
    const accounts = new InMemoryAccountStore();
    const mailer = new RecordingMailer();

    const result = await Workflow.invoke(new SignupWorkflow(accounts, mailer), {
      email: ' Ada@Example.com',
      name: 'Ada',
    });

    expect(result.get('createAccount')).to.deep.equal({ id: 'acc-1' });
    expect(accounts.created).to.deep.equal([
      { id: 'acc-1', email: 'ada@example.com', name: 'Ada' },
    ]);
    expect(mailer.sent).to.deep.equal([
      { to: 'ada@example.com', subject: 'Welcome! Your account id is acc-1' },
    ]);
  });

  it('stops before creating an account when the address is taken', async () => {
    const accounts = new InMemoryAccountStore(['ada@example.com']);
    const mailer = new RecordingMailer();

    const run = Workflow.invoke(new SignupWorkflow(accounts, mailer), {
      email: 'ada@example.com',
      name: 'Ada',
    });

    const error = await run.then(
      () => expect.fail('expected the run to fail'),
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(WorkflowExecutionError);
    expect(error).to.include({ task: 'checkAvailable' });
    expect(accounts.created).to.deep.equal([]);
    expect(mailer.sent).to.deep.equal([]);
  });
});
