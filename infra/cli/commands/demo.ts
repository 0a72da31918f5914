import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  addEvent,
  buildTrainingData,
  generateDemoCatalog,
  InteractionTableBuilder,
  OnnxRecommender,
  preferenceFeatureNames,
  trainModel,
  writeModelFiles,
  type CatalogItem,
} from '../../../model/index.ts';
import { modelVersion } from '../modelVersion.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { optionalNumber, parseOptions } from '../parseOptions.ts';
import { Progress } from '../progress.ts';

export const DEMO_COMMAND = {
  name: 'demo',
  usage: 'marquee demo [--seed N] [--out <dir>] [--json]',
  summary:
    'Trains on a generated demo catalog, exports to ONNX, loads the graphs in onnxruntime and recommends for a sample request, without HTTP.',
  options: {
    seed: { type: 'string', value: 'N', description: 'seed of the generated catalog and the training', defaultText: '7', example: '3' },
    out: {
      type: 'string',
      value: '<dir>',
      description: 'folder for model.onnx, similar.onnx and manifest.json',
      defaultText: 'a new temporary folder',
      example: 'demo-model',
    },
    json: SHARED_OPTIONS.json,
  },
  examples: ['npx marquee demo', 'npx marquee demo --seed 3 --out demo-model --json'],
} as const satisfies CommandSpec;

/**
 * The embedded default until the local service exists: generates a demo catalog with viewers,
 * trains, exports to ONNX, loads the graphs in onnxruntime and recommends for a sample request
 * `{history: [5 titles], preferences: {genre: 'action', actor: <a cast member>}}`.
 */
export async function demoCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, DEMO_COMMAND.options);
  const seed = optionalNumber(values, 'seed') ?? 7;
  const progress = new Progress(values.json === true, process.stderr);
  const out = values.out ? resolve(values.out) : await mkdtemp(join(tmpdir(), 'marquee-demo-'));

  const catalog = generateDemoCatalog({ seed });
  const builder = new InteractionTableBuilder();
  for (const event of catalog.events) addEvent(builder, event);
  const data = buildTrainingData(builder.build(), catalog.items);
  progress.message(`demo catalog: ${catalog.items.length} titles, ${data.userIds.length} viewers, ${catalog.events.length} events`);

  const trained = trainModel(data, {
    seed,
    rating: { ensembleSize: 1 },
    onRankingEpoch: progress.rankingEpoch,
    onRatingEpoch: progress.ratingEpoch,
  });
  const manifest = await writeModelFiles(out, {
    model: trained.model,
    manifestFields: {
      version: modelVersion(new Date()),
      createdAt: new Date().toISOString(),
      trainingData: {
        snapshot: `demo-seed-${seed}`,
        users: data.userIds.length,
        items: data.itemIds.length,
        interactions: data.userItems.length,
      },
      hyperParameters: { ranking: trained.ranking.hyperParameters },
      metrics: { validationNdcgAt10: trained.ranking.validationNdcgAt10 ?? null, rankingEpochs: trained.ranking.epochs },
      itemIds: data.itemIds,
      vocabulary: data.vocabulary,
    },
  });

  const recommender = await OnnxRecommender.create(
    await readFile(join(out, 'model.onnx')),
    await readFile(join(out, 'similar.onnx')),
    manifest.itemIds.length,
    manifest.vocabulary.length,
  );
  try {
    const byId = new Map(catalog.items.map((item) => [item.itemId, item]));
    const itemIndex = new Map(manifest.itemIds.map((id, i) => [id, i]));
    const featureIndex = new Map(manifest.vocabulary.map((name, f) => [name, f]));
    // The sample request: five action titles a viewer watched, and a favourite actor of the genre.
    const action = catalog.items.filter((item) => item.genres.includes('Action'));
    const history = action.slice(0, 5);
    const preferences = { genre: 'action', actor: action[5]?.cast[0] ?? 'John Doe' };
    const preferenceIds = preferenceFeatureNames(preferences).names.flatMap((name) => featureIndex.get(name) ?? []);
    const historyItems = Int32Array.from(history.map((item) => itemIndex.get(item.itemId)!));
    const result = await recommender.recommend({
      historyItems,
      historyWeights: new Float32Array(historyItems.length).fill(1),
      preferences: Int32Array.from(preferenceIds),
      exclude: historyItems,
      k: 10,
    });
    const recommendations = Array.from(result.items, (index, t) => {
      const item = byId.get(manifest.itemIds[index]) as CatalogItem;
      let because = 0;
      for (let j = 1; j < historyItems.length; j++) {
        if (result.contributions[j * result.items.length + t] > result.contributions[because * result.items.length + t]) because = j;
      }
      return {
        itemId: item.itemId,
        title: item.title,
        genres: item.genres,
        year: item.year,
        score: result.scores[t],
        ...(result.ratings ? { predictedStars: result.ratings[t] } : {}),
        because: history[because].title,
      };
    });
    const similarTo = history[0];
    const similar = await recommender.similar(itemIndex.get(similarTo.itemId)!, 5);
    const report = {
      modelDir: out,
      modelVersion: manifest.version,
      validationNdcgAt10: trained.ranking.validationNdcgAt10,
      request: { history: history.map((item) => item.itemId), preferences },
      recommendations,
      similarTo: { itemId: similarTo.itemId, title: similarTo.title },
      similar: Array.from(similar.items, (index, t) => ({ title: byId.get(manifest.itemIds[index])?.title, score: similar.scores[t] })),
    };
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  } finally {
    await recommender.release();
  }
  return 0;
}

function formatReport(report: {
  modelDir: string;
  modelVersion: string;
  validationNdcgAt10?: number;
  request: { history: string[]; preferences: Record<string, string> };
  recommendations: { title: string; genres: readonly string[]; year?: number; score: number; predictedStars?: number; because: string }[];
  similarTo: { title: string };
  similar: { title?: string; score: number }[];
}): string {
  const lines = [
    `model ${report.modelVersion} written to ${report.modelDir} (validation nDCG@10 ${report.validationNdcgAt10?.toFixed(3) ?? 'n/a'})`,
    `request: history ${JSON.stringify(report.request.history)}, preferences ${JSON.stringify(report.request.preferences)}`,
    '',
    'recommendations:',
    ...report.recommendations.map(
      (r, i) =>
        `${String(i + 1).padStart(2)}. ${r.title} (${r.year ?? '?'}) [${r.genres.join(', ')}]  score ${r.score.toFixed(3)}` +
        `${r.predictedStars === undefined ? '' : `  ★${r.predictedStars.toFixed(1)}`}  because you watched ${r.because}`,
    ),
    '',
    `more like "${report.similarTo.title}":`,
    ...report.similar.map((s, i) => `${String(i + 1).padStart(2)}. ${s.title}  (${s.score.toFixed(3)})`),
  ];
  return `${lines.join('\n')}\n`;
}
