// Cost of reading one viewer's history, as serving does on every personalised request. Prints
// figures; asserts nothing.
//
//   npm run bench:history [-- --json] [-- --entries 50,200] [-- --reads 1000]
//
// s3rver and dynalite run in a child process on local disk (a temporary folder), so they get the
// other core rather than this event loop. For each history length, one viewer's events are sent
// through acceptEvents (batches of 50, as the events function stores them), then
// UserHistoryStore.get (the read of GET /v1/users/{id}/recommendations and /v1/rank) is called
// `--reads` times one after another, after 300 unmeasured reads:
//   - readP50Ms / readP99Ms: wall time of one read (SDK, HTTP to dynalite, dynalite, unmarshalling);
//   - cpuMsPerRead: this process's CPU time per read (what a Lambda is billed for besides waiting),
//     less bent by other load on the machine than the wall times;
//   - storeCpuMsPerRead: the local servers' process CPU per read (Linux; dynalite's work, which in
//     `npm start` and bench:http runs in the service's own process, and in AWS is DynamoDB's).
// The script only uses acceptEvents and UserHistoryStore.get, so the same file measures the
// history store of another checkout (copy it there). With --json: {"histories": [{"entries",
// "readP50Ms", "readP99Ms", "cpuMsPerRead", "storeCpuMsPerRead"}, …], "loadAverage"}.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);

if (args.includes('--serve-local-aws')) {
  // Child mode: run the local servers until stdin closes, printing their environment once.
  const { startLocalAws } = await import('../infra/local/localAws.ts');
  const local = await startLocalAws({ dataDir: args[args.indexOf('--serve-local-aws') + 1] });
  process.stdout.write(`${JSON.stringify(local.env)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void local.stop().then(() => process.exit(0)));
} else {
  await bench();
}

function option(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}

async function bench(): Promise<void> {
  const json = args.includes('--json');
  const lengths = option('--entries', '50,200').split(',').map(Number);
  const reads = Number(option('--reads', '1000'));
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-history-'));
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../infra/cli/run-ts.mjs'), import.meta.filename, '--serve-local-aws', dir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const loadBefore = loadavg()[0];
  try {
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`local servers exited with ${code}`)));
    });
    Object.assign(process.env, JSON.parse(firstLine) as Record<string, string>, {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const env = JSON.parse(firstLine) as Record<string, string>;
    const [{ createAwsClients }, { IdempotencyStore }, { UserHistoryStore }, { acceptEvents }] = await Promise.all([
      import('../functions/commons/awsClients.ts'),
      import('../functions/commons/idempotencyStore.ts'),
      import('../functions/commons/userHistoryStore.ts'),
      import('../functions/events/acceptEvents.ts'),
    ]);
    const { s3, dynamo } = createAwsClients({ s3ForcePathStyle: true });
    const histories = [];
    for (const length of lengths) {
      const history = new UserHistoryStore(dynamo, env.HISTORY_TABLE_NAME, { maxLength: length, ttlSeconds: 86_400 });
      const stores = {
        s3,
        bucket: env.BUCKET_NAME,
        idempotency: new IdempotencyStore(dynamo, env.IDEMPOTENCY_TABLE_NAME, 86_400),
        history,
      };
      const userId = `reader-${length}`;
      for (let start = 0; start < length; start += 50) {
        const events = Array.from({ length: Math.min(50, length - start) }, (_, i) => ({
          eventId: `${userId}-${start + i}`,
          userId,
          itemId: `title-${((start + i) * 7919) % 50_000}`,
          type: (start + i) % 10 === 0 ? ('rating' as const) : ('watch' as const),
          value: (start + i) % 10 === 0 ? 4 : 0.75,
          timestamp: 1_700_000_000 + start + i,
        }));
        await acceptEvents(stores, events, new Date());
      }
      const got = await history.get(userId);
      if (got.length !== length) throw new Error(`expected ${length} entries, read ${got.length}`);
      for (let i = 0; i < 300; i++) await history.get(userId);
      const times: number[] = [];
      const storeCpu = await processCpuMs(child.pid);
      const cpu = process.cpuUsage();
      for (let i = 0; i < reads; i++) {
        const t0 = performance.now();
        await history.get(userId);
        times.push(performance.now() - t0);
      }
      const used = process.cpuUsage(cpu);
      const storeCpuAfter = await processCpuMs(child.pid);
      const storeCpuMsPerRead =
        storeCpu === undefined || storeCpuAfter === undefined ? undefined : round((storeCpuAfter - storeCpu) / reads);
      times.sort((a, b) => a - b);
      const quantile = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
      histories.push({
        entries: length,
        readP50Ms: round(quantile(0.5)),
        readP99Ms: round(quantile(0.99)),
        cpuMsPerRead: round((used.user + used.system) / 1000 / reads),
        storeCpuMsPerRead,
      });
    }
    const result = { histories, loadAverage: { before: loadBefore, after: loadavg()[0] } };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      for (const h of histories) {
        process.stdout.write(
          `history of ${h.entries}: read p50 ${h.readP50Ms} ms, p99 ${h.readP99Ms} ms, CPU ${h.cpuMsPerRead} ms per read (local store ${h.storeCpuMsPerRead ?? '?'} ms)\n`,
        );
      }
      process.stdout.write(`load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}\n`);
    }
  } finally {
    child.stdin!.end();
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

/** A process's CPU time so far (Linux /proc: utime + stime, in clock ticks of 10 ms), or undefined elsewhere. */
async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
  } catch {
    return undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
