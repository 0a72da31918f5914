// A worker thread of ParallelTrainer (started through gradientWorker.mjs, which registers tsx).
// It runs its rank's part of every step until the trainer closes; a failure is recorded in the
// shared control array, so that the main thread's next barrier throws it instead of hanging.
import { workerData } from 'node:worker_threads';
import { CONTROL, SharedBarrier } from './sharedBarrier.ts';
import { TrainingThread, type ParallelSetup } from './trainingThread.ts';

const { setup, rank } = workerData as { setup: ParallelSetup; rank: number };
const control = new Int32Array(setup.control);
const barrier = new SharedBarrier(control, setup.threads, new Uint8Array(setup.messages));

try {
  const thread = new TrainingThread(setup, rank);
  Atomics.add(control, CONTROL.ready, 1);
  Atomics.notify(control, CONTROL.ready);
  // No barrier after a step: the next step's opening one closes it, and the trainer's read()
  // waits for the count of finished steps (see ParallelTrainer).
  for (;;) {
    barrier.wait();
    if (Atomics.load(control, CONTROL.stop) !== 0) break;
    thread.step(barrier);
    Atomics.add(control, CONTROL.stepsDone, 1);
    Atomics.notify(control, CONTROL.stepsDone);
  }
} catch (error) {
  // A barrier that throws because another thread failed has nothing to add.
  if (!barrier.failed) barrier.fail(rank, error instanceof Error ? (error.stack ?? error.message) : String(error));
}
