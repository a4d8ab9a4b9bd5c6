import { Injectable, NotFoundException } from '@nestjs/common';

/** A customer, as the repository stores it. */
export interface User {
  id: string;
  name: string;
  tier: 'standard' | 'gold';
}

/** Users by id. An in-memory stand-in for a database-backed repository. */
@Injectable()
export class UserRepository {
  private readonly users = new Map<string, User>([
    ['u1', { id: 'u1', name: 'Ada', tier: 'gold' }],
    ['u2', { id: 'u2', name: 'Linus', tier: 'standard' }],
  ]);

  /**
   * The user with this id; rejects with `NotFoundException` when there is none (answered with 404
   * over HTTP, through `WorkflowErrorFilter`).
   */
  async findById(id: string): Promise<User> {
    const user = this.users.get(id);
    if (user === undefined) throw new NotFoundException(`no user "${id}"`);
    return user;
  }
}
