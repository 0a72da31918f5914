/** One title of a catalog, as clients send it and as loaders read it. */
export interface CatalogItem {
  readonly itemId: string;
  readonly title: string;
  readonly genres: readonly string[];
  readonly cast: readonly string[];
  readonly directors: readonly string[];
  /** Release year, when known. */
  readonly year?: number;
  readonly tags: readonly string[];
}
