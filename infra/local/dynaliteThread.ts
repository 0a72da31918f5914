import { Worker } from 'node:worker_threads';
import type { DynaliteThreadData, DynaliteThreadMessage } from './dynaliteServer.ts';

export interface DynaliteThread {
  readonly endpoint: string;
  /** Closes the server (its LevelDB store flushed) and ends the thread. */
  stop(): Promise<void>;
}

/**
 * Runs dynalite, the local DynamoDB server, in a worker thread of this process: its own event
 * loop on another core, so that the store's work (a history Query costs dynalite ≈ 1 ms of CPU)
 * does not queue behind the functions' on the service's main thread — one process still, which
 * ends with its parent and leaves nothing behind.
 */
export async function startDynaliteThread(data: DynaliteThreadData): Promise<DynaliteThread> {
  const worker = new Worker(new URL('./dynaliteWorker.mjs', import.meta.url), { workerData: data, stdout: false, stderr: false });
  const messages: DynaliteThreadMessage[] = [];
  const waiters: ((message: DynaliteThreadMessage) => void)[] = [];
  worker.on('message', (message: DynaliteThreadMessage) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  let exited: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', (error) => {
      exited = error;
      reject(error);
    });
    worker.once('exit', (code) => {
      exited ??= new Error(`the dynalite thread exited (code ${code})`);
      reject(exited);
    });
  });
  failed.catch(() => undefined);
  const next = (): Promise<DynaliteThreadMessage> =>
    Promise.race([
      new Promise<DynaliteThreadMessage>((resolve) => (messages.length > 0 ? resolve(messages.shift()!) : waiters.push(resolve))),
      failed,
    ]);

  const first = await next();
  if ('error' in first) {
    await worker.terminate();
    throw new Error(`dynalite could not start: ${first.error}`);
  }
  if (!('port' in first)) throw new Error('dynalite thread: unexpected first message');
  return {
    endpoint: `http://127.0.0.1:${first.port}`,
    async stop() {
      if (exited) return;
      worker.postMessage('close');
      await next().catch(() => undefined);
      await worker.terminate();
    },
  };
}
