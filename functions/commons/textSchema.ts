import * as z from 'zod';
import { unsafeCharacter } from './unsafeCharacter.ts';

/**
 * A text field (a title, a genre, a name, a preference): trimmed, non-empty, at most `maxLength`
 * characters, ordinary spaces inside allowed, but no control or format character (bar the
 * joiners scripts and emoji need) and no lone surrogate — the same rule as ids (idSchema.ts).
 */
export function textSchema(maxLength: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .superRefine((text, ctx) => {
      const unsafe = unsafeCharacter(text, { allowJoiners: true });
      if (unsafe !== undefined) ctx.addIssue({ code: 'custom', message: `must not hold control or format characters (${unsafe})` });
    });
}
