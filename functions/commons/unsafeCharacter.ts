/**
 * Characters no id or text field may hold: control (Cc) and format (Cf) characters — NUL, escape
 * sequences, bidi overrides that make a string read differently from what it is — line and
 * paragraph separators, and lone surrogates (not text, and not storable as UTF-8).
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Zero-width non-joiner and joiner: format characters that Persian, Indic scripts and emoji need in titles. */
const JOINERS = /[\u200C\u200D]/g;

/**
 * The first unsafe character of `text` described for a client (`U+202E at index 3`), or
 * undefined when there is none. `allowJoiners` lets U+200C/U+200D through (titles and names).
 */
export function unsafeCharacter(text: string, options: { readonly allowJoiners?: boolean } = {}): string | undefined {
  const checked = options.allowJoiners ? text.replace(JOINERS, 'a') : text;
  const match = UNSAFE.exec(checked);
  if (!match) return undefined;
  const code = match[0].codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} at index ${match.index}`;
}
