// Tasks are looked up on the instance when they run, so a sinon stub on the instance is what runs.
import { expect } from 'chai';
import sinon from 'sinon';
import { Workflow } from '../../src';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

describe('Stubbing a task with sinon', () => {
  afterEach(() => sinon.restore());

  it('runs the stub with the bound arguments and passes its value on', async () => {
    const mailer = new RecordingMailer();
    const workflow = new SignupWorkflow(new InMemoryAccountStore(), mailer);
    const form = { email: 'ada@example.com', name: 'Ada' };
    const createAccount = sinon.stub(workflow, 'createAccount').resolves({ id: 'stubbed' });

    const result = await Workflow.invoke(workflow, form);

    sinon.assert.calledOnceWithExactly(createAccount, 'ada@example.com', form);
    expect(createAccount.firstCall.thisValue).to.equal(workflow);
    expect(mailer.sent[0]?.subject).to.equal('Welcome! Your account id is stubbed');
    expect(result.get('createAccount')).to.deep.equal({ id: 'stubbed' });
  });
});
