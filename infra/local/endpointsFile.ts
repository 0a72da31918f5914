import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENDPOINTS_FILE } from '../cli/serviceEnvironment.ts';

/**
 * `<dataDir>/endpoints.json`, the running local service's record: `env` is startLocalAws's `env`
 * (SDK endpoints, credentials, bucket and table names), which `marquee retrain | model | history |
 * import | invoke` load to act on the service's stores; `service` says where its API listens.
 */
export interface EndpointsRecord {
  readonly env: Readonly<Record<string, string>>;
  readonly service?: {
    readonly pid: number;
    /** `starting` while the stores are up but the API is not yet (demo data, first model). */
    readonly state: 'starting' | 'ready';
    readonly url?: string;
    readonly startedAt: string;
  };
}

export function endpointsPath(dataDir: string): string {
  return join(dataDir, ENDPOINTS_FILE);
}

/** Written whole (temporary file, then rename), so a reader never sees half a record. */
export async function writeEndpoints(dataDir: string, record: EndpointsRecord): Promise<void> {
  const file = endpointsPath(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  // Owner only: it holds the local stores' credentials and endpoints.
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}

/** The record, or undefined when there is none (or it is not one). */
export async function readEndpoints(dataDir: string): Promise<EndpointsRecord | undefined> {
  let text: string;
  try {
    text = await readFile(endpointsPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as Partial<EndpointsRecord>;
    return typeof record.env === 'object' && record.env !== null ? (record as EndpointsRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the record if it is this process's (another service may have taken the folder over). */
export async function removeEndpoints(dataDir: string, pid: number = process.pid): Promise<void> {
  const record = await readEndpoints(dataDir);
  if (record?.service?.pid === pid) await rm(endpointsPath(dataDir), { force: true });
}

/** Whether a process with this id runs (a record left by a crash names a dead one). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
