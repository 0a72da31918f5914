import { readFile } from 'node:fs/promises';
import { ModelError } from '../errors.ts';

/** A whole file's bytes, with an I/O failure reported as ModelError naming the path. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ModelError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
