import { ShapeError } from '../errors.ts';
import { Random } from '../random.ts';
import type { CatalogItem } from '../types/catalog.ts';
import type { InteractionEvent, InteractionType } from '../types/interactions.ts';
import { eventRating, eventWeight } from './eventWeight.ts';
import type { InteractionTableBuilder } from './interactionTableBuilder.ts';

export interface DemoCatalogOptions {
  readonly seed: number;
  /** Titles in the catalog (default 400). */
  readonly items?: number;
  /** Viewers (default 300). */
  readonly users?: number;
  /** Mean events per viewer (default 40); each viewer's count varies log-normally around it. */
  readonly interactionsPerUser?: number;
  /** Start of the year the events spread over, seconds (default 2024-01-01T00:00:00Z). */
  readonly startTime?: number;
}

export interface DemoCatalog {
  readonly items: CatalogItem[];
  readonly events: InteractionEvent[];
}

const DEFAULT_START = Date.UTC(2024, 0, 1) / 1000;
const YEAR_SECONDS = 365 * 24 * 3600;
const FIRST_YEAR = 1960;
const LAST_YEAR = 2025;

/** Genres with their share of titles (relative). */
const GENRES: readonly (readonly [string, number])[] = [
  ['Drama', 14],
  ['Comedy', 12],
  ['Action', 10],
  ['Thriller', 9],
  ['Romance', 7],
  ['Crime', 6],
  ['Adventure', 6],
  ['Horror', 5],
  ['Sci-Fi', 5],
  ['Fantasy', 4],
  ['Mystery', 4],
  ['Family', 4],
  ['Animation', 3],
  ['Documentary', 3],
  ['Musical', 2],
  ['Western', 2],
];

/** Genres that plausibly go with each genre as second or third genre. */
const COMPANIONS: Readonly<Record<string, readonly string[]>> = {
  Drama: ['Romance', 'Crime', 'Thriller', 'Comedy', 'Mystery', 'Western'],
  Comedy: ['Romance', 'Family', 'Drama', 'Adventure', 'Crime', 'Musical'],
  Action: ['Adventure', 'Thriller', 'Sci-Fi', 'Crime', 'Fantasy'],
  Thriller: ['Crime', 'Mystery', 'Action', 'Drama', 'Horror'],
  Romance: ['Drama', 'Comedy', 'Musical', 'Fantasy'],
  Crime: ['Thriller', 'Drama', 'Mystery', 'Action'],
  Adventure: ['Action', 'Fantasy', 'Family', 'Sci-Fi', 'Animation'],
  Horror: ['Thriller', 'Mystery', 'Sci-Fi', 'Fantasy'],
  'Sci-Fi': ['Action', 'Adventure', 'Thriller', 'Horror'],
  Fantasy: ['Adventure', 'Family', 'Animation', 'Romance'],
  Mystery: ['Thriller', 'Crime', 'Drama', 'Horror'],
  Family: ['Animation', 'Comedy', 'Adventure', 'Fantasy'],
  Animation: ['Family', 'Comedy', 'Adventure', 'Fantasy'],
  Documentary: ['Drama', 'Musical'],
  Musical: ['Romance', 'Comedy', 'Drama'],
  Western: ['Action', 'Drama', 'Adventure'],
};

const GENRE_TAGS: Readonly<Record<string, readonly string[]>> = {
  Drama: ['slow burn', 'character study', 'tearjerker'],
  Comedy: ['feel-good', 'quirky', 'satire'],
  Action: ['car chase', 'martial arts', 'heist'],
  Thriller: ['twist ending', 'conspiracy', 'psychological'],
  Romance: ['love triangle', 'feel-good', 'second chance'],
  Crime: ['heist', 'gangsters', 'detective'],
  Adventure: ['quest', 'treasure hunt', 'survival'],
  Horror: ['supernatural', 'gory', 'haunted house'],
  'Sci-Fi': ['space', 'time travel', 'dystopia', 'artificial intelligence'],
  Fantasy: ['magic', 'dragons', 'fairy tale'],
  Mystery: ['whodunit', 'detective', 'twist ending'],
  Family: ['family friendly', 'animals', 'holiday'],
  Animation: ['family friendly', 'talking animals', 'hand-drawn'],
  Documentary: ['based on a true story', 'nature', 'biography'],
  Musical: ['dance', 'broadway', 'music'],
  Western: ['frontier', 'outlaws', 'revenge'],
};

