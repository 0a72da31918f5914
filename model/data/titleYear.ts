/** The year of a title ending in "(1995)", as MovieLens titles do; undefined when there is none. */
export function titleYear(title: string): number | undefined {
  const match = /\((\d{4})\)\s*$/.exec(title);
  return match ? Number(match[1]) : undefined;
}
