import { PutObjectCommand, type S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { eventLine } from '../../../functions/commons/eventLog.ts';
import { ModelLoader } from '../../../functions/commons/modelLoader.ts';
import { fetchModelVersion } from '../../../functions/commons/modelSource.ts';
import { listModelVersions } from '../../../functions/commons/modelVersions.ts';
import { ServingRecommender } from '../../../functions/commons/servingRecommender.ts';
import { CURRENT_MODEL_KEY, MODEL_FILES, modelFileKey } from '../../../functions/commons/storageLayout.ts';
import { writeTombstone } from '../../../functions/commons/tombstones.ts';
import { runRetrain } from '../../../functions/retrain/runRetrain.ts';
import type { RetrainReport } from '../../../functions/retrain/retrainReport.ts';
import { generateDemoCatalog } from '../../../model/data/demoCatalog.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import {
  freshBucket,
  keysUnder,
  readPointer,
  readText,
  retrainConfig,
  retrainDependencies,
  seedDemo,
  writeEvents,
  writeRawEventObject,
} from './retrainFixtures.ts';

describe('runRetrain against s3rver', () => {
  withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  /** Loads the published version as the serving functions do (pointer → verified files → onnxruntime). */
  async function serve(bucket: string): Promise<{ version: string; recommender: ServingRecommender }> {
    const pointer = await readPointer(s3, bucket);
    if (!pointer) throw new Error('no pointer');
    const fetched = await fetchModelVersion({ s3, bucket }, pointer, ServingRecommender.files(['recommend', 'similar']));
    return { version: pointer.version, recommender: await ServingRecommender.create(fetched, ['recommend', 'similar']) };
  }

  it('publishes the first model: files, report and chart first, the pointer last; serving loads it', async () => {
    const bucket = await freshBucket(s3);
    const demo = await seedDemo(s3, bucket);
    const { deps, metricCount } = retrainDependencies(s3, bucket);
    const report = await runRetrain(deps);

    expect(report.outcome).toBe('published');
    expect(report.gate.passed).toBe(true);
    expect(report.gate.served.state).toBe('none');
    expect(report.gate.reasons[0]).toMatch(/first model/);
    expect(report.data.log.events).toBe(demo.events.length);
    expect(report.data.log.objects).toBe(demo.keys.length);
    expect(report.data.catalogItems).toBe(demo.items.length);
    expect(report.data.trainInteractions + report.data.gateInteractions).toBe(report.data.interactions);
    expect(report.training?.epochs).toBeGreaterThan(0);
    expect(report.training?.ratingHead).toBe(true);
    // objective 'auto' resolved by catalog size, in the report and the manifest.
    expect(report.training?.hyperParameters.objective).toBe('full');
    const manifestOf = JSON.parse(await readText(s3, bucket, modelFileKey(report.version, 'manifest.json'))) as {
      hyperParameters: { ranking: { objective: string } };
    };
    expect(manifestOf.hyperParameters.ranking.objective).toBe('full');
    // The candidate is a real model: it beats recommending the most popular titles to everyone.
    expect(report.gate.candidate?.ndcgAt10).toBeGreaterThan(report.gate.popularity?.ndcgAt10 ?? 1);

    const pointer = await readPointer(s3, bucket);
    expect(pointer).toEqual(report.pointer);
    expect(pointer?.version).toBe(report.version);
    const files = await keysUnder(s3, bucket, `models/${report.version}/`);
    expect(files).toEqual(
      ['items.json', 'manifest.json', 'model.onnx', 'report.json', 'report.svg', 'similar.onnx'].map((name) =>
        modelFileKey(report.version, name),
      ),
    );
    const stored = JSON.parse(await readText(s3, bucket, modelFileKey(report.version, 'report.json'))) as RetrainReport;
    expect(stored.version).toBe(report.version);
    expect(stored.gate).toEqual(report.gate);
    expect(await readText(s3, bucket, modelFileKey(report.version, 'report.svg'))).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);

    const { version, recommender } = await serve(bucket);
    expect(version).toBe(report.version);
    expect(recommender.version).toBe(report.version);
    await recommender.dispose();
    expect(metricCount('ModelsPublished')).toBe(1);
    expect(metricCount('GateRejections')).toBe(0);
  });

  it('publishes again when the candidate is not worse, and a running serving loader swaps to it', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const first = await runRetrain(retrainDependencies(s3, bucket).deps);
    const loader = new ModelLoader<ServingRecommender>({
      name: 'retrain-test',
      s3,
      bucket,
      files: ServingRecommender.files(['recommend']),
      build: (version) => ServingRecommender.create(version, ['recommend']),
      dispose: (recommender) => recommender.dispose(),
      refreshIntervalMs: 60_000,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { addMetric: vi.fn() },
    });
    try {
      const lease = await loader.acquire();
      expect(lease.version).toBe(first.version);
      lease.release();

      // More of the same viewers' events: the next candidate is compared with the served model.
      const more = generateDemoCatalog({
        seed: 7,
        items: 120,
        users: 140,
        interactionsPerUser: 30,
        startTime: Date.UTC(2025, 0, 1) / 1000,
      });
      await writeEvents(s3, bucket, more.events);
      const second = await runRetrain(retrainDependencies(s3, bucket).deps);
      expect(second.outcome).toBe('published');
      expect(second.gate.served).toMatchObject({ state: 'loaded', version: first.version });
      expect(second.gate.served.mapping).toEqual({ knownItems: second.data.items, contentItems: 0, unscoredItems: 0 });
      expect(second.gate.reasons[0]).toMatch(/not worse than the served model/);
      expect(second.previousVersion).toBe(first.version);

      expect(await loader.refresh()).toBe('loaded');
      const next = await loader.acquire();
      expect(next.version).toBe(second.version);
      next.release();
    } finally {
      await loader.close();
    }
  });

  it('deletes versions past RETRAIN_KEEP_VERSIONS after a publish, never the current or the previous one', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const run = () => runRetrain(retrainDependencies(s3, bucket, { config: retrainConfig(bucket, { keepVersions: 1 }) }).deps);
    const first = await run();
    const second = await run();
    expect(second.pruned).toEqual([]);
    const third = await run();
    expect([first.outcome, second.outcome, third.outcome]).toEqual(['published', 'published', 'published']);
    expect(third.pruned).toEqual([first.version]);
    const folders = new Set((await keysUnder(s3, bucket, 'models/')).map((key) => key.split('/')[1]));
    expect(folders).toEqual(new Set(['current.json', second.version, third.version]));
    expect((await readPointer(s3, bucket))?.version).toBe(third.version);
  });

  it('keeps the served model when a deliberately worse candidate fails the gate, and stores why', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const first = await runRetrain(retrainDependencies(s3, bucket).deps);
    const before = await readPointer(s3, bucket);

    // One epoch of a 2-dimensional model at a tiny learning rate: barely trained.
    const worse = retrainDependencies(s3, bucket, { training: { ranking: { dim: 2, maxEpochs: 1, learningRate: 1e-6 }, rating: false } });
    const report = await runRetrain(worse.deps);

    expect(report.outcome).toBe('kept');
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons[0]).toMatch(/worse than the served model/);
    expect(report.gate.candidate?.ndcgAt10).toBeLessThan((report.gate.served.metrics?.ndcgAt10 ?? 0) - 0.01);
    expect(report.pointer).toBeUndefined();
    expect(await readPointer(s3, bucket)).toEqual(before);
    expect(worse.metricCount('GateRejections')).toBe(1);
    expect(worse.metricCount('ModelsPublished')).toBe(0);
    // The candidate's folder holds its report only: no model file was uploaded.
    expect(await keysUnder(s3, bucket, `models/${report.version}/`)).toEqual([
      modelFileKey(report.version, 'report.json'),
      modelFileKey(report.version, 'report.svg'),
    ]);
    const { current, versions } = await listModelVersions(s3, bucket);
    expect(current?.version).toBe(first.version);
    expect(versions.map((v) => [v.version, v.status])).toEqual([
      [first.version, 'published'],
      [report.version, 'rejected'],
    ]);
    expect(versions[1].reasons).toEqual(report.gate.reasons);
  });

  it('trains nothing on a tiny dataset: too few interactions, no pointer', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket, { users: 4, interactionsPerUser: 10 });
    const run = retrainDependencies(s3, bucket);
    const report = await runRetrain(run.deps);
    expect(report.outcome).toBe('kept');
    expect(report.training).toBeUndefined();
    expect(report.gate.reasons.join(' ')).toMatch(/fewer than the minimum of 500/);
    expect(await readPointer(s3, bucket)).toBeUndefined();
    expect(run.metricCount('GateRejections')).toBe(1);
  });

  it('skips and counts malformed lines and repeated eventIds, and names the first bad lines', async () => {
    const bucket = await freshBucket(s3);
    const demo = await seedDemo(s3, bucket);
    const good = { eventId: 'dup-1', userId: 'u1', itemId: 'm1', type: 'like' as const, timestamp: Date.UTC(2025, 5, 1) / 1000 };
    const badKey = await writeRawEventObject(s3, bucket, new Date(Date.UTC(2025, 5, 1, 10)), [
      '{"userId": "u1", "itemId": "m2", "type": "watch", "timestamp": 1700000000',
      'not json at all',
      JSON.stringify({ userId: 'u1', itemId: 'm3', type: 'teleport', timestamp: 1_700_000_000 }),
      eventLine(good),
    ]);
    // The same event again an hour later (a retried request the idempotency claim missed).
    await writeRawEventObject(s3, bucket, new Date(Date.UTC(2025, 5, 1, 11)), [eventLine(good)]);
    const run = retrainDependencies(s3, bucket);
    const report = await runRetrain(run.deps);

    expect(report.data.log.invalidLines).toBe(3);
    expect(report.data.log.duplicates).toBe(1);
    expect(report.data.log.events).toBe(demo.events.length + 1);
    expect(report.data.invalidSamples).toHaveLength(3);
    expect(report.data.invalidSamples[0]).toContain(`${badKey}:1:`);
    expect(run.metricCount('InvalidEventLines')).toBe(3);
    expect(report.outcome).toBe('published');
  });

  it('ignores forgotten users and compacts their events out of events/', async () => {
    const bucket = await freshBucket(s3);
    const demo = await seedDemo(s3, bucket);
    const forgotten = demo.events[0].userId;
    const theirs = demo.events.filter((event) => event.userId === forgotten).length;
    await writeTombstone(s3, bucket, forgotten, new Date());

    const report = await runRetrain(retrainDependencies(s3, bucket).deps);
    expect(report.data.log.tombstoned).toBe(theirs);
    expect(report.data.log.events).toBe(demo.events.length - theirs);
    expect(report.data.forgottenUsers).toBe(1);
    expect(report.compaction).toMatchObject({ linesRemoved: theirs });
    const lines = (await Promise.all((await keysUnder(s3, bucket, 'events/')).map((key) => readText(s3, bucket, key)))).join('');
    expect(lines).not.toContain(`"userId":"${forgotten}"`);
    expect(lines.split('\n').filter((line) => line.length > 0)).toHaveLength(demo.events.length - theirs);

    // Nothing left to compact: the next run reads no event of theirs and leaves events/ alone.
    const again = await runRetrain(retrainDependencies(s3, bucket).deps);
    expect(again.data.log.tombstoned).toBe(0);
    expect(again.compaction).toHaveProperty('skipped');
  });

  it('leaves the old pointer valid when the publish is interrupted before the pointer write', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const first = await runRetrain(retrainDependencies(s3, bucket).deps);
    const before = await readPointer(s3, bucket);

    // An S3 client whose write of models/current.json fails: every other call goes through.
    const failing = new Proxy(s3, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: { input?: Partial<PutObjectCommandInput> }, ...rest: unknown[]) => {
          if (command instanceof PutObjectCommand && command.input.Key === CURRENT_MODEL_KEY) {
            return Promise.reject(new Error('injected: connection reset while writing the pointer'));
          }
          return (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
        };
      },
    });
    const run = retrainDependencies(failing, bucket);
    await expect(runRetrain(run.deps)).rejects.toThrow(/injected/);
    expect(run.metricCount('RetrainFailures')).toBe(1);
    expect(run.logger.error).toHaveBeenCalledTimes(1);

    expect(await readPointer(s3, bucket)).toEqual(before);
    const { version, recommender } = await serve(bucket);
    expect(version).toBe(first.version);
    await recommender.dispose();
    // The interrupted version is complete on disk but not current; retention treats it as any other.
    const { current, versions } = await listModelVersions(s3, bucket);
    expect(current?.version).toBe(first.version);
    expect(versions.filter((v) => v.status === 'published')).toHaveLength(2);
  });

  it('with no time for an epoch, keeps the served model and uploads no model file', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const first = await runRetrain(retrainDependencies(s3, bucket).deps);
    const run = retrainDependencies(s3, bucket, { remainingMs: () => 20_000, config: retrainConfig(bucket, { reserveSeconds: 30 }) });
    const report = await runRetrain(run.deps);
    expect(report.outcome).toBe('kept');
    expect(report.training).toMatchObject({ epochs: 0, stoppedEarly: true });
    expect(report.gate.reasons.join(' ')).toMatch(/not trained for a single epoch/);
    expect((await readPointer(s3, bucket))?.version).toBe(first.version);
    expect(await keysUnder(s3, bucket, `models/${report.version}/`)).toEqual([
      modelFileKey(report.version, 'report.json'),
      modelFileKey(report.version, 'report.svg'),
    ]);
  });

  it('trains the objective RETRAIN_OBJECTIVE asks for and records it', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const { deps } = retrainDependencies(s3, bucket, { config: retrainConfig(bucket, { objective: 'sampled' }) });
    const report = await runRetrain(deps);
    expect(report.training?.hyperParameters.objective).toBe('sampled');
    expect(report.outcome).toBe('published');
  });

  it('stops training when the budget runs short and still publishes a model that passes the gate', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    // A fake Lambda clock: 60 s left at the start, 10 s gone with every epoch.
    const run = retrainDependencies(s3, bucket, { config: retrainConfig(bucket, { reserveSeconds: 15 }) });
    run.deps = { ...run.deps, remainingMs: () => 60_000 - 10_000 * epochsLogged(run.logger) };
    const report = await runRetrain(run.deps);
    expect(report.training?.stoppedEarly).toBe(true);
    // Stopped while selecting: the best epoch so far, no refit.
    expect(report.training?.log.every((entry) => entry.phase === 'select')).toBe(true);
    expect(report.training?.log).toHaveLength(5);
    // The rating head comes after the ranking model, and no time was left for it.
    expect(report.training?.ratingHead).toBe('skipped');
    expect(report.outcome).toBe('published');
    const manifest = JSON.parse(await readText(s3, bucket, modelFileKey(report.version, 'manifest.json'))) as {
      hyperParameters: { rating: unknown };
    };
    expect(manifest.hyperParameters.rating).toBeNull();
    const { version, recommender } = await serve(bucket);
    expect(version).toBe(report.version);
    await recommender.dispose();
  });

  it('does not start a publish it has too little time left to finish', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    // No model yet, so the gate passes; but the budget ends with under 10 s left.
    const run = retrainDependencies(s3, bucket, { config: retrainConfig(bucket, { reserveSeconds: 5 }) });
    run.deps = { ...run.deps, remainingMs: () => Math.max(0, 60_000 - 10_000 * epochsLogged(run.logger)) };
    const report = await runRetrain(run.deps);
    expect(report.training?.stoppedEarly).toBe(true);
    expect(report.outcome).toBe('kept');
    expect(report.gate.reasons[0]).toMatch(/time budget/);
    expect(await readPointer(s3, bucket)).toBeUndefined();
    expect(await keysUnder(s3, bucket, `models/${report.version}/`)).not.toContain(modelFileKey(report.version, MODEL_FILES.recommend));
  });
});

function epochsLogged(logger: { info: { mock: { calls: unknown[][] } } }): number {
  return logger.info.mock.calls.filter(([message]) => message === 'epoch').length;
}