const GENERAL_TAGS = [
  'based on a book',
  'based on a true story',
  'ensemble cast',
  'strong female lead',
  'coming of age',
  'period piece',
  'visually stunning',
  'dark',
  'atmospheric',
  'witty dialogue',
  'small town',
  'road trip',
  'new york',
  'london',
  'revenge',
  'friendship',
];

const ADJECTIVES = [
  'Silent',
  'Broken',
  'Golden',
  'Last',
  'Hidden',
  'Crimson',
  'Midnight',
  'Distant',
  'Wild',
  'Frozen',
  'Burning',
  'Lost',
  'Secret',
  'Electric',
  'Quiet',
  'Savage',
  'Velvet',
  'Hollow',
  'Restless',
  'Bright',
  'Dark',
  'Endless',
  'Shattered',
  'Lucky',
  'Little',
  'Iron',
  'Glass',
  'Paper',
  'Silver',
  'Scarlet',
  'Final',
  'Second',
  'Long',
  'Northern',
  'Sweet',
  'Bitter',
  'Invisible',
  'Fearless',
  'Wicked',
  'Gentle',
];
const NOUNS = [
  'Harbor',
  'Garden',
  'Storm',
  'Kingdom',
  'Horizon',
  'Mirror',
  'River',
  'Shadow',
  'Signal',
  'Crown',
  'Promise',
  'Orchard',
  'Echo',
  'Frontier',
  'Lantern',
  'Compass',
  'Tide',
  'Summer',
  'Winter',
  'Letter',
  'Empire',
  'Island',
  'Engine',
  'Circus',
  'Witness',
  'Stranger',
  'Hunter',
  'Voyage',
  'Fortune',
  'Secret',
  'Dream',
  'Heart',
  'Game',
  'Road',
  'Sky',
  'Fire',
  'Moon',
  'Station',
  'Bridge',
  'Kiss',
  'Detective',
  'Ghost',
  'Saint',
  'Thief',
  'Queen',
  'Machine',
  'Archive',
  'Code',
  'Line',
  'Song',
];
const PLURALS = [
  'Nights',
  'Wolves',
  'Secrets',
  'Strangers',
  'Shadows',
  'Dreams',
  'Rivers',
  'Kings',
  'Ghosts',
  'Stars',
  'Days',
  'Lies',
  'Hearts',
  'Machines',
  'Angels',
  'Thieves',
  'Streets',
  'Echoes',
  'Letters',
  'Storms',
];
const GERUNDS = [
  'Chasing',
  'Finding',
  'Saving',
  'Becoming',
  'Leaving',
  'Catching',
  'Hunting',
  'Remembering',
  'Breaking',
  'Crossing',
  'Dancing with',
  'Running from',
  'Waiting for',
  'Loving',
  'Escaping',
];
const PLACES = [
  'Avalon',
  'Brooklyn',
  'Marseille',
  'the North',
  'Paradise',
  'Tokyo',
  'Eden',
  'Mars',
  'Havana',
  'the Valley',
  'Casablanca',
  'the Bay',
  'Santa Rosa',
  'Berlin',
  'Nowhere',
  'the Deep',
  'Kilmore',
  'Sunset Boulevard',
  'Graceland',
  'the Old Mill',
];
const FIRST_NAMES = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'William',
  'Elena',
  'David',
  'Sofia',
  'Richard',
  'Aiko',
  'Joseph',
  'Priya',
  'Thomas',
  'Chloé',
  'Carlos',
  'Fatima',
  'Daniel',
  'Ingrid',
  'Matthew',
  'Nadia',
  'Anthony',
  'Grace',
  'Mark',
  'Lucía',
  'Paul',
  'Hannah',
  'Kenji',
  'Olivia',
  'Andrew',
  'Amara',
  'Joshua',
  'Zoe',
  'Kevin',
  'Isabel',
  'Brian',
  'Mei',
  'George',
  'Anna',
  'Omar',
  'Rosa',
  'Sean',
  'Leila',
  'Pierre',
  'Maya',
  'Ivan',
  'Ruth',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Okafor',
  'Tanaka',
  'Kowalski',
  'Novak',
  'Dubois',
  'Rossi',
  'Schmidt',
  'Yamamoto',
  'Haddad',
  'Larsen',
  'Costa',
  'Ivanova',
  'Petrov',
  'Murphy',
  'Sullivan',
];

