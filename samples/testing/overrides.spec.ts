// `overrides` replaces tasks for one run only: here, no e-mail is sent.
import { expect } from 'chai';
import { Workflow } from '../../src';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

describe('Replacing a task for one run with overrides', () => {
  it('runs the override instead of the method, with the same arguments', async () => {
    const mailer = new RecordingMailer();
    const workflow = new SignupWorkflow(new InMemoryAccountStore(), mailer);

    const result = await Workflow.invoke(
      workflow,
      { email: 'ada@example.com', name: 'Ada' },
      { overrides: { sendWelcome: (email: string) => `not sent to ${email}` } },
    );

    expect(result.get('sendWelcome')).to.equal('not sent to ada@example.com');
    expect(mailer.sent).to.deep.equal([]);
  });

  it('leaves the next run alone', async () => {
    const mailer = new RecordingMailer();
    const workflow = new SignupWorkflow(new InMemoryAccountStore(), mailer);
    const form = { email: 'ada@example.com', name: 'Ada' };

    await Workflow.invoke(workflow, form, { overrides: { sendWelcome: () => 'skipped' } });
    await Workflow.invoke(workflow, { ...form, email: 'grace@example.com' });

    expect(mailer.sent.map((mail) => mail.to)).to.deep.equal(['grace@example.com']);
  });
});
