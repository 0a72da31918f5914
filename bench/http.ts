/**
 * `npm run bench:http [-- --json] [--connections 50] [--seconds 15] [--warmup-seconds 3] [--url <base> --key <key>] [--path /v1/health]`
 *
 * Requests per second and latency of `GET /v1/users/{userId}/recommendations` over HTTP against
 * the local service, at a fixed number of concurrent keep-alive connections (default 50).
 *
 * - Without --url, boots the local service as `npm start` does (`marquee serve`, a child process,
 *   a temporary data folder, a free port, the default demo catalog of 300 viewers and 400
 *   titles, its first model) and stops it afterwards; with --url and --key, measures a service
 *   that is already running.
 * - The load generator runs in this process, apart from the server: each connection sends its
 *   next request when the previous answer has arrived (closed loop), cycling through the demo
 *   viewers u1…u300, so each request reads a different history and scores it with the model.
 *   The first seconds are a warm-up and are not counted.
 * - Only 200 responses count as served; anything else is reported as errors.
 * - `--path` measures another GET route instead (e.g. `/v1/health`: the local API's own ceiling,
 *   routing and key check with a function that does no I/O); `{userId}` in it cycles as above.
 * - The machine may be shared: the 1-minute load average before and after is reported with the
 *   figures, and nothing is asserted.
 *
 * Prints a summary, or with --json: {"requestsPerSecond", "p99Ms", "p50Ms", "errors",
 * "connections", "seconds", "loadAverage"}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MARQUEE = join(ROOT, 'infra/cli/marquee.mjs');
const USERS = 300;

interface Figures {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly errors: number;
  readonly connections: number;
  readonly seconds: number;
  readonly loadAverage: { readonly before: number; readonly after: number; readonly cpus: number };
  /** CPU time of the service process per served request (Linux, when this script started it): a figure less bent by other load than throughput. */
  readonly serverCpuMsPerRequest?: number;
  /** The load generator's own CPU time per request. */
  readonly clientCpuMsPerRequest: number;
}

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    'warmup-seconds': { type: 'string', default: '3' },
    url: { type: 'string' },
    key: { type: 'string' },
    path: { type: 'string', default: '/v1/users/{userId}/recommendations?count=10' },
  },
});
const pathTemplate = values.path;
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const warmupSeconds = Number(values['warmup-seconds']);
if (!(connections >= 1 && seconds > 0 && warmupSeconds >= 0)) throw new Error('--connections ≥ 1, --seconds > 0, --warmup-seconds ≥ 0');
if ((values.url === undefined) !== (values.key === undefined)) throw new Error('--url and --key go together');
const say = (line: string) => void (values.json ? process.stderr : process.stdout).write(`${line}\n`);

let child: ChildProcess | undefined;
let dataDir: string | undefined;
try {
  let url = values.url;
  let key = values.key;
  if (url === undefined || key === undefined) {
    dataDir = await mkdtemp(join(tmpdir(), 'marquee-bench-http-'));
    say(`starting the local service in ${dataDir} (demo catalog and first model)…`);
    const started = await startService(dataDir);
    child = started.child;
    url = started.url;
    key = started.key;
  }
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  say(`${connections} connections, ${warmupSeconds} s warm-up, ${seconds} s measured: GET ${url}${pathTemplate}`);
  await load(agent, target, key, connections, warmupSeconds * 1000, undefined);
  const before = loadavg()[0];
  const serverCpuBefore = child?.pid === undefined ? undefined : await processCpuMs(child.pid);
  const clientCpuBefore = process.cpuUsage();
  const latencies: number[] = [];
  const { ok, errors, elapsedMs } = await load(agent, target, key, connections, seconds * 1000, latencies);
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuAfter = child?.pid === undefined ? undefined : await processCpuMs(child.pid);
  const after = loadavg()[0];
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies.length === 0 ? Number.NaN : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const figures: Figures = {
    requestsPerSecond: Math.round((ok / elapsedMs) * 1000),
    p99Ms: round(quantile(0.99)),
    p50Ms: round(quantile(0.5)),
    errors,
    connections,
    seconds,
    loadAverage: { before: round(before), after: round(after), cpus: cpus().length },
    ...(serverCpuBefore !== undefined && serverCpuAfter !== undefined && ok > 0
      ? { serverCpuMsPerRequest: round((serverCpuAfter - serverCpuBefore) / ok, 3) }
      : {}),
    clientCpuMsPerRequest: round((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, ok + errors), 3),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    say(`requests/s ${figures.requestsPerSecond}   p50 ${figures.p50Ms} ms   p99 ${figures.p99Ms} ms   errors ${errors}`);
    say(
      `load average ${figures.loadAverage.before} → ${figures.loadAverage.after} on ${figures.loadAverage.cpus} CPUs (the machine may be shared)`,
    );
    say(
      `CPU per request: ${figures.serverCpuMsPerRequest === undefined ? '' : `service ${figures.serverCpuMsPerRequest} ms, `}load generator ${figures.clientCpuMsPerRequest} ms`,
    );
  }
} finally {
  if (child) await stopService(child);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

/**
 * `connections` closed loops for `durationMs`: each sends a request, waits for the whole answer,
 * sends the next. Latencies (ms) of 200 answers go to `latencies` when given.
 */
async function load(
  agent: Agent,
  target: URL,
  key: string,
  count: number,
  durationMs: number,
  latencies: number[] | undefined,
): Promise<{ ok: number; errors: number; elapsedMs: number }> {
  const started = performance.now();
  const until = started + durationMs;
  let ok = 0;
  let errors = 0;
  let next = 0;
  const loop = async () => {
    while (performance.now() < until) {
      const user = `u${(next++ % USERS) + 1}`;
      const sent = performance.now();
      const status = await get(agent, target, pathTemplate.replace('{userId}', user), key);
      if (status === 200) {
        ok++;
        latencies?.push(performance.now() - sent);
      } else {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: count }, loop));
  return { ok, errors, elapsedMs: performance.now() - started };
}

/** The status of a GET, its body read and dropped; 0 for a failed connection. */
function get(agent: Agent, target: URL, path: string, key: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ agent, hostname: target.hostname, port: target.port, path, headers: { 'x-api-key': key } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** `marquee serve` on a free port over `dir`; resolves when its endpoints.json says ready. */
async function startService(dir: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(process.execPath, [MARQUEE, 'serve', '--data-dir', dir, '--port', '0', '--quiet'], {
    cwd: ROOT,
    env: { ...process.env, MARQUEE_API_KEY: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = `${stderr}${chunk.toString('utf8')}`.slice(-4000)));
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the local service exited with code ${child.exitCode}: ${stderr}`);
    try {
      const record = JSON.parse(await readFile(join(dir, 'endpoints.json'), 'utf8')) as { service?: { state?: string; url?: string } };
      if (record.service?.state === 'ready' && record.service.url) {
        return { child, url: record.service.url, key: (await readFile(join(dir, 'api-key'), 'utf8')).trim() };
      }
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`the local service was not ready within 10 minutes: ${stderr}`);
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** User + system CPU milliseconds of a process, from /proc (Linux); undefined elsewhere. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks (100 per second).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return undefined;
  }
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