/** A sink for one generated event; `value` is NaN when the event has none. */
type EventSink = (user: number, item: number, type: InteractionType, value: number, timestamp: number) => void;

/**
 * A made-up but realistic-looking catalog with viewers' interaction events, deterministic for a
 * seed. Titles have 1–3 genres of 16, a director and 2–4 cast members (people lean towards a
 * genre), a year 1960–2025 (more recent ones more common), a few tags, and a log-normal
 * popularity. Each viewer has latent tastes — 1–3 favourite genres, a favourite era, a liking for
 * popular versus obscure titles, sometimes a favourite person — plus some noise, so that a
 * recommender can learn structure that popularity alone misses. Events are mostly watch /
 * complete / rating, some like / click, and skip / dislike mostly on off-taste titles, spread
 * over a year and in time order per viewer. Ids are `m1…` for titles and `u1…` for viewers.
 * For millions of events use generateDemoInteractions, which creates no object per event.
 */
export function generateDemoCatalog(options: DemoCatalogOptions): DemoCatalog {
  const events: InteractionEvent[] = [];
  let userIds: readonly string[] = [];
  let itemIds: readonly string[] = [];
  const items = generate(
    options,
    (ids) => ((userIds = ids.userIds), (itemIds = ids.itemIds)),
    (u, i, type, value, timestamp) => {
      events.push(
        Number.isNaN(value)
          ? { userId: userIds[u], itemId: itemIds[i], type, timestamp }
          : { userId: userIds[u], itemId: itemIds[i], type, value, timestamp },
      );
    },
  );
  return { items, events };
}

/**
 * The same catalog and events as generateDemoCatalog for the same options, with the events
 * written straight into `builder` (weight and rating as addEvent gives them) instead of as objects.
 */
export function generateDemoInteractions(
  options: DemoCatalogOptions,
  builder: InteractionTableBuilder,
): { items: CatalogItem[]; eventCount: number } {
  let userIds: readonly string[] = [];
  let itemIds: readonly string[] = [];
  let eventCount = 0;
  // One reusable stand-in for eventWeight / eventRating, so no object is made per event.
  const scratch: { type: InteractionType; value: number | undefined } = { type: 'watch', value: undefined };
  const items = generate(
    options,
    (ids) => ((userIds = ids.userIds), (itemIds = ids.itemIds)),
    (u, i, type, value, timestamp) => {
      scratch.type = type;
      scratch.value = Number.isNaN(value) ? undefined : value;
      builder.add(userIds[u], itemIds[i], eventWeight(scratch), eventRating(scratch), timestamp);
      eventCount++;
    },
  );
  return { items, eventCount };
}

interface Person {
  readonly name: string;
  readonly genre: number;
}

interface Catalog {
  readonly items: CatalogItem[];
  readonly itemGenres: Int32Array[];
  readonly years: Int32Array;
  readonly quality: Float64Array;
  readonly popularity: Float64Array;
  /** Items of each genre (any position). */
  readonly byGenre: Int32Array[];
  /** Items of each cast member / director, by name. */
  readonly byPerson: Map<string, number[]>;
}

