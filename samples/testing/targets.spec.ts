// `targets` runs only the listed tasks and the tasks they depend on: here, no e-mail is sent.
import { expect } from 'chai';
import { Workflow } from '../../src';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

describe('Running part of a workflow with targets', () => {
  it('runs the target and its dependencies, and nothing else', async () => {
    const accounts = new InMemoryAccountStore();
    const mailer = new RecordingMailer();
    const workflow = new SignupWorkflow(accounts, mailer);

    const result = await Workflow.invoke(
      workflow,
      { email: ' Ada@Example.com ', name: 'Ada' },
      { targets: ['createAccount'] },
    );

    expect(result.get('createAccount')).to.deep.equal({ id: 'acc-1' });
    expect(result.trace.map((entry) => entry.task)).to.deep.equal([
      'normalizeEmail',
      'checkAvailable',
      'createAccount',
    ]);
    expect(result.has('sendWelcome')).to.equal(false);
    expect(mailer.sent).to.deep.equal([]);
  });

  it('runs an override of a task the target depends on', async () => {
    // The address is taken: checkAvailable would fail; its override lets it through.
    const accounts = new InMemoryAccountStore(['ada@example.com']);
    const workflow = new SignupWorkflow(accounts, new RecordingMailer());

    const result = await Workflow.invoke(
      workflow,
      { email: 'ada@example.com', name: 'Ada' },
      { targets: ['createAccount'], overrides: { checkAvailable: (email: string) => email } },
    );

    expect(result.get('createAccount')).to.deep.equal({ id: 'acc-1' });
    expect(accounts.created.map((row) => row.email)).to.deep.equal(['ada@example.com']);
  });
});
