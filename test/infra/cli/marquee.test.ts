import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCatalog, Random } from '../../../model/index.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../infra/cli/marquee.mjs');

async function marquee(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('marquee CLI', () => {
  let dir: string;
  let trainFile: string;
  let testFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-cli-'));
    // A small u.data-style split of generated ratings: 75 % of each viewer's ratings to train.
    const { events } = generateDemoCatalog({ seed: 4, items: 120, users: 100 });
    const rows = events.filter((event) => event.type === 'rating');
    const rng = new Random(9);
    const train: string[] = [];
    const test: string[] = [];
    for (const event of rows) {
      const line = `${event.userId.slice(1)}\t${event.itemId.slice(1)}\t${Math.round(event.value ?? 3)}\t${Math.round(event.timestamp)}`;
      (rng.next() < 0.75 ? train : test).push(line);
    }
    trainFile = join(dir, 'train.tsv');
    testFile = join(dir, 'test.tsv');
    await writeFile(trainFile, `${train.join('\n')}\n`);
    await writeFile(testFile, `${test.join('\n')}\n`);
  });

  it('train writes model.onnx, similar.onnx and a manifest whose hashes match the files', async () => {
    const out = join(dir, 'model');
    const result = await marquee('train', '--train', trainFile, '--out', out, '--json', '--dim', '16');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout);
    expect(summary.ratingHead).toBe(true);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.version).toBe(summary.version);
    expect(manifest.itemIds.length).toBe(summary.items);
    for (const name of ['model.onnx', 'similar.onnx']) {
      const bytes = await readFile(join(out, name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.files[name].sha256);
    }
  });

  it('evaluate --protocol ranking prints the ranking metrics as one JSON object', async () => {
    const result = await marquee('evaluate', '--protocol', 'ranking', '--train', trainFile, '--test', testFile, '--json');
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout);
    expect(Object.keys(metrics).sort()).toEqual(
      ['coverageAt10', 'epochs', 'hrAt10', 'mapAt10', 'ndcgAt10', 'objective', 'precisionAt10', 'recallAt10', 'trainSeconds'].sort(),
    );
    for (const key of ['coverageAt10', 'hrAt10', 'mapAt10', 'ndcgAt10', 'precisionAt10', 'recallAt10']) {
      expect(metrics[key]).toBeGreaterThan(0);
      expect(metrics[key]).toBeLessThanOrEqual(1);
    }
    // A small catalog: auto keeps the full softmax.
    expect(metrics.objective).toBe('full');
  });

  it('evaluate --objective sampled trains the sampled objective, and refuses an unknown one', async () => {
    const result = await marquee(
      'evaluate',
      '--protocol',
      'ranking',
      '--train',
      trainFile,
      '--test',
      testFile,
      '--objective',
      'sampled',
      '--json',
    );
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout);
    expect(metrics.objective).toBe('sampled');
    expect(metrics.ndcgAt10).toBeGreaterThan(0);
    const bad = await marquee('evaluate', '--protocol', 'ranking', '--train', trainFile, '--test', testFile, '--objective', 'fast');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--objective/);
  });

  it('evaluate --protocol rating prints rmse, mae and trainSeconds', async () => {
    const result = await marquee('evaluate', '--protocol', 'rating', '--train', trainFile, '--test', testFile, '--json');
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout);
    expect(Object.keys(metrics).sort()).toEqual(['mae', 'rmse', 'trainSeconds']);
    expect(metrics.rmse).toBeGreaterThan(0);
    expect(metrics.rmse).toBeLessThan(1.5);
    expect(metrics.mae).toBeLessThanOrEqual(metrics.rmse);
  });

  it('shows training progress on a terminal, and with --json prints the JSON object alone there too', async () => {
    // `script` runs the command on a pseudo-terminal (stdout and stderr both go to it).
    const onTerminal = async (...args: string[]) => {
      const command = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(' ');
      const { stdout } = await run('script', ['-qec', command, '/dev/null'], { maxBuffer: 16 << 20 });
      return stdout.replace(/\r/g, '');
    };
    const common = ['evaluate', '--protocol', 'ranking', '--train', trainFile, '--test', testFile];
    const progress = await onTerminal(...common);
    expect(progress).toMatch(/epoch\s+1\b/);
    expect(progress).toMatch(/ndcgAt10|nDCG@10/);
    const quiet = (await onTerminal(...common, '--json')).trim();
    expect(quiet.split('\n')).toHaveLength(1);
    expect(Object.keys(JSON.parse(quiet))).toContain('ndcgAt10');
  });

  it('names a missing flag and exits 2', async () => {
    const result = await marquee('train', '--out', join(dir, 'x'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--train is required');
  });

  it('rejects an unknown protocol and an unknown command', async () => {
    const protocol = await marquee('evaluate', '--protocol', 'nope', '--train', trainFile, '--test', testFile);
    expect(protocol.code).toBe(2);
    expect(protocol.stderr).toContain('--protocol must be ranking or rating');
    const command = await marquee('frobnicate');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command frobnicate');
  });

  it('reports a malformed line of a ratings file with its file and line number', async () => {
    const bad = join(dir, 'bad.tsv');
    await writeFile(bad, '1\t2\t4\t881250949\n1\t3\tfive\t881250949\n');
    const result = await marquee('train', '--train', bad, '--out', join(dir, 'bad-model'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.tsv:2/);
  });

  it('demo trains on the generated catalog and recommends for the sample request', async () => {
    const result = await marquee('demo', '--json', '--out', join(dir, 'demo'));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.recommendations).toHaveLength(10);
    const history = new Set(report.request.history);
    for (const item of report.recommendations) {
      expect(history.has(item.itemId)).toBe(false);
      expect(typeof item.because).toBe('string');
    }
    expect(report.similar.length).toBe(5);
  });
});

const datasets = process.env.MARQUEE_DATASETS;
if (!datasets) console.warn('MARQUEE_DATASETS is not set: skipping the MovieLens evaluation tests of the CLI');

describe.skipIf(!datasets)('marquee evaluate on MovieLens 100K (needs MARQUEE_DATASETS)', () => {
  it('reaches nDCG@10 >= 0.45 on ml-100k-ranking (the issue’s bar; BPR-MF reaches 0.44–0.45)', async () => {
    const ranking = join(datasets!, 'ml-100k-ranking');
    const result = await marquee(
      'evaluate',
      '--protocol',
      'ranking',
      '--train',
      join(ranking, 'train.tsv'),
      '--test',
      join(ranking, 'test.tsv'),
      '--items',
      join(datasets!, 'ml-100k', 'u.item'),
      '--json',
    );
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout);
    expect(metrics.ndcgAt10).toBeGreaterThanOrEqual(0.45);
    expect(metrics.precisionAt10).toBeGreaterThan(0.39);
  }, 900_000);

  it('predicts ratings of u1.test better than Surprise SVD (RMSE 0.934 over the folds)', async () => {
    const ml = join(datasets!, 'ml-100k');
    const result = await marquee(
      'evaluate',
      '--protocol',
      'rating',
      '--train',
      join(ml, 'u1.base'),
      '--test',
      join(ml, 'u1.test'),
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).rmse).toBeLessThan(0.934);
  }, 900_000);
});