function generate(
  options: DemoCatalogOptions,
  onIds: (ids: { userIds: readonly string[]; itemIds: readonly string[] }) => void,
  sink: EventSink,
): CatalogItem[] {
  const { seed, items: itemCount = 400, users: userCount = 300, interactionsPerUser = 40, startTime = DEFAULT_START } = options;
  if (!Number.isInteger(itemCount) || itemCount < 1) throw new ShapeError(`items must be a positive integer, got ${itemCount}`);
  if (!Number.isInteger(userCount) || userCount < 0) throw new ShapeError(`users must be a non-negative integer, got ${userCount}`);
  if (!(interactionsPerUser > 0) || !Number.isFinite(interactionsPerUser)) {
    throw new ShapeError(`interactionsPerUser must be positive, got ${interactionsPerUser}`);
  }
  if (!Number.isFinite(seed) || !Number.isFinite(startTime)) throw new ShapeError('seed and startTime must be finite');
  // Separate streams: the catalog for a seed does not depend on the number of users.
  const catalog = generateItems(new Random(seed), itemCount);
  const userIds = Array.from({ length: userCount }, (_, u) => `u${u + 1}`);
  onIds({ userIds, itemIds: catalog.items.map((item) => item.itemId) });
  generateEvents(new Random((seed ^ 0x5bd1e995) >>> 0), catalog, userCount, interactionsPerUser, startTime, sink);
  return catalog.items;
}

function generateItems(rng: Random, count: number): Catalog {
  const genreCdf = cumulative(GENRES.map(([, share]) => share));
  const genreIndex = new Map(GENRES.map(([name], g) => [name, g]));
  const actors = people(rng, clamp(Math.round(count * 0.8), 30, 30_000), genreCdf);
  const directors = people(rng, clamp(Math.round(count * 0.25), 10, 10_000), genreCdf, new Set(actors.map((p) => p.name)));
  const actorsByGenre = groupByGenre(actors);
  const directorsByGenre = groupByGenre(directors);
  const titles = new Set<string>();
  const sequels = new Map<string, number>();
  const items: CatalogItem[] = [];
  const itemGenres: Int32Array[] = [];
  const years = new Int32Array(count);
  const quality = new Float64Array(count);
  const popularity = new Float64Array(count);
  const byPerson = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const primary = sample(genreCdf, rng.next());
    const genres = [primary];
    const extra = rng.next() < 0.4 ? 0 : rng.next() < 0.67 ? 1 : 2;
    const companions = COMPANIONS[GENRES[primary][0]];
    for (let k = 0; k < extra; k++) {
      const g = genreIndex.get(companions[rng.nextInt(companions.length)]) as number;
      if (!genres.includes(g)) genres.push(g);
    }
    // More recent years are more common: the exponent pulls draws towards LAST_YEAR.
    const year = LAST_YEAR - Math.floor((LAST_YEAR - FIRST_YEAR + 1) * rng.next() ** 1.8);
    const q = rng.nextGaussian();
    const director = pickPerson(rng, directors, directorsByGenre[primary], 0.7);
    const castSize = 2 + rng.nextInt(3);
    const cast: string[] = [];
    for (let k = 0; k < castSize * 3 && cast.length < castSize; k++) {
      const name = pickPerson(rng, actors, actorsByGenre[genres[rng.nextInt(genres.length)]], 0.6);
      if (!cast.includes(name)) cast.push(name);
    }
    const tags: string[] = [];
    const genreTags = GENRE_TAGS[GENRES[primary][0]];
    if (rng.next() < 0.6) tags.push(genreTags[rng.nextInt(genreTags.length)]);
    const general = rng.nextInt(3);
    for (let k = 0; k < general; k++) {
      const tag = GENERAL_TAGS[rng.nextInt(GENERAL_TAGS.length)];
      if (!tags.includes(tag)) tags.push(tag);
    }
    if (q > 1.3 && rng.next() < 0.6) tags.push('award winner');
    // A few fresh draws first; a title still taken becomes a numbered sequel.
    let title = makeTitle(rng);
    for (let k = 0; k < 3 && titles.has(title); k++) title = makeTitle(rng);
    if (titles.has(title)) {
      const base = title;
      let n = sequels.get(base) ?? 2;
      while (titles.has(`${base} ${n}`)) n++;
      sequels.set(base, n + 1);
      title = `${base} ${n}`;
      tags.push('sequel');
    }
    titles.add(title);
    const itemId = `m${i + 1}`;
    items.push({ itemId, title, genres: genres.map((g) => GENRES[g][0]), cast, directors: [director], year, tags });
    itemGenres.push(Int32Array.from(genres));
    years[i] = year;
    quality[i] = q;
    // Log-normal popularity, higher for better titles and lower for the newest (less time to be seen).
    popularity[i] = Math.exp(1.1 * rng.nextGaussian() + 0.5 * q) * (year >= LAST_YEAR - 1 ? 0.6 : 1);
    for (const name of [...cast, director]) {
      const list = byPerson.get(name);
      if (list) list.push(i);
      else byPerson.set(name, [i]);
    }
  }
  const byGenre = GENRES.map((_, g) => {
    const members: number[] = [];
    for (let i = 0; i < count; i++) if (itemGenres[i].includes(g)) members.push(i);
    return Int32Array.from(members);
  });
  return { items, itemGenres, years, quality, popularity, byGenre, byPerson };
}

