/**
 * Builds a DAG from data: a JSON description of steps, each with the steps it `needs`. The graph
 * is known only at run time, so it is built with `buildDag` rather than written as a class.
 *
 * The builder can only take nodes that already exist, so steps are added in dependency order; the
 * loader finds that order itself (steps may be listed in any order) and reports a step that needs
 * an unknown step, or steps that need each other in a cycle, with the names involved. Data from a
 * file is checked first (`parsePipeline`): a wrong shape is an error that says where.
 */
import { buildDag, type DagBuilder, type DagNode } from '../../src';

/** One step of a description: its name, what it needs, and how long its (simulated) work takes. */
export interface StepDescription {
  readonly name: string;
  readonly needs?: readonly string[];
  readonly ms?: number;
}

/** A pipeline description, as read from JSON. */
export interface PipelineDescription {
  readonly name: string;
  readonly steps: readonly StepDescription[];
}

/**
 * `json` (parsed JSON) as a {@link PipelineDescription}, checked: an object with a non-empty `name`
 * and a `steps` array, each step with a non-empty string `name`, `needs` an array of strings and
 * `ms` a number of milliseconds `setTimeout` can wait (0 to 2^31 − 1) when given, and no other
 * keys (a misspelt `needs` would otherwise drop a dependency without a word). Throws an `Error`
 * saying what is wrong, and where.
 */
export function parsePipeline(json: unknown): PipelineDescription {
  if (
    !isRecord(json) ||
    typeof json.name !== 'string' ||
    json.name === '' ||
    !Array.isArray(json.steps)
  ) {
    throw new Error('a pipeline is an object with a non-empty string "name" and a "steps" array');
  }
  rejectUnknownKeys(json, PIPELINE_KEYS, 'the pipeline');
  json.steps.forEach((step: unknown, index) => {
    const where = `step ${index + 1}`;
    if (!isRecord(step) || typeof step.name !== 'string' || step.name === '') {
      throw new Error(`${where}: a step is an object with a non-empty string "name"`);
    }
    rejectUnknownKeys(step, STEP_KEYS, `${where} (${quote(step.name)})`);
    const { needs, ms } = step;
    if (
      needs !== undefined &&
      !(Array.isArray(needs) && needs.every((need) => typeof need === 'string'))
    ) {
      throw new Error(`${where} (${quote(step.name)}): "needs" must be an array of step names`);
    }
    if (ms !== undefined && !(typeof ms === 'number' && ms >= 0 && ms <= MAX_MS)) {
      throw new Error(
        `${where} (${quote(step.name)}): "ms" must be a number of milliseconds from 0 to ${MAX_MS}`,
      );
    }
  });
  return json as unknown as PipelineDescription;
}

/** The longest delay `setTimeout` waits: a longer one fires at once (with a warning). */
const MAX_MS = 2_147_483_647;

const PIPELINE_KEYS = ['name', 'steps'];
const STEP_KEYS = ['name', 'needs', 'ms'];

/** Throws for a key of `record` that is not in `known`, suggesting the closest known one. */
function rejectUnknownKeys(record: object, known: readonly string[], where: string): void {
  const unknown = Object.keys(record).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  const close = known.find((key) => key.startsWith(unknown.slice(0, 2).toLowerCase()));
  throw new Error(
    `${where}: unknown key ${quote(unknown)}${close === undefined ? '' : ` (did you mean "${close}"?)`}; ` +
      `the keys are ${known.map((key) => `"${key}"`).join(', ')}`,
  );
}

/**
 * A step name as a message quotes it: as JSON writes a string, so a name from the file that holds
 * a line break or a quote stays on one line and reads back whole (`"fetch"` for a plain one).
 */
function quote(name: string): string {
  return JSON.stringify(name);
}

/** A step name where a message lists it unquoted: as it is, unless {@link quote} is needed. */
function bare(name: string): string {
  return /^[^"\\\p{C}\p{Zl}\p{Zp}]*$/u.test(name) ? name : quote(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a step returns: its name and the steps whose results it received. */
export interface StepResult {
  readonly step: string;
  readonly after: readonly string[];
}

/** Runs one step: waits its time, then reports which inputs it got. */
export type StepRunner = (
  step: StepDescription,
  inputs: readonly StepResult[],
) => Promise<StepResult>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The default runner: waits `step.ms` milliseconds. */
export const simulatedStep: StepRunner = async (step, inputs) => {
  await sleep(step.ms ?? 0);
  return { step: step.name, after: inputs.map((input) => input.step) };
};

/** A DAG built from a description, with its nodes by step name. */
export interface LoadedPipeline {
  readonly dag: DagBuilder<void>;
  readonly nodes: ReadonlyMap<string, DagNode<StepResult>>;
}

/**
 * Builds the DAG of `description`. Throws an `Error` naming the step for a step that needs an
 * unknown step or is listed twice, and naming the path for a cycle (`a -> b -> a`).
 */
export function loadPipeline(
  description: PipelineDescription,
  runStep: StepRunner = simulatedStep,
): LoadedPipeline {
  const steps = new Map<string, StepDescription>();
  for (const step of description.steps) {
    if (steps.has(step.name)) throw new Error(`step ${quote(step.name)} is listed twice`);
    steps.set(step.name, step);
  }
  for (const step of description.steps) {
    for (const need of step.needs ?? []) {
      if (!steps.has(need)) {
        throw new Error(
          `step ${quote(step.name)} needs ${quote(need)}, which is not a step. Steps: ${[...steps.keys()].map(bare).join(', ')}`,
        );
      }
    }
  }
  const dag = buildDag({ name: description.name });
  const nodes = new Map<string, DagNode<StepResult>>();
  for (const step of dependencyOrder(steps)) {
    const inputs = (step.needs ?? []).map((need) => nodes.get(need)!);
    const run = (...results: StepResult[]) => runStep(step, results);
    nodes.set(step.name, dag.addNode({ name: step.name }, run, ...inputs));
  }
  return { dag, nodes };
}

/**
 * The steps in an order where each comes after everything it needs (depth-first, iterative), or
 * an `Error` naming a cycle.
 */
function dependencyOrder(steps: ReadonlyMap<string, StepDescription>): StepDescription[] {
  const order: StepDescription[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of steps.keys()) {
    if (state.has(root)) continue;
    // Each entry: a step and how many of its needs have been looked at.
    const path: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const top = path[path.length - 1];
      const needs = steps.get(top.name)!.needs ?? [];
      if (top.next === needs.length) {
        state.set(top.name, 'done');
        order.push(steps.get(top.name)!);
        path.pop();
        continue;
      }
      const need = needs[top.next++];
      if (state.get(need) === 'visiting') {
        const from = path.findIndex((entry) => entry.name === need);
        const cycle = [...path.slice(from).map((entry) => entry.name), need];
        throw new Error(`the steps form a cycle: ${cycle.reverse().map(bare).join(' -> ')}`);
      }
      if (!state.has(need)) {
        state.set(need, 'visiting');
        path.push({ name: need, next: 0 });
      }
    }
  }
  return order;
}
