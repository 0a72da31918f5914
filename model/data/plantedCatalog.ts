import { ShapeError } from '../errors.ts';
import { Random } from '../random.ts';
import type { CatalogItem } from '../types/catalog.ts';

export interface PlantedCatalogOptions {
  readonly seed: number;
  readonly titles: number;
  readonly viewers: number;
  /** Mean events per viewer (default 40; each viewer has 20–60). */
  readonly eventsPerViewer?: number;
  /** Taste clusters of viewers and titles (default 50). */
  readonly clusters?: number;
  /** Days the events spread over (default 30). */
  readonly days?: number;
  /**
   * Titles released on the last day (default 0), the ids after the others: they have no event
   * before it, so a model trained on the days before sees them only through their features.
   */
  readonly lastDayTitles?: number;
  /** Start of day 0, seconds since the epoch (default 2025-01-01T00:00:00Z). */
  readonly startTime?: number;
}

/** Event types the generator emits (EVENT_WEIGHTS names). */
export const PLANTED_EVENT_TYPES = ['watch', 'complete', 'like', 'rating', 'click'] as const;
export type PlantedEventType = (typeof PLANTED_EVENT_TYPES)[number];

/** Every generated event as columns: row r is viewer `viewers[r]` on title `titles[r]`. */
export interface PlantedEvents {
  readonly size: number;
  readonly viewers: Int32Array;
  readonly titles: Int32Array;
  /** Index into PLANTED_EVENT_TYPES. */
  readonly types: Uint8Array;
  /** Watched fraction (watch), stars (rating), NaN otherwise. */
  readonly values: Float32Array;
  /** Seconds since the epoch, whole. */
  readonly timestamps: Float64Array;
  /** Day of each row, 0 … days − 1. */
  readonly days: Uint16Array;
}

const DAY_SECONDS = 86_400;
const DEFAULT_START = Date.UTC(2025, 0, 1) / 1000;
const GENRES = [
  'Drama',
  'Comedy',
  'Action',
  'Thriller',
  'Romance',
  'Crime',
  'Adventure',
  'Horror',
  'Sci-Fi',
  'Fantasy',
  'Mystery',
  'Family',
  'Animation',
  'Documentary',
  'Musical',
  'Western',
];
const DIRECTORS_PER_CLUSTER = 6;
/** Share of a viewer's events drawn from their first cluster, their second, and the whole catalog. */
const FIRST_CLUSTER = 0.6;
const SECOND_CLUSTER = 0.25;
/** Tries at drawing a title the viewer has not seen (and that is released) before giving the event up. */
const DRAWS = 8;

/**
 * A catalog with planted taste structure, for benchmarks at any size: titles and viewers belong to
 * latent clusters; a viewer's events come from their first cluster (60 %), a second one (25 %) and
 * the whole catalog (15 %), each by Zipf-like popularity (title i's weight 1 / (i + 10)); a title's
 * genres, director and a theme tag are correlated with its cluster, so content features carry
 * taste. Viewers start on a random day; each event lands on a day between it and the last, at
 * most once per (viewer, title). Ids are `t<i>` and `v<u>`. Deterministic for the options.
 */
export class PlantedCatalog {
  readonly titles: number;
  readonly viewers: number;
  readonly days: number;
  readonly clusters: number;
  readonly startTime: number;
  /** Cluster of each title and each viewer's two clusters. */
  readonly titleCluster: Int32Array;
  readonly viewerClusters: Int32Array;
  private readonly seed: number;
  private readonly eventsPerViewer: number;
  private readonly releaseDay: Uint16Array;
  /** Cumulative popularity of all titles, and per cluster (titles of cluster c: members[memberOffsets[c] …]). */
  private readonly globalCdf: Float64Array;
  private readonly members: Int32Array;
  private readonly memberOffsets: Int32Array;
  private readonly memberCdf: Float64Array;