/** Decades 1960s … 2020s, the buckets a viewer's era preference is sampled over. */
const DECADES = Math.floor((LAST_YEAR - FIRST_YEAR) / 10) + 1;

/** Least weight a decade far from a viewer's favourite era keeps, so that tastes are not absolute. */
const ERA_FLOOR = 0.05;

/**
 * Events of each viewer, sampled directly (no rejection loop, so millions of events stay cheap):
 * a bucket (favourite genre × decade) with weight genre liking × era closeness × the bucket's
 * share of that genre (by popularity for mainstream draws, by count for the rest), then a title
 * in the bucket by popularity or uniformly. Titles already seen are redrawn a few times; after
 * that a re-watch is allowed (buildTrainingData keeps the latest).
 */
function generateEvents(
  rng: Random,
  catalog: Catalog,
  userCount: number,
  interactionsPerUser: number,
  startTime: number,
  sink: EventSink,
): void {
  const itemCount = catalog.items.length;
  const globalCdf = cumulative(Array.from(catalog.popularity));
  // Buckets g * DECADES + d: the genre's titles of that decade, with a popularity CDF each.
  const bucketItems: Int32Array[] = [];
  const bucketCdfs: Float64Array[] = [];
  const popularityShare = new Float64Array(GENRES.length * DECADES);
  const countShare = new Float64Array(GENRES.length * DECADES);
  for (let g = 0; g < GENRES.length; g++) {
    const members = catalog.byGenre[g];
    let genreMass = 0;
    for (const i of members) genreMass += catalog.popularity[i];
    for (let d = 0; d < DECADES; d++) {
      const items = members.filter((i) => decadeIndex(catalog.years[i]) === d);
      let mass = 0;
      for (const i of items) mass += catalog.popularity[i];
      bucketItems.push(items);
      bucketCdfs.push(cumulative(Array.from(items, (i) => catalog.popularity[i])));
      popularityShare[g * DECADES + d] = genreMass > 0 ? mass / genreMass : 0;
      countShare[g * DECADES + d] = members.length > 0 ? items.length / members.length : 0;
    }
  }
  const genreShare = cumulative(GENRES.map(([, share]) => share));
  const seenBy = new Int32Array(itemCount).fill(-1);
  let times = new Float64Array(64);
  const userBuckets = new Int32Array(3 * DECADES);
  const userCdf = new Float64Array(3 * DECADES);
  for (let u = 0; u < userCount; u++) {
    // Tastes: 1–3 favourite genres, an era, a liking for popular titles, maybe a favourite person.
    const favourites = 1 + rng.nextInt(3);
    const eraCenter = LAST_YEAR - 50 * rng.next() ** 1.4;
    const eraWidth = 6 + 14 * rng.next();
    const mainstream = 0.3 + 0.7 * rng.next();
    let buckets = 0;
    let total = 0;
    let topGenre = -1;
    for (let k = 0; k < favourites; k++) {
      const g = sample(genreShare, rng.next());
      if (topGenre < 0) topGenre = g;
      const liking = 0.3 + rng.next();
      for (let d = 0; d < DECADES; d++) {
        const b = g * DECADES + d;
        const mid = Math.min(FIRST_YEAR + 10 * d + 5, LAST_YEAR);
        const era = Math.max(eraKernel(mid, eraCenter, eraWidth), ERA_FLOOR);
        const weight = liking * era * (mainstream * popularityShare[b] + (1 - mainstream) * countShare[b]);
        if (!(weight > 0)) continue;
        total += weight;
        userBuckets[buckets] = b;
        userCdf[buckets] = total;
        buckets++;
      }
    }
    const fanOf = rng.next() < 0.3 ? favouritePerson(rng, catalog, catalog.byGenre[topGenre]) : undefined;
    const fanList = fanOf === undefined ? undefined : catalog.byPerson.get(fanOf);

    // Activity (log-normal with mean interactionsPerUser) and a time window within the year.
    const count = Math.max(3, Math.round(interactionsPerUser * Math.exp(0.6 * rng.nextGaussian() - 0.18)));
    const windowStart = startTime + rng.next() * 0.7 * YEAR_SECONDS;
    const windowLength = (0.1 + 0.9 * rng.next()) * (startTime + YEAR_SECONDS - windowStart);
    if (times.length < count) times = new Float64Array(Math.max(count, times.length * 2));
    for (let e = 0; e < count; e++) times[e] = Math.floor(windowStart + rng.next() * windowLength);
    times.subarray(0, count).sort();

    for (let e = 0; e < count; e++) {
      const timestamp = times[e];
      if (buckets === 0 || rng.next() < 0.08) {
        // Noise: a popular title outside the viewer's taste, mostly a negative or weak signal.
        const item = sample(globalCdf, rng.next());
        seenBy[item] = u;
        const roll = rng.next();
        if (roll < 0.35) sink(u, item, 'skip', NaN, timestamp);
        else if (roll < 0.7) sink(u, item, 'click', NaN, timestamp);
        else if (roll < 0.85) sink(u, item, 'dislike', NaN, timestamp);
        else sink(u, item, 'watch', round2(0.05 + 0.25 * rng.next()), timestamp);
        continue;
      }
      let item = 0;
      for (let attempt = 0; attempt < 4; attempt++) {
        if (fanList !== undefined && rng.next() < 0.15) {
          item = fanList[rng.nextInt(fanList.length)];
        } else {
          const b = userBuckets[sampleScaled(userCdf, buckets, rng.next() * total)];
          const members = bucketItems[b];
          item = rng.next() < mainstream ? members[sample(bucketCdfs[b], rng.next())] : members[rng.nextInt(members.length)];
        }
        if (seenBy[item] !== u) break;
      }
      seenBy[item] = u;
      // Liking grows with the title's quality and how well it fits the viewer's era.
      const match = eraKernel(catalog.years[item], eraCenter, eraWidth);
      const liking = 0.6 * catalog.quality[item] + 1.2 * match + 0.5 * rng.nextGaussian();
      const roll = rng.next();
      if (roll < 0.38) sink(u, item, 'watch', round2(clamp(0.35 + 0.3 * liking + 0.2 * rng.next(), 0.05, 1)), timestamp);
      else if (roll < 0.63) sink(u, item, 'complete', NaN, timestamp);
      else if (roll < 0.85) sink(u, item, 'rating', clamp(Math.round((2.6 + liking) * 2) / 2, 0.5, 5), timestamp);
      else if (roll < 0.94) sink(u, item, liking > 0.2 ? 'like' : 'click', NaN, timestamp);
      else sink(u, item, 'click', NaN, timestamp);
    }
  }
}

