import type { EpochLog } from '../../model/recommender/trainRecommender.ts';
import type { RatingHyperParameters } from '../../model/rating/ratingHyperParameters.ts';
import type { RecommenderHyperParameters } from '../../model/recommender/hyperParameters.ts';
import type { EventLogStats } from '../commons/eventLog.ts';
import type { CompactionReport } from '../commons/eventCompaction.ts';
import type { CurrentModelPointer } from '../commons/storageLayout.ts';
import type { GateMetrics, ServedMapping } from './qualityGate.ts';
import type { WarmStartReport } from './servedWarmStart.ts';

/**
 * What one retrain run did: returned by the handler, logged, and stored as
 * models/<version>/report.json (with report.svg) whether the candidate was published or not. A
 * published run's stored copy is uploaded with the model, before the pointer: it has no `pointer`
 * or `pruned` and its publish time is 0; the returned report has them.
 */
export interface RetrainReport {
  /** The candidate's version (the folder its files and report are under). */
  readonly version: string;
  /** `published`: models/current.json now names `version`; `kept`: the served model is unchanged. */
  readonly outcome: 'published' | 'kept';
  /** ISO-8601 start of the run (the candidate's creation time). */
  readonly createdAt: string;
  readonly finishedAt: string;
  /** What started the run: the event's `source` (aws.events for the schedule, marquee.cli, …). */
  readonly trigger: string;
  /** Wall seconds of each step. */
  readonly seconds: RetrainSeconds;
  readonly data: RetrainDataReport;
  readonly compaction: CompactionReport | { readonly skipped: string } | { readonly error: string };
  readonly training?: RetrainTrainingReport;
  readonly gate: RetrainGateReport;
  /** The version models/current.json named when the run started. */
  readonly previousVersion?: string;
  /** The pointer written (published runs). */
  readonly pointer?: CurrentModelPointer;
  /** Versions deleted by retention at the end of the run. */
  readonly pruned?: readonly string[];
}

export interface RetrainSeconds {
  readonly read: number;
  readonly compaction: number;
  readonly train: number;
  readonly evaluate: number;
  readonly publish: number;
  readonly total: number;
}

export interface RetrainDataReport {
  /** The event-log snapshot id (trainingSnapshot.ts) and the newest object read. */
  readonly snapshot: string;
  readonly newestKey?: string;
  readonly log: EventLogStats;
  /** The first malformed lines, `key:line: reason`. */
  readonly invalidSamples: readonly string[];
  /** Tombstoned users (their events were skipped). */
  readonly forgottenUsers: number;
  readonly catalogItems: number;
  readonly catalogInvalid: number;
  /** Users, items and positive (user, item) pairs of the training data, gate set included. */
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** Events superseded by a later event of the same user and item. */
  readonly superseded: number;
  /** Pairs whose latest event is a negative signal (dislike, skip): excluded. */
  readonly negatives: number;
  readonly trainInteractions: number;
  readonly gateInteractions: number;
  readonly gateUsers: number;
  readonly evaluatedUsers: number;
}

export interface RetrainTrainingReport {
  readonly hyperParameters: RecommenderHyperParameters;
  /** Ranking epochs of the candidate (the selected count, or the refit's when it ran). */
  readonly epochs: number;
  readonly validationNdcgAt10?: number;
  /** The time budget ended training before the trainer would have. */
  readonly stoppedEarly: boolean;
  /** Whether the rating head was trained: 'skipped' when the time budget had no room for it. */
  readonly ratingHead: boolean | 'skipped';
  readonly ratingHyperParameters?: RatingHyperParameters;
  readonly trainSeconds: number;
  /** Threads the ranking model trained on (RETRAIN_THREADS). */
  readonly threads: number;
  /** Where training started: the served model's parameters (with the rows found and new), or cold and why. */
  readonly warmStart?: WarmStartReport;
  /** The ranking trainer's log, one entry per epoch. */
  readonly log: readonly EpochLog[];
  /** Why training failed (diverged), when it did. */
  readonly error?: string;
}

export interface RetrainGateReport {
  readonly passed: boolean;
  readonly reasons: readonly string[];
  readonly tolerance: number;
  readonly minInteractions: number;
  readonly candidate?: GateMetrics;
  readonly served: {
    readonly version?: string;
    readonly state: 'none' | 'unreadable' | 'loaded';
    readonly metrics?: GateMetrics;
    readonly mapping?: ServedMapping;
  };
  /** Most-popular items for everyone, on the same gate set: the floor a model should clear. */
  readonly popularity?: GateMetrics;
}
