/**
 * The unread events of a streamed run, in the order they happened. A task's first start and its
 * success — two events per task, nearly all of what a run emits — are kept as numbers (a code and
 * a time) and the task's value, and become event objects only when read. A run that outpaces its
 * reader so buffers no objects: event objects made during the run would live through the young
 * generation's collections and be promoted, while objects made as they are read die young.
 * Every other event arrives made, and is kept as it is.
 *
 * Such a run buffers nearly all of its events, so a log starts with room for them (up to a
 * limit). That room is its plan's to reuse: a log read to its end hands its ring to the plan's
 * next stream, which would otherwise allocate and zero it again (768 KiB at 10,000 tasks, half of
 * it in the large-object space: 6% of a streamed run's time).
 */
import { startEvent, successEvent, type EventSink } from './run-events.js';
import type { WorkflowEvent } from './types.js';

// What an entry holds. Its code is `task << KIND_BITS | kind`, or `MADE` alone, and its payload:
/** A task's first attempt started; the payload is unused. */
const FIRST_START = 0;
/** A task's first attempt succeeded; the payload is its value. */
const FIRST_SUCCESS = 1;
/** The payload is the event object itself. */
const MADE = 2;
/**
 * Codes are taken apart with bit operations: read back from a `Float64Array` they are doubles,
 * and `%` on a double is a call of `fmod` (3–6% of a streamed 10,000-task run). Task indexes stay
 * below 2^29, far above any plan's size.
 */
const KIND_BITS = 2;
const KIND_MASK = (1 << KIND_BITS) - 1;
/** The ring's least length; it starts with room for two events per task, up to `MOST_AT_START`. */
const INITIAL_CAPACITY = 16;
const MOST_AT_START = 1 << 15;
/** Numbers are kept in a typed array past this many. */
const TYPED_FROM = 1024;

/** A log's storage: see {@link EventLog.numbers}. */
interface Ring {
  readonly numbers: number[] | Float64Array;
  readonly payloads: unknown[];
}

/**
 * Per plan (keyed by its task names), the empty ring of a log read to its end, for the plan's next
 * stream. One per plan, and only rings not grown past their starting size: what a plan keeps is at
 * most what one of its streams allocates.
 *
 * A plan's entry, once made, stays (a stream takes the ring out of it, not the entry out of the
 * map): deleting it and adding it back, once per stream, left V8 a deleted entry to clear on every
 * add, which it does in its runtime (~800 instructions a streamed run, 1.5% of a 12-task one).
 */
const spareRings = new WeakMap<readonly string[], SpareRing>();

/** A plan's entry in {@link spareRings}. */
interface SpareRing {
  ring: Ring | undefined;
}

/** What a log holds once its ring went back to its plan. */
const RETURNED: Ring = { numbers: [], payloads: [] };

/** A stream's buffer of events: the run writes, the reader takes them oldest first. */
export class EventLog implements EventSink {
  /**
   * Per entry, its code (see `KIND_BITS`) at `2i` and its time at `2i + 1`, in a ring of a
   * power-of-two length: entry `n` is at `n & mask`, counting from when the log was last empty
   * (where `head` and `tail` go back to 0). Entries `head` up to (not including) `tail` are unread.
   */
  private numbers: number[] | Float64Array;
  private payloads: unknown[];
  private mask: number;
  private head = 0;
  private tail = 0;
  private closed = false;
  /** Called after each event the log takes in, while set (the stream sets it while a read waits). */
  onEvent: (() => void) | undefined;

  /** @param names the run plan's task names, by task index */
  constructor(private readonly names: readonly string[]) {
    const capacity = startingCapacity(names);
    const entry = spareRings.get(names);
    const spare = entry?.ring;
    if (spare === undefined) {
      this.numbers = numberArray(2 * capacity);
      this.payloads = new Array<unknown>(capacity);
    } else {
      entry!.ring = undefined;
      ({ numbers: this.numbers, payloads: this.payloads } = spare);
    }
    this.mask = capacity - 1;
  }

  /** Whether every event was read. */
  get isEmpty(): boolean {
    return this.head === this.tail;
  }

