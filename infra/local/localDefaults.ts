import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is infra/local/localDefaults.ts). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The default port of the local API, as in the README. */
export const DEFAULT_PORT = 3000;

/**
 * CDK context the local service and `marquee invoke` synthesize with unless told otherwise:
 * serving functions look for a new model every 5 s instead of every minute, so that a local
 * retrain shows at once; GET /v1/model/files is on, for the playground's on-device mode.
 * Everything else is cdk.json's.
 */
export const LOCAL_CONTEXT_DEFAULTS: Readonly<Record<string, unknown>> = { modelRefreshSeconds: 5, modelDownloads: true };

/** The synthesized templates, cached in the data folder with their fingerprint (serviceTemplates.ts). */
export const TEMPLATE_CACHE_FILE = 'template-cache.json';

/** The sample events shipped with the repository, one per function: `<dir>/<FunctionName>.json` (more as `<FunctionName>-<variant>.json`). */
export const SAMPLE_EVENTS_DIR = 'infra/local/events';
