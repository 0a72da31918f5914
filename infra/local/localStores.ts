import { readEndpoints, processAlive } from './endpointsFile.ts';
import { startLocalAws } from './localAws.ts';
import { makeDataDir } from './dataDir.ts';

/** The local S3 and DynamoDB of a data folder, for a command that acts on them. */
export interface LocalStores {
  /** startLocalAws's `env`: endpoints, credentials, bucket and table names. */
  readonly env: Readonly<Record<string, string>>;
  /** `service`: the running local service's servers; `own`: started by this process for the command. */
  readonly origin: 'service' | 'own';
  /** The service's API, when it is running and ready. */
  readonly apiUrl?: string;
  /** Stops the servers this process started (nothing for the service's). */
  close(): Promise<void>;
}

/**
 * The stores of the local service of `dataDir`: the running service's (its endpoints.json, when
 * its process is alive and its S3 answers), or else the same data on disk served by s3rver and
 * dynalite started here until `close()` — as `sam local invoke` needs no running API. Two
 * processes never open the same DynamoDB files: with the service running, its servers are used.
 */
export async function openLocalStores(dataDir: string): Promise<LocalStores> {
  const record = await readEndpoints(dataDir);
  if (record?.service && processAlive(record.service.pid) && (await answers(record.env.AWS_ENDPOINT_URL_S3))) {
    return {
      env: record.env,
      origin: 'service',
      ...(record.service.state === 'ready' && record.service.url ? { apiUrl: record.service.url } : {}),
      close: async () => undefined,
    };
  }
  await makeDataDir(dataDir);
  const local = await startLocalAws({ dataDir });
  return { env: local.env, origin: 'own', close: () => local.stop() };
}

/** Whether an HTTP server answers at `url` (any status) within a second. */
async function answers(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}