  taskStart(task: number, attempt: number, time: number): void {
    if (attempt === 1) this.add((task << KIND_BITS) | FIRST_START, undefined, time);
    else this.event(startEvent(this.names[task], attempt, time));
  }

  taskSuccess(task: number, attempt: number, value: unknown, time: number): void {
    if (attempt === 1) this.add((task << KIND_BITS) | FIRST_SUCCESS, value, time);
    else this.event(successEvent(this.names[task], attempt, value, time));
  }

  event(event: WorkflowEvent): void {
    this.add(MADE, event, event.time);
  }

  /** The oldest unread event, which it forgets (callers check {@link isEmpty} first). */
  take(): WorkflowEvent {
    const at = this.head & this.mask;
    const code = this.numbers[2 * at];
    const payload = this.payloads[at];
    const time = this.numbers[2 * at + 1];
    this.payloads[at] = undefined;
    if (++this.head === this.tail) {
      this.head = this.tail = 0;
      if (this.closed) this.returnRing();
    }
    const kind = code & KIND_MASK;
    if (kind === MADE) return payload as WorkflowEvent;
    const task = this.names[code >> KIND_BITS];
    return kind === FIRST_START ? startEvent(task, 1, time) : successEvent(task, 1, payload, time);
  }

  /** Takes no more events: those still to come are ignored. */
  close(): void {
    this.closed = true;
    this.onEvent = undefined;
    if (this.isEmpty) this.returnRing();
  }

  /** Forgets the unread events (of a closed log). */
  clear(): void {
    this.payloads.fill(undefined);
    this.head = this.tail = 0;
    this.returnRing();
  }

  private add(code: number, payload: unknown, time: number): void {
    if (this.closed) return;
    if (this.tail - this.head > this.mask) this.grow();
    const at = this.tail++ & this.mask;
    this.numbers[2 * at] = code;
    this.numbers[2 * at + 1] = time;
    this.payloads[at] = payload;
    this.onEvent?.();
  }

  /**
   * Hands the ring, empty, to the plan's next stream (see {@link spareRings}); the log is closed
   * and holds nothing from here on.
   */
  private returnRing(): void {
    const { numbers, payloads } = this;
    if (payloads === RETURNED.payloads) return;
    this.numbers = RETURNED.numbers;
    this.payloads = RETURNED.payloads;
    this.mask = 0;
    if (payloads.length !== startingCapacity(this.names)) return;
    let entry = spareRings.get(this.names);
    if (entry === undefined) spareRings.set(this.names, (entry = { ring: undefined }));
    entry.ring ??= { numbers, payloads };
  }

  /** Doubles the ring (it is full), its unread entries first. */
  private grow(): void {
    const { numbers, payloads, head, mask } = this;
    const capacity = 2 * (mask + 1);
    const grownNumbers = numberArray(2 * capacity);
    const grownPayloads = new Array<unknown>(capacity);
    const count = this.tail - head;
    for (let entry = 0; entry < count; entry++) {
      const at = (head + entry) & mask;
      grownNumbers[2 * entry] = numbers[2 * at];
      grownNumbers[2 * entry + 1] = numbers[2 * at + 1];
      grownPayloads[entry] = payloads[at];
    }
    this.numbers = grownNumbers;
    this.payloads = grownPayloads;
    this.mask = capacity - 1;
    this.head = 0;
    this.tail = count;
  }
}

/**
 * How many events a plan's logs start with room for: a start and a success per task, up to a
 * limit (past it, a reader keeping up is the likelier case, and a reader falling behind makes the
 * ring grow).
 */
function startingCapacity(names: readonly string[]): number {
  let capacity = INITIAL_CAPACITY;
  while (capacity < 2 * names.length && capacity < MOST_AT_START) capacity *= 2;
  return capacity;
}

/**
 * Room for `length` numbers: a plain array while small (a typed array over 64 bytes lives off V8's
 * heap and costs ~0.75 µs to allocate, as much as a whole small run's events), a typed array past
 * that (no boxing, fewer cache misses).
 */
function numberArray(length: number): number[] | Float64Array {
  return length > TYPED_FROM ? new Float64Array(length) : new Array<number>(length);
}
