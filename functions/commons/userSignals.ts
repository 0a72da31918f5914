import { EVENT_WEIGHTS } from '../../model/constants.ts';
import { eventWeight } from '../../model/data/eventWeight.ts';
import { preferenceFeatureNames, type PreferenceValue } from '../../model/data/features.ts';
import type { InteractionEvent } from '../../model/types/interactions.ts';
import type { ServingCatalog } from './servingCatalog.ts';

/** One history entry as serving uses it: the title and its implicit-feedback weight (0: a negative signal). */
export interface HistorySignal {
  readonly itemId: string;
  readonly weight: number;
}

/** What a request said that the model could not use: reported back, never an error. */
export interface IgnoredInput {
  /** History item ids the model does not know (titles newer than the model, or mistyped ids). */
  history?: string[];
  /** Preferences whose value matches nothing in the model's vocabulary. */
  preferences?: { key: string; value: string | number }[];
}

/** A history and preferences in the model's indices. */
export interface ResolvedSignals {
  /** Distinct titles with a positive weight: the user side of the graph. */
  readonly historyItems: Int32Array;
  readonly historyWeights: Float32Array;
  /** Every distinct known title of the history, negative signals included (what `excludeSeen` hides). */
  readonly seen: Int32Array;
  /** Distinct vocabulary indices of the stated preferences. */
  readonly preferences: Int32Array;
  readonly ignored: IgnoredInput;
}

/**
 * Weights of interactions (the user-history store's entries, or a request's history objects) via
 * eventWeight. An entry of a type this version does not know is left out rather than failing the
 * request (stored histories may outlive a change of event types).
 */
export function historySignals(entries: readonly Pick<InteractionEvent, 'itemId' | 'type' | 'value'>[]): HistorySignal[] {
  const out: HistorySignal[] = [];
  for (const entry of entries) {
    if (Object.hasOwn(EVENT_WEIGHTS, entry.type)) out.push({ itemId: entry.itemId, weight: eventWeight(entry) });
  }
  return out;
}

/**
 * Maps a history (oldest first) and preferences onto the model. As in training, the newest entry
 * of a title decides its weight (a later `dislike` cancels an earlier `like`); titles whose newest
 * weight is 0 count as seen but not as history. Unknown titles and preference values outside the
 * vocabulary are ignored and reported. Preference keys must have been validated already (names
 * and values are matched case-insensitively by preferenceFeatureNames).
 */
export function resolveSignals(
  catalog: ServingCatalog,
  history: readonly HistorySignal[],
  preferences: Readonly<Record<string, PreferenceValue>> = {},
): ResolvedSignals {
  const newest = new Map<number, number>();
  const unknown = new Set<string>();
  for (const entry of history) {
    const index = catalog.indexOf(entry.itemId);
    if (index < 0) {
      unknown.add(entry.itemId);
      continue;
    }
    newest.set(index, entry.weight);
  }
  const seen = Int32Array.from(newest.keys());
  let positive = 0;
  for (const weight of newest.values()) if (weight > 0) positive++;
  const historyItems = new Int32Array(positive);
  const historyWeights = new Float32Array(positive);
  let j = 0;
  for (const [index, weight] of newest) {
    if (weight <= 0) continue;
    historyItems[j] = index;
    historyWeights[j++] = weight;
  }

  const features = new Set<number>();
  const ignoredPreferences: { key: string; value: string | number }[] = [];
  for (const [key, raw] of Object.entries(preferences)) {
    const values = Array.isArray(raw) ? (raw as readonly (string | number)[]) : [raw as string | number];
    for (const value of values) {
      const { names } = preferenceFeatureNames({ [key]: value });
      if (names.length === 0) continue; // an empty value states nothing
      const index = catalog.featureOf(names[0]);
      if (index < 0) ignoredPreferences.push({ key, value });
      else features.add(index);
    }
  }

  const ignored: IgnoredInput = {};
  if (unknown.size > 0) ignored.history = [...unknown];
  if (ignoredPreferences.length > 0) ignored.preferences = ignoredPreferences;
  return { historyItems, historyWeights, seen, preferences: Int32Array.from(features), ignored };
}
