import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../../infra/cli/marquee.mjs');
const datasets = process.env.MARQUEE_DATASETS;
if (!datasets) console.warn('marquee import on MovieLens 100K skipped: set MARQUEE_DATASETS to the datasets folder');

async function marquee(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('marquee import', () => {
  it('names what it needs', async () => {
    const missing = await marquee('import');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--movielens <folder> is required/);
    const empty = await marquee('import', '--movielens', tmpdir(), '--data-dir', join(tmpdir(), 'marquee-never-created'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/neither u\.data \+ u\.item .* nor ratings\.csv \+ movies\.csv/);
  });
});

describe.skipIf(!datasets)('marquee import --movielens ml-100k (needs MARQUEE_DATASETS)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'marquee-import-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loads every title and rating into the stores of a data folder, and refuses the same ratings twice', async () => {
    const folder = join(datasets as string, 'ml-100k');
    const first = await marquee('import', '--movielens', folder, '--data-dir', dataDir, '--json');
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as {
      layout: string;
      titles: number;
      users: number;
      events: number;
      history: { usersRestored: number; usersFailed: number };
    };
    expect(report).toMatchObject({ layout: 'ml-100k', titles: 1682, users: 943, events: 100_000 });
    expect(report.history).toMatchObject({ usersRestored: 943, usersFailed: 0 });
    const again = await marquee('import', '--movielens', folder, '--data-dir', dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/was imported into .* --force/);
  });
});
