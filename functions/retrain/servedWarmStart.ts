import { ShapeError } from '../../model/errors.ts';
import { Random } from '../../model/random.ts';
import type { RecommenderHyperParameters } from '../../model/recommender/hyperParameters.ts';
import type { RecommenderParameters } from '../../model/recommender/recommenderParameters.ts';
import { warmStartParameters } from '../../model/recommender/warmStart.ts';
import type { TrainingData } from '../../model/types/trainingData.ts';
import type { ServedModel } from './servedModel.ts';

/** Epochs without a better validation nDCG@10 before a warm-started selection stops (cold: the trainer's patience). */
export const WARM_PATIENCE = 3;

/** How the candidate started, for the report. */
export type WarmStartReport =
  | { readonly from: string; readonly items: number; readonly features: number; readonly newItems: number; readonly newFeatures: number }
  | { readonly cold: string };

/**
 * The served model's parameters mapped onto the new data (model/recommender/warmStart.ts), and the
 * hyper-parameters of a warm run: it starts near the optimum, so the selection stops after
 * WARM_PATIENCE epochs without progress instead of the cold patience. Cold, with the reason, when
 * warm starts are off, nothing is served, or the served model cannot seed this training (another
 * dimension, a model exported before its feature rows existed).
 */
export function servedWarmStart(
  served: ServedModel,
  data: Pick<TrainingData, 'itemIds' | 'vocabulary' | 'itemFeatureOffsets' | 'itemFeatures'>,
  hyperParameters: RecommenderHyperParameters,
  enabled: boolean,
): { initialParameters?: RecommenderParameters; hyperParameters: RecommenderHyperParameters; report: WarmStartReport } {
  if (!enabled) return { hyperParameters, report: { cold: 'warm start disabled (RETRAIN_WARM_START=false)' } };
  if (served.kind !== 'loaded') return { hyperParameters, report: { cold: `no served model to start from (${served.kind})` } };
  try {
    const warm = warmStartParameters(
      { model: served.model, itemIds: served.manifest.itemIds, vocabulary: served.manifest.vocabulary },
      data,
      hyperParameters.dim,
      new Random(hyperParameters.seed ^ 0x3a11),
      hyperParameters.initScale,
    );
    const { parameters, ...counts } = warm;
    return {
      initialParameters: parameters,
      hyperParameters: { ...hyperParameters, patience: Math.min(hyperParameters.patience, WARM_PATIENCE) },
      report: { from: served.pointer.version, ...counts },
    };
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    return { hyperParameters, report: { cold: error.message } };
  }
}
