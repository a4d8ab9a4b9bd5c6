/**
 * The workflow the specs in this folder test. It is an ordinary class: its dependencies come in
 * through the constructor, so a test can pass fakes, and its tasks are ordinary methods.
 */
import { DependsOn, Param, Task } from '../../src';

/** What a visitor submits. */
export interface SignupForm {
  email: string;
  name: string;
}

/** Where accounts live. */
export interface AccountStore {
  isRegistered(email: string): Promise<boolean>;
  create(email: string, name: string): Promise<{ id: string }>;
}

/** Sends e-mail. */
export interface Mailer {
  send(to: string, subject: string): Promise<void>;
}

/** Normalises the address, checks it is free, creates the account and sends a welcome mail. */
export class SignupWorkflow {
  constructor(
    private readonly accounts: AccountStore,
    private readonly mailer: Mailer,
  ) {}

  @Task()
  normalizeEmail(@Param() form: SignupForm): string {
    return form.email.trim().toLowerCase();
  }

  @Task()
  @DependsOn<SignupWorkflow>('normalizeEmail')
  async checkAvailable(email: string): Promise<string> {
    if (await this.accounts.isRegistered(email)) throw new Error(`${email} is already registered`);
    return email;
  }

  @Task()
  @DependsOn<SignupWorkflow>('checkAvailable')
  createAccount(email: string, @Param() form: SignupForm): Promise<{ id: string }> {
    return this.accounts.create(email, form.name);
  }

  @Task()
  @DependsOn<SignupWorkflow>('normalizeEmail', 'createAccount')
  async sendWelcome(email: string, account: { id: string }): Promise<string> {
    await this.mailer.send(email, `Welcome! Your account id is ${account.id}`);
    return email;
  }
}

/** An in-memory {@link AccountStore} for tests: remembers what was created. */
export class InMemoryAccountStore implements AccountStore {
  readonly created: { id: string; email: string; name: string }[] = [];

  constructor(private readonly registered: readonly string[] = []) {}

  async isRegistered(email: string): Promise<boolean> {
    return this.registered.includes(email) || this.created.some((row) => row.email === email);
  }

  async create(email: string, name: string): Promise<{ id: string }> {
    const account = { id: `acc-${this.created.length + 1}`, email, name };
    this.created.push(account);
    return { id: account.id };
  }
}

/** A {@link Mailer} for tests: records every message instead of sending it. */
export class RecordingMailer implements Mailer {
  readonly sent: { to: string; subject: string }[] = [];

  async send(to: string, subject: string): Promise<void> {
    this.sent.push({ to, subject });
  }
}
