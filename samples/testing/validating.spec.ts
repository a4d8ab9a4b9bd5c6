// Workflow.validate checks a definition without running it: a cheap test for every workflow class.
import { expect } from 'chai';
import { DependsOn, Task, Workflow, WorkflowDefinitionError } from '../../src';
import { SignupWorkflow } from './signup.workflow';

describe('Validating a workflow definition', () => {
  it('accepts SignupWorkflow and orders its tasks', () => {
    Workflow.validate(SignupWorkflow);
    expect(Workflow.graph(SignupWorkflow).order).to.deep.equal([
      'normalizeEmail',
      'checkAvailable',
      'createAccount',
      'sendWelcome',
    ]);
  });

  it('catches a misspelt dependency before anything runs', () => {
    class Broken {
      @Task() loadUser() {
        return 'ada';
      }
      @Task() @DependsOn('loadUsr') greet(user: string) {
        return `Hello, ${user}`;
      }
    }

    expect(() => Workflow.validate(Broken))
      .to.throw(WorkflowDefinitionError, 'Did you mean "loadUser"?')
      .with.property('code', 'UNKNOWN_DEPENDENCY');
  });
});
