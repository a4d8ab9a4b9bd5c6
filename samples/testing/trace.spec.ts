// `result.trace` lists the tasks in the order they started, with start and end times in ms since
// the run began: assert on order, never on durations.
import { expect } from 'chai';
import { Workflow } from '../../src';
import { InMemoryAccountStore, RecordingMailer, SignupWorkflow } from './signup.workflow';

describe('Asserting on the run trace', () => {
  it('lists the tasks in the order they started', async () => {
    const workflow = new SignupWorkflow(new InMemoryAccountStore(), new RecordingMailer());

    const result = await Workflow.invoke(workflow, { email: 'ada@example.com', name: 'Ada' });

    expect(result.trace.map((entry) => [entry.task, entry.status])).to.deep.equal([
      ['normalizeEmail', 'succeeded'],
      ['checkAvailable', 'succeeded'],
      ['createAccount', 'succeeded'],
      ['sendWelcome', 'succeeded'],
    ]);
  });

  it('starts every task after the tasks it depends on have ended', async () => {
    const workflow = new SignupWorkflow(new InMemoryAccountStore(), new RecordingMailer());

    const { trace } = await Workflow.invoke(workflow, { email: 'ada@example.com', name: 'Ada' });

    const entryOf = (task: string) => trace.find((entry) => entry.task === task)!;
    for (const { name, dependsOn } of Workflow.graph(SignupWorkflow).tasks) {
      for (const dependency of dependsOn) {
        expect(entryOf(name).start).to.be.at.least(entryOf(dependency).end);
      }
    }
  });
});