function decadeIndex(year: number): number {
  return Math.min(DECADES - 1, Math.floor((year - FIRST_YEAR) / 10));
}

function eraKernel(year: number, center: number, width: number): number {
  const distance = (year - center) / width;
  return Math.exp(-0.5 * distance * distance);
}

function people(rng: Random, count: number, genreCdf: Float64Array, taken: ReadonlySet<string> = new Set()): Person[] {
  const names = new Set<string>(taken);
  const result: Person[] = [];
  const combinations = FIRST_NAMES.length * LAST_NAMES.length;
  while (result.length < count) {
    const first = FIRST_NAMES[rng.nextInt(FIRST_NAMES.length)];
    const last = LAST_NAMES[rng.nextInt(LAST_NAMES.length)];
    // Middle initials once plain names get crowded.
    const name = names.size < combinations / 2 ? `${first} ${last}` : `${first} ${String.fromCharCode(65 + rng.nextInt(26))}. ${last}`;
    if (names.has(name)) continue;
    names.add(name);
    result.push({ name, genre: sample(genreCdf, rng.next()) });
  }
  return result;
}

function groupByGenre(persons: readonly Person[]): Person[][] {
  const groups: Person[][] = GENRES.map(() => []);
  for (const person of persons) groups[person.genre].push(person);
  return groups;
}