  constructor(options: PlantedCatalogOptions) {
    const { seed, titles, viewers, eventsPerViewer = 40, clusters = 50, days = 30, lastDayTitles = 0, startTime = DEFAULT_START } = options;
    for (const [name, value] of [
      ['titles', titles],
      ['viewers', viewers],
      ['clusters', clusters],
      ['days', days],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new ShapeError(`${name} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(lastDayTitles) || lastDayTitles < 0 || lastDayTitles >= titles)
      throw new ShapeError(`lastDayTitles must be in [0, titles), got ${lastDayTitles}`);
    if (!(eventsPerViewer >= 2)) throw new ShapeError(`eventsPerViewer must be at least 2, got ${eventsPerViewer}`);
    this.titles = titles;
    this.viewers = viewers;
    this.days = days;
    this.clusters = clusters;
    this.startTime = startTime;
    this.seed = seed;
    this.eventsPerViewer = eventsPerViewer;
    const rng = new Random(seed);
    this.titleCluster = new Int32Array(titles);
    this.releaseDay = new Uint16Array(titles);
    for (let i = 0; i < titles; i++) {
      this.titleCluster[i] = rng.nextInt(clusters);
      if (i >= titles - lastDayTitles) this.releaseDay[i] = days - 1;
    }
    this.viewerClusters = new Int32Array(2 * viewers);
    for (let u = 0; u < viewers; u++) {
      this.viewerClusters[2 * u] = rng.nextInt(clusters);
      this.viewerClusters[2 * u + 1] = rng.nextInt(clusters);
    }
    // Popularity by index: the lowest ids are the most popular (ranks are independent of clusters).
    this.globalCdf = new Float64Array(titles);
    let total = 0;
    for (let i = 0; i < titles; i++) this.globalCdf[i] = total += 1 / (i + 10);
    this.memberOffsets = new Int32Array(clusters + 1);
    for (let i = 0; i < titles; i++) this.memberOffsets[this.titleCluster[i] + 1]++;
    for (let c = 0; c < clusters; c++) this.memberOffsets[c + 1] += this.memberOffsets[c];
    this.members = new Int32Array(titles);
    this.memberCdf = new Float64Array(titles);
    const cursor = this.memberOffsets.slice(0, clusters);
    for (let i = 0; i < titles; i++) this.members[cursor[this.titleCluster[i]]++] = i;
    for (let c = 0; c < clusters; c++) {
      let sum = 0;
      for (let p = this.memberOffsets[c]; p < this.memberOffsets[c + 1]; p++) this.memberCdf[p] = sum += 1 / (this.members[p] + 10);
    }
  }

  itemId(title: number): string {
    return `t${title}`;
  }

  userId(viewer: number): string {
    return `v${viewer}`;
  }

  /** Title i's catalog entry (made on demand, the same every time). */
  item(title: number): CatalogItem {
    const rng = new Random((this.seed ^ Math.imul(title + 1, 0x9e3779b1)) >>> 0);
    const c = this.titleCluster[title];
    const own = GENRES[c % GENRES.length];
    const genres = [rng.next() < 0.8 ? own : GENRES[rng.nextInt(GENRES.length)]];
    const second = GENRES[(c * 7 + 3) % GENRES.length];
    if (rng.next() < 0.5 && !genres.includes(second)) genres.push(second);
    const director =
      rng.next() < 0.85
        ? `Director ${c}-${rng.nextInt(DIRECTORS_PER_CLUSTER)}`
        : `Director ${rng.nextInt(this.clusters)}-${rng.nextInt(DIRECTORS_PER_CLUSTER)}`;
    return {
      itemId: this.itemId(title),
      title: `Title ${title}`,
      genres,
      cast: [],
      directors: [director],
      year: 1960 + rng.nextInt(66),
      tags: rng.next() < 0.6 ? [`theme ${c}`] : [],
    };
  }

  /** Every title's catalog entry. */
  items(): CatalogItem[] {
    return Array.from({ length: this.titles }, (_, i) => this.item(i));
  }

  /** Generates every event into columns (at most viewers × 60 rows; fewer when draws collide). */
  events(): PlantedEvents {
    const capacity = this.viewers * Math.ceil(this.eventsPerViewer * 1.5);
    const viewers = new Int32Array(capacity);
    const titles = new Int32Array(capacity);
    const types = new Uint8Array(capacity);
    const values = new Float32Array(capacity);
    const timestamps = new Float64Array(capacity);
    const days = new Uint16Array(capacity);
    const rng = new Random((this.seed ^ 0x5bd1e995) >>> 0);
    // seenBy[i] === u: viewer u already has title i (never cleared between viewers).
    const seenBy = new Int32Array(this.titles).fill(-1);
    const low = Math.max(1, Math.round(this.eventsPerViewer / 2));
    const span = 2 * this.eventsPerViewer - 2 * low;
    let n = 0;
    for (let u = 0; u < this.viewers; u++) {
      const first = this.viewerClusters[2 * u];
      const second = this.viewerClusters[2 * u + 1];
      const joinDay = rng.nextInt(this.days);
      const count = low + rng.nextInt(span + 1);
      for (let e = 0; e < count; e++) {
        const day = joinDay + rng.nextInt(this.days - joinDay);
        const pick = rng.next();
        let title = -1;
        for (let attempt = 0; attempt < DRAWS; attempt++) {
          const candidate =
            pick < FIRST_CLUSTER
              ? this.drawFrom(first, rng.next())
              : pick < FIRST_CLUSTER + SECOND_CLUSTER
                ? this.drawFrom(second, rng.next())
                : this.drawGlobal(rng.next());
          if (candidate >= 0 && seenBy[candidate] !== u && this.releaseDay[candidate] <= day) {
            title = candidate;
            break;
          }
        }
        if (title < 0) continue;
        seenBy[title] = u;
        const kind = rng.next();
        // 60 % watch (a fraction), 20 % complete, 10 % rating (stars rise with the cluster match), 6 % like, 4 % click.
        const type = kind < 0.6 ? 0 : kind < 0.8 ? 1 : kind < 0.9 ? 3 : kind < 0.96 ? 2 : 4;
        viewers[n] = u;
        titles[n] = title;
        types[n] = type;
        values[n] =
          type === 0
            ? Math.round((0.3 + 0.7 * rng.next()) * 100) / 100
            : type === 3
              ? (this.titleCluster[title] === first ? 4 : 3) + (rng.next() < 0.5 ? 0.5 : 0)
              : NaN;
        timestamps[n] = this.startTime + day * DAY_SECONDS + rng.nextInt(DAY_SECONDS);
        days[n] = day;
        n++;
      }
    }
    return {
      size: n,
      viewers: viewers.slice(0, n),
      titles: titles.slice(0, n),
      types: types.slice(0, n),
      values: values.slice(0, n),
      timestamps: timestamps.slice(0, n),
      days: days.slice(0, n),
    };
  }

  private drawFrom(cluster: number, r: number): number {
    const from = this.memberOffsets[cluster];
    const to = this.memberOffsets[cluster + 1];
    if (to === from) return -1;
    return this.members[lowerBound(this.memberCdf, from, to, r * this.memberCdf[to - 1])];
  }

  private drawGlobal(r: number): number {
    return lowerBound(this.globalCdf, 0, this.titles, r * this.globalCdf[this.titles - 1]);
  }
}

/** The first position p in [from, to) with cdf[p] > x (to − 1 when none). */
function lowerBound(cdf: Readonly<Float64Array>, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
