import { FEATURE_KINDS, PREFERENCE_KEYS } from '../constants.ts';
import { ShapeError } from '../errors.ts';
import type { CatalogItem } from '../types/catalog.ts';

export type FeatureKind = (typeof FEATURE_KINDS)[keyof typeof FEATURE_KINDS];

/** A preference value as clients send it: `'action'`, `['John Doe', 'Jane Roe']`, `1994`. */
export type PreferenceValue = string | number | readonly (string | number)[];

/**
 * Lower-cased, trimmed, inner whitespace collapsed to one space, Unicode NFC (so that "é" typed as
 * one code point or as "e" + combining accent names the same feature).
 */
export function normalizeFeatureValue(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * `<kind>:<normalised value>`, e.g. `featureName('person', '  John  DOE ')` → `person:john doe`.
 * Throws ShapeError for an unknown kind or a value that is empty once normalised.
 */
export function featureName(kind: FeatureKind, value: string): string {
  if (!Object.hasOwn(FEATURE_KINDS, kind)) throw new ShapeError(`unknown feature kind '${kind}'`);
  const normalized = normalizeFeatureValue(value);
  if (normalized.length === 0) throw new ShapeError(`empty ${kind} feature value`);
  return `${kind}:${normalized}`;
}

/** Decade bucket of a year: 1994 → `1990s`, 2000 → `2000s`. */
export function decadeOf(year: number): string {
  return `${Math.floor(year / 10) * 10}s`;
}

/** The year feature of a release year: 1994 → `year:1990s`. */
export function yearFeatureName(year: number): string {
  if (!Number.isFinite(year)) throw new ShapeError(`year must be finite, got ${year}`);
  return `${FEATURE_KINDS.year}:${decadeOf(year)}`;
}

/**
 * Content features of a catalog item, deduplicated, in the order genres, people (cast then
 * directors), year bucket, tags. Values that are empty once normalised are skipped.
 */
export function itemFeatureNames(item: CatalogItem): string[] {
  const names = new Set<string>();
  addAll(names, FEATURE_KINDS.genre, item.genres);
  addAll(names, FEATURE_KINDS.person, item.cast);
  addAll(names, FEATURE_KINDS.person, item.directors);
  if (item.year !== undefined && Number.isFinite(item.year)) names.add(yearFeatureName(item.year));
  addAll(names, FEATURE_KINDS.tag, item.tags);
  return [...names];
}

/**
 * Feature names of stated preferences such as `{ genre: 'action', actor: 'John Doe' }`. Keys are
 * matched case-insensitively against PREFERENCE_KEYS; keys that match nothing are returned in
 * `unknownKeys` (as given) so that the caller can report them. A `year` / `decade` value is put
 * in its decade bucket: `1994`, `'1994'`, `'1990s'`, `"1990's"` and `'90s'` all give `year:1990s`
 * (two-digit decades: `00s`–`20s` are read as 2000s–2020s, `30s`–`90s` as 1930s–1990s); any other
 * year text is kept normalised and simply matches no vocabulary entry. Empty values are skipped;
 * names are deduplicated in order of first appearance.
 */
export function preferenceFeatureNames(prefs: Readonly<Record<string, PreferenceValue>>): {
  names: string[];
  unknownKeys: string[];
} {
  const names = new Set<string>();
  const unknownKeys: string[] = [];
  for (const [key, raw] of Object.entries(prefs)) {
    const normalizedKey = key.trim().toLowerCase();
    if (!Object.hasOwn(PREFERENCE_KEYS, normalizedKey)) {
      unknownKeys.push(key);
      continue;
    }
    const kind: FeatureKind = PREFERENCE_KEYS[normalizedKey as keyof typeof PREFERENCE_KEYS];
    const values = Array.isArray(raw) ? (raw as readonly (string | number)[]) : [raw as string | number];
    for (const value of values) {
      const name = kind === FEATURE_KINDS.year ? yearPreference(value) : textPreference(kind, value);
      if (name !== undefined) names.add(name);
    }
  }
  return { names: [...names], unknownKeys };
}

function addAll(names: Set<string>, kind: FeatureKind, values: readonly string[]): void {
  for (const value of values) {
    const normalized = normalizeFeatureValue(value);
    if (normalized.length > 0) names.add(`${kind}:${normalized}`);
  }
}

function textPreference(kind: FeatureKind, value: string | number): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const normalized = normalizeFeatureValue(String(value));
  return normalized.length > 0 ? `${kind}:${normalized}` : undefined;
}

function yearPreference(value: string | number): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? yearFeatureName(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = normalizeFeatureValue(value);
  if (text.length === 0) return undefined;
  const fullYear = /^(\d{4})(?:'?s)?$/.exec(text);
  if (fullYear) return yearFeatureName(Number(fullYear[1]));
  const shortDecade = /^'?(\d)0'?s$/.exec(text);
  if (shortDecade) {
    const tens = Number(shortDecade[1]);
    return yearFeatureName((tens <= 2 ? 2000 : 1900) + tens * 10);
  }
  return `${FEATURE_KINDS.year}:${text}`;
}
