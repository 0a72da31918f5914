import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTIONS } from '../../functions/routes.ts';
import type { ServiceTemplates } from './cfnTemplate.ts';

const run = promisify(execFile);
const RUN_TS = fileURLToPath(new URL('../cli/run-ts.mjs', import.meta.url));
const SYNTH_MAIN = fileURLToPath(new URL('./synthTemplatesMain.ts', import.meta.url));

export interface LoadTemplatesOptions {
  readonly projectRoot: string;
  /** Context over cdk.json's (`-c key=value`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where a synthesized result is kept with its fingerprint; none: always synthesize. */
  readonly cacheFile?: string;
}

export interface LoadedTemplates {
  readonly templates: ServiceTemplates;
  /** Whether the cache answered (no synthesis ran). */
  readonly cached: boolean;
  readonly fingerprint: string;
}

/**
 * The synthesized templates of the CDK app, as `cdk synth` would build them now. Synthesis runs
 * in a child process (aws-cdk-lib stays out of the service's memory, and the service's own start
 * goes on meanwhile); its result is cached beside the data (the last few syntheses) with a fingerprint of everything that
 * shapes the templates — cdk.json, the lockfile (library versions), the app, stacks and
 * constructs, functions/routes.ts and which of its handlers exist, and the context — so a start
 * with nothing changed reads the cache, and any change synthesizes again.
 */
export async function loadServiceTemplates(options: LoadTemplatesOptions): Promise<LoadedTemplates> {
  const fingerprint = await templateFingerprint(options.projectRoot, options.context ?? {});
  const entries = options.cacheFile ? await readCache(options.cacheFile) : [];
  const hit = entries.find((entry) => entry.fingerprint === fingerprint);
  if (hit) return { templates: hit.templates, cached: true, fingerprint };
  const templates = await synthInChildProcess(options.projectRoot, options.context ?? {});
  if (options.cacheFile) {
    const kept = [{ fingerprint, templates }, ...entries].slice(0, CACHE_ENTRIES);
    await writeFile(`${options.cacheFile}.${process.pid}.tmp`, JSON.stringify({ entries: kept }));
    await rename(`${options.cacheFile}.${process.pid}.tmp`, options.cacheFile);
  }
  return { templates, cached: false, fingerprint };
}

/** Syntheses kept (the service and `marquee invoke` may use different context). */
const CACHE_ENTRIES = 4;

interface CacheEntry {
  readonly fingerprint: string;
  readonly templates: ServiceTemplates;
}

async function readCache(file: string): Promise<CacheEntry[]> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { entries?: CacheEntry[] };
    return Array.isArray(parsed.entries) ? parsed.entries : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return [];
    throw error;
  }
}

async function synthInChildProcess(projectRoot: string, context: Readonly<Record<string, unknown>>): Promise<ServiceTemplates> {
  const dir = await mkdtemp(join(tmpdir(), 'marquee-synth-'));
  const out = join(dir, 'templates.json');
  try {
    try {
      await run(process.execPath, [RUN_TS, SYNTH_MAIN, out, JSON.stringify({ projectRoot, context })], {
        cwd: projectRoot,
        maxBuffer: 16 << 20,
      });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
      throw new Error(`synthesizing the CDK app failed: ${stderr.split('\n').slice(-12).join('\n') || (error as Error).message}`, {
        cause: error,
      });
    }
    return JSON.parse(await readFile(out, 'utf8')) as ServiceTemplates;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** sha256 over the inputs of the synthesis (see loadServiceTemplates). */
export async function templateFingerprint(projectRoot: string, context: Readonly<Record<string, unknown>>): Promise<string> {
  const hash = createHash('sha256');
  const files = ['cdk.json', 'package-lock.json', 'infra/app.ts', 'functions/routes.ts', 'infra/local/synthTemplates.ts'];
  for (const dir of ['infra/stacks', 'infra/constructs']) {
    const entries = await readdir(join(projectRoot, dir), { recursive: true }).catch(() => [] as string[]);
    files.push(...entries.filter((name) => name.endsWith('.ts')).map((name) => join(dir, name)));
  }
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(projectRoot, file)).catch(() => Buffer.from('(absent)')));
  }
  // Functions whose handler file does not exist yet are left out of the synth.
  hash.update(FUNCTIONS.map((spec) => `${spec.entry}:${existsSync(join(projectRoot, spec.entry))}`).join('\n'));
  hash.update(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));
  return hash.digest('hex');
}
