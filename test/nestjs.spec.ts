import { Inject, Injectable, Scope, SetMetadata } from '@nestjs/common';
import * as nestConstants from '@nestjs/common/constants';
import { ContextIdFactory, REQUEST, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { expect } from 'chai';
import { DependsOn, Param, Signal, Task, Workflow } from '../src';
import { CheckoutModule } from '../samples/nestjs/checkout.module';
import { CheckoutService } from '../samples/nestjs/checkout.service';
import { CheckoutRequest, CheckoutWorkflow } from '../samples/nestjs/checkout.workflow';
import { PricingService } from '../samples/nestjs/pricing.service';
import { User, UserRepository } from '../samples/nestjs/users.repository';

const twoBooksAndAPen: CheckoutRequest = {
  userId: 'u1',
  items: [
    { sku: 'book', quantity: 2 },
    { sku: 'pen', quantity: 1 },
  ],
};

/** Per-request data, as an HTTP adapter would register it under `REQUEST`. */
interface IncomingRequest {
  userId: string;
}

/** Request-scoped: one instance per request, built from that request. */
@Injectable({ scope: Scope.REQUEST })
class CurrentUser {
  constructor(
    @Inject(REQUEST) private readonly request: IncomingRequest,
    private readonly users: UserRepository,
  ) {}

  load(): Promise<User> {
    return this.users.findById(this.request.userId);
  }
}

/** A workflow that depends on a request-scoped provider, so Nest makes it request-scoped too. */
@Injectable()
class GreetingWorkflow {
  constructor(private readonly currentUser: CurrentUser) {}

  @Task()
  user(): Promise<User> {
    return this.currentUser.load();
  }

  @Task()
  @DependsOn<GreetingWorkflow>('user')
  greeting(user: User, @Param() punctuation: string): string {
    return `Hello, ${user.name}${punctuation}`;
  }
}

/** Counts constructions, to tell transient instances apart. */
let tallyInstances = 0;

@Injectable({ scope: Scope.TRANSIENT })
class TallyWorkflow {
  readonly instance = ++tallyInstances;
  private readonly seen: number[] = [];

  @Task()
  record(@Param() value: number): number {
    this.seen.push(value);
    return value;
  }

  @Task()
  @DependsOn<TallyWorkflow>('record')
  summary(value: number): string {
    return `instance ${this.instance} saw ${this.seen.join(',')} (last ${value})`;
  }
}

describe('NestJS integration', () => {
  describe('Test.createTestingModule', () => {
    it('resolves a workflow whose dependencies Nest injected, and runs it', async () => {
      const moduleRef = await Test.createTestingModule({ imports: [CheckoutModule] }).compile();

      const result = await Workflow.invoke(moduleRef.get(CheckoutWorkflow), twoBooksAndAPen);

      expect(result.get('invoice')).to.deep.equal({
        customer: 'Ada',
        subtotal: 5_300,
        discount: 530,
        total: 4_770,
      });
      await moduleRef.close();
    });

    it('flows a service replaced with overrideProvider into the run', async () => {
      const fakePricing: Pick<PricingService, keyof PricingService> = {
        unitPrice: async (sku) => (sku === 'book' ? 1_000 : 1),
        discountFor: () => 7,
      };
      const moduleRef = await Test.createTestingModule({ imports: [CheckoutModule] })
        .overrideProvider(PricingService)
        .useValue(fakePricing)
        .compile();

      const fromWorkflow = await Workflow.invoke(moduleRef.get(CheckoutWorkflow), twoBooksAndAPen);
      const fromService = await moduleRef.get(CheckoutService).checkout(twoBooksAndAPen);

      const expected = { customer: 'Ada', subtotal: 2_001, discount: 7, total: 1_994 };
      expect(fromWorkflow.get('invoice')).to.deep.equal(expected);
      expect(fromService).to.deep.equal(expected);
      await moduleRef.close();
    });

    it('runs a workflow that depends on a request-scoped provider, per request', async () => {
      const moduleRef = await Test.createTestingModule({
        providers: [UserRepository, CurrentUser, GreetingWorkflow],
      }).compile();
      const forRequest = async (request: IncomingRequest) => {
        const contextId = ContextIdFactory.create();
        moduleRef.registerRequestByContextId(request, contextId);
        return moduleRef.resolve(GreetingWorkflow, contextId);
      };

      const [ada, linus] = await Promise.all([
        forRequest({ userId: 'u1' }),
        forRequest({ userId: 'u2' }),
      ]);
      const results = await Promise.all([
        Workflow.invoke(ada, '!'),
        Workflow.invoke(linus, '?'),
        Workflow.invoke(ada, '.'),
      ]);

      expect(ada).to.not.equal(linus);
      expect(results.map((result) => result.get('greeting'))).to.deep.equal([
        'Hello, Ada!',
        'Hello, Linus?',
        'Hello, Ada.',
      ]);
      await moduleRef.close();
    });

    it('runs transient workflows, each instance with its own state', async () => {
      const moduleRef = await Test.createTestingModule({ providers: [TallyWorkflow] }).compile();
      const first = await moduleRef.resolve(TallyWorkflow);
      const second = await moduleRef.resolve(TallyWorkflow);

      await Workflow.invoke(first, 1);
      const [fromFirst, fromSecond] = await Promise.all([
        Workflow.invoke(first, 2),
        Workflow.invoke(second, 3),
      ]);

      expect(second.instance).to.equal(first.instance + 1);
      expect(fromFirst.get('summary')).to.equal(`instance ${first.instance} saw 1,2 (last 2)`);
      expect(fromSecond.get('summary')).to.equal(`instance ${second.instance} saw 3 (last 3)`);
      await moduleRef.close();
    });
  });

  describe('without Nest', () => {
    it('constructs the provider with fakes, as a plain class, to call a task or run it', async () => {
      // The sample's collaborators hold private state, so TypeScript takes no plain object for them.
      const users = {
        findById: async (id: string): Promise<User> => ({ id, name: 'Grace', tier: 'gold' }),
      } as unknown as UserRepository;
      const pricing = {
        unitPrice: async () => 1_000,
        discountFor: (_user: User, subtotal: number) => subtotal / 10,
      } as unknown as PricingService;
      const workflow = new CheckoutWorkflow(users, pricing);

      const grace: User = { id: 'u9', name: 'Grace', tier: 'gold' };
      expect(workflow.discount(grace, 2_000)).to.equal(200);
      expect(workflow.invoice(grace, 2_000, 200)).to.deep.equal({
        customer: 'Grace',
        subtotal: 2_000,
        discount: 200,
        total: 1_800,
      });
      const result = await Workflow.invoke(workflow, twoBooksAndAPen);
      expect(result.get('invoice')).to.deep.equal({
        customer: 'Grace',
        subtotal: 3_000,
        discount: 300,
        total: 2_700,
      });
    });
  });

  describe('metadata', () => {
    const PRICE_LIST = 'PRICE_LIST';
    const ROLES = 'roles';

    /** What {@link QuoteWorkflow} is invoked with. */
    interface QuoteQuery {
      userId: string;
      sku: string;
    }

    /** Nest's decorators, TypeScript's emitted metadata and ours, all on one class. */
    @Injectable({ scope: Scope.DEFAULT })
    class QuoteWorkflow {
      constructor(
        private readonly users: UserRepository,
        @Inject(PRICE_LIST) private readonly prices: Record<string, number>,
      ) {}

      @Task()
      @SetMetadata(ROLES, ['admin'])
      user(@Param() query: QuoteQuery): Promise<User> {
        return this.users.findById(query.userId);
      }

      @Task()
      @DependsOn<QuoteWorkflow>('user')
      quote(user: User, @Param() query: QuoteQuery): string {
        return `${user.name} pays ${this.prices[query.sku]} for a ${query.sku}`;
      }
    }

    /** Every metadata key on the class, its prototype and each of its members. */
    function metadataKeysOf(target: Function): Set<unknown> {
      const keys = [
        ...Reflect.getMetadataKeys(target),
        ...Reflect.getMetadataKeys(target.prototype),
        ...Object.getOwnPropertyNames(target.prototype).flatMap((member) =>
          Reflect.getMetadataKeys(target.prototype, member),
        ),
      ];
      return new Set(keys);
    }

    /** Every string constant Nest's common package defines (its metadata keys among them). */
    function nestStringConstants(): Set<string> {
      const values = Object.values(nestConstants).flatMap((value) =>
        typeof value === 'object' && value !== null ? Object.values(value) : [value],
      );
      return new Set(values.filter((value): value is string => typeof value === 'string'));
    }

    it("writes only async-dag:* keys, never TypeScript's design:* keys or Nest's", () => {
      class PlainWorkflow {
        @Task() a(@Param() n: number, @Signal() _signal: AbortSignal) {
          return n;
        }
        @Task() @DependsOn<PlainWorkflow>('a') b(a: number) {
          return a;
        }
      }
      const isOurs = (key: unknown) => typeof key === 'string' && key.startsWith('async-dag:');
      const nests = nestStringConstants();

      const ours = [...metadataKeysOf(PlainWorkflow)].filter(
        (key) => typeof key !== 'string' || !key.startsWith('design:'),
      );
      const onProvider = [...metadataKeysOf(QuoteWorkflow)].filter(
        (key) => !isOurs(key) && !nests.has(key as string) && !String(key).startsWith('design:'),
      );

      expect(ours.length).to.be.greaterThan(0);
      expect(ours.filter((key) => !isOurs(key))).to.deep.equal([]);
      expect(ours.filter((key) => nests.has(key as string))).to.deep.equal([]);
      expect(onProvider, 'keys from neither TypeScript, Nest nor async-dag').to.deep.equal([]);
      // The comparison above is not vacuous: these are Nest's keys.
      expect([...nests]).to.include.members([
        'design:paramtypes',
        'self:paramtypes',
        'scope:options',
      ]);
    });

    it("leaves Nest's metadata intact on a class that is both a provider and a workflow", async () => {
      expect(Reflect.getMetadata('design:paramtypes', QuoteWorkflow)).to.deep.equal([
        UserRepository,
        Object,
      ]);
      expect(Reflect.getMetadata('self:paramtypes', QuoteWorkflow)).to.deep.equal([
        { index: 1, param: PRICE_LIST },
      ]);
      expect(Reflect.getMetadata('scope:options', QuoteWorkflow)).to.deep.equal({
        scope: Scope.DEFAULT,
      });
      expect(new Reflector().get(ROLES, QuoteWorkflow.prototype.user)).to.deep.equal(['admin']);

      const moduleRef = await Test.createTestingModule({
        providers: [UserRepository, QuoteWorkflow, { provide: PRICE_LIST, useValue: { pen: 3 } }],
      }).compile();
      const result = await Workflow.invoke(moduleRef.get(QuoteWorkflow), {
        userId: 'u2',
        sku: 'pen',
      });

      expect(result.get('quote')).to.equal('Linus pays 3 for a pen');
      expect(Workflow.graph(QuoteWorkflow).order).to.deep.equal(['user', 'quote']);
      await moduleRef.close();
    });
  });
});
