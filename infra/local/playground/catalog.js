/** The served model's titles from its items.json (columns, format 2; or the older `{items}` form), in model index order. */
export function decodeItems(parsed) {
  if (Array.isArray(parsed.items))
    return parsed.items.map((item) => ({
      itemId: item.itemId,
      title: item.title ?? null,
      year: item.year ?? null,
      genres: item.genres ?? [],
      interactions: item.interactions ?? 0,
    }));
  return parsed.itemIds.map((itemId, i) => ({
    itemId,
    title: parsed.titles[i],
    year: parsed.years[i],
    genres: parsed.genres.slice(parsed.genreOffsets[i], parsed.genreOffsets[i + 1]).map((g) => parsed.genreNames[g]),
    interactions: parsed.interactions[i],
  }));
}

/** Titles whose title or id contains every word of `query` (case-insensitive), most watched first. */
export function searchItems(items, query, limit = 8) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const text = (item) => `${item.title ?? ''} ${item.itemId}`.toLowerCase();
  return items
    .filter((item) => words.every((word) => text(item).includes(word)))
    .sort((a, b) => b.interactions - a.interactions)
    .slice(0, limit);
}

/** Hex sha256 of bytes, by the browser's own crypto. */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Downloads one file of GET /v1/model/files and checks its size and sha256. */
export async function downloadVerified(file, name) {
  const response = await fetch(file.url);
  if (!response.ok) throw new Error(`${name}: download failed (${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  if (bytes.length !== file.bytes || sha256 !== file.sha256)
    throw new Error(`${name}: ${bytes.length} bytes, sha256 ${sha256}; expected ${file.bytes}, ${file.sha256}`);
  return bytes;
}
