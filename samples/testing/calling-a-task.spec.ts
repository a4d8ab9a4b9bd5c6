// A task is an ordinary method: test its logic by calling it, no workflow run needed.
import { expect } from 'chai';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

describe('Testing a task by calling the method', () => {
  const workflow = new SignupWorkflow(new InMemoryAccountStore(), new RecordingMailer());

  it('normalizeEmail trims and lower-cases the address', () => {
    expect(workflow.normalizeEmail({ email: '  Ada@Example.COM ', name: 'Ada' })).to.equal(
      'ada@example.com',
    );
  });

  it('checkAvailable rejects an address that is already registered', async () => {
    const taken = new SignupWorkflow(
      new InMemoryAccountStore(['ada@example.com']),
      new RecordingMailer(),
    );
    await taken.checkAvailable('ada@example.com').then(
      () => expect.fail('expected a rejection'),
      (error: Error) => expect(error.message).to.equal('ada@example.com is already registered'),
    );
  });
});
