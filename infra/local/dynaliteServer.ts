import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { loadDynalite } from './dynaliteStoreErrors.ts';

/** What the thread is given (dynaliteThread.ts) and what it answers once listening. */
export interface DynaliteThreadData {
  readonly path: string;
  readonly port: number;
}
export type DynaliteThreadMessage = { readonly port: number } | { readonly error: string } | { readonly closed: true };

// The body of the dynalite thread: one server on its own event loop, closed when the parent asks.
const { path, port } = workerData as DynaliteThreadData;
const port_ = parentPort;
if (!port_) throw new Error('dynaliteServer.ts runs only as the dynalite worker thread (dynaliteThread.ts)');
// A failed write (read-only folder, full disk) fails its request instead of the thread.
const server = loadDynalite()({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once('error', (error: Error) => port_.postMessage({ error: error.message } satisfies DynaliteThreadMessage));
server.listen(port, '127.0.0.1', () => port_.postMessage({ port: (server.address() as AddressInfo).port } satisfies DynaliteThreadMessage));
port_.on('message', (message: unknown) => {
  if (message !== 'close') return;
  server.close(() => {
    port_.postMessage({ closed: true } satisfies DynaliteThreadMessage);
    port_.close();
  });
});