function pickPerson(rng: Random, all: readonly Person[], ofGenre: readonly Person[], loyalty: number): string {
  const pool = ofGenre.length > 0 && rng.next() < loyalty ? ofGenre : all;
  return pool[rng.nextInt(pool.length)].name;
}

function favouritePerson(rng: Random, catalog: Catalog, members: Int32Array): string | undefined {
  if (members.length === 0) return undefined;
  const item = catalog.items[members[rng.nextInt(members.length)]];
  const people = [...item.cast, ...item.directors];
  return people[rng.nextInt(people.length)];
}

function makeTitle(rng: Random): string {
  const pick = (words: readonly string[]): string => words[rng.nextInt(words.length)];
  switch (rng.nextInt(13)) {
    case 10:
      return `The ${pick(ADJECTIVES)} ${pick(NOUNS)} of ${pick(PLACES)}`;
    case 11:
      return `${pick(GERUNDS)} the ${pick(ADJECTIVES)} ${pick(NOUNS)}`;
    case 12:
      return `${pick(FIRST_NAMES)} and the ${pick(ADJECTIVES)} ${pick(NOUNS)}`;
    case 0:
      return `The ${pick(ADJECTIVES)} ${pick(NOUNS)}`;
    case 1:
      return `${pick(NOUNS)} of ${pick(PLACES)}`;
    case 2:
      return `The ${pick(NOUNS)} of the ${pick(NOUNS)}`;
    case 3:
      return `${pick(FIRST_NAMES)}'s ${pick(NOUNS)}`;
    case 4:
      return `${pick(ADJECTIVES)} ${pick(PLURALS)}`;
    case 5:
      return `${pick(GERUNDS)} ${pick(PLACES)}`;
    case 6:
      return `A ${pick(NOUNS)} in ${pick(PLACES)}`;
    case 7:
      return `${pick(GERUNDS)} the ${pick(NOUNS)}`;
    case 8:
      return `${pick(PLURALS)} of ${pick(PLACES)}`;
    default:
      return `${pick(ADJECTIVES)} ${pick(NOUNS)}`;
  }
}

function cumulative(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  for (let k = 0; k < weights.length; k++) cdf[k] = total += weights[k];
  for (let k = 0; k < weights.length; k++) cdf[k] /= total;
  return cdf;
}

/** Index k of the first cdf[k] > u (binary search); u in [0, 1). */
function sample(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index k < length of the first cdf[k] > x, for an unnormalised cdf (binary search). */
function sampleScaled(cdf: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
