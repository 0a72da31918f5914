import { open } from 'node:fs/promises';
import { ModelError } from '../errors.ts';

const PEEK_BYTES = 64 * 1024;

/**
 * The first non-blank line of a file (1-based line number included), from its first 64 KiB
 * decoded as Latin-1 — enough to tell formats apart by their delimiters and headers without
 * reading the whole file. Undefined when those bytes hold no non-blank line.
 */
export async function readFirstLine(path: string): Promise<{ line: string; lineNumber: number } | undefined> {
  let bytes: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = new Uint8Array(PEEK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, PEEK_BYTES, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ModelError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let text = new TextDecoder('latin1').decode(bytes);
  // A UTF-8 byte order mark reads as these three Latin-1 characters.
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim().length > 0) return { line, lineNumber: i + 1 };
  }
  return undefined;
}
