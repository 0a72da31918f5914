import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'infra/cli/marquee.mjs');
/** Small and quick: the demo, the model, a gate that lets any finite candidate through. */
const RETRAIN_ENV = { RETRAIN_MAX_EPOCHS: '12', RETRAIN_DIM: '16', RETRAIN_GATE_TOLERANCE: '1', RETRAIN_RESERVE_SECONDS: '5' };
const SERVE_ARGS = [
  ...['--port', '0', '--quiet', '--demo-items', '150', '--demo-users', '90', '--demo-events-per-user', '30'],
  ...Object.entries(RETRAIN_ENV).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
];
export const START_TIMEOUT = 300_000;

export interface ServedService {
  readonly child: ChildProcess;
  readonly url: string;
  readonly key: string;
  readonly output: () => string;
  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `marquee serve` (what `npm start` runs) in a child process on a free port over `dataDir`, with
 * a small demo catalog and model and the given key, once it says it is running.
 */
export async function startServedService(dataDir: string, key: string): Promise<ServedService> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, ...SERVE_ARGS], {
    cwd: ROOT,
    env: { ...process.env, MARQUEE_API_KEY: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  };
  const deadline = Date.now() + START_TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`marquee serve exited with code ${child.exitCode}:\n${output}`);
    const record = await readJson<{ service?: { state: string; url?: string } }>(join(dataDir, 'endpoints.json'));
    if (record?.service?.state === 'ready' && record.service.url && output.includes('Marquee is running at')) {
      return { child, url: record.service.url, key, output: () => output, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`marquee serve was not ready in time:\n${output}`);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
