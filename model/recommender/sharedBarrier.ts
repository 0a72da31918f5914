import { TrainingError } from '../errors.ts';

/** Slots of the shared control array of a parallel trainer. */
export const CONTROL = {
  /** Barrier generation: bumped each time every party has arrived. */
  generation: 0,
  /** Parties arrived at the current barrier. */
  arrived: 1,
  /** 0 while training, 1 once the trainer is closing. */
  stop: 2,
  /** 0; -1 while a failure is being recorded; then 1 + the rank of the thread that failed. */
  failed: 3,
  /** Workers that have started and are waiting for work. */
  ready: 4,
  /** Users in the current mini-batch. */
  batchCount: 5,
  /** Bytes of the failure message in the message buffer. */
  messageLength: 6,
  /** Steps the workers have finished, summed over workers. */
  stepsDone: 7,
  size: 8,
} as const;

/** Polling interval while waiting, so that a failure elsewhere is noticed (milliseconds). */
const WAIT_SLICE_MS = 20;
/** Loads of the generation before sleeping: a barrier usually opens within microseconds. */
const SPINS = 2000;

/**
 * A reusable barrier for `parties` threads over an Int32Array in shared memory (generation
 * counting with Atomics.wait / notify). A thread that fails marks the control array and wakes the
 * others, whose wait() then throws a TrainingError instead of blocking forever.
 */
export class SharedBarrier {
  constructor(
    private readonly control: Int32Array,
    private readonly parties: number,
    /** Where the first failure's message is written (shared by all parties). */
    private readonly messages: Uint8Array,
  ) {}

  /** Blocks until all parties have called wait() for this generation. */
  wait(): void {
    const control = this.control;
    const generation = Atomics.load(control, CONTROL.generation);
    if (Atomics.add(control, CONTROL.arrived, 1) === this.parties - 1) {
      // Last to arrive: reset the count before opening, so that the next generation starts at 0.
      Atomics.store(control, CONTROL.arrived, 0);
      Atomics.add(control, CONTROL.generation, 1);
      Atomics.notify(control, CONTROL.generation);
      return;
    }
    let spins = 0;
    while (Atomics.load(control, CONTROL.generation) === generation) {
      if (Atomics.load(control, CONTROL.failed) > 0) throw new TrainingError(this.failure());
      if (spins < SPINS) spins++;
      else Atomics.wait(control, CONTROL.generation, generation, WAIT_SLICE_MS);
    }
  }

  /** Records that thread `rank` failed with `message` and wakes every waiting thread. */
  fail(rank: number, message: string): void {
    // Claim the slot (-1) so that only the first failure is recorded, write its message, then publish.
    if (Atomics.compareExchange(this.control, CONTROL.failed, 0, -1) !== 0) return;
    const bytes = new TextEncoder().encode(message).subarray(0, this.messages.length);
    this.messages.set(bytes);
    Atomics.store(this.control, CONTROL.messageLength, bytes.length);
    Atomics.store(this.control, CONTROL.failed, rank + 1);
    Atomics.notify(this.control, CONTROL.generation);
  }

  /** Whether some thread has failed. */
  get failed(): boolean {
    return Atomics.load(this.control, CONTROL.failed) > 0;
  }

  /** The first failure, as `training thread <rank> failed: <message>`. */
  failure(): string {
    const rank = Atomics.load(this.control, CONTROL.failed) - 1;
    const length = Atomics.load(this.control, CONTROL.messageLength);
    // TextDecoder refuses views of shared memory, hence the copy.
    const message = new TextDecoder().decode(this.messages.slice(0, length));
    return `training thread ${rank} failed: ${message}`;
  }
}
