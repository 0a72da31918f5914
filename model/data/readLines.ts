import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DataFormatError, ModelError } from '../errors.ts';
import type { InteractionTableBuilder } from './interactionTableBuilder.ts';

/** How loaders treat a malformed line. */
export interface ReadOptions {
  /**
   * Called with the error of each malformed line, which is then skipped; without it the first
   * malformed line throws. Retraining passes it to skip and count bad lines instead of failing.
   */
  readonly onInvalidLine?: (error: DataFormatError) => void;
}

/** Options of the loaders that produce an InteractionTable. */
export interface TableReadOptions extends ReadOptions {
  /**
   * Rows are added to this builder (which may already hold rows, e.g. from other files) and the
   * returned table is everything it holds; a fresh builder by default.
   */
  readonly builder?: InteractionTableBuilder;
}

/** What a loader saw: non-blank lines read, and how many of them were skipped as malformed. */
export interface LineStats {
  readonly lines: number;
  readonly skipped: number;
}

/** Handles one non-blank line (1-based `lineNumber`); throws DataFormatError when malformed. */
export type LineHandler = (line: string, lineNumber: number) => void;

/**
 * Streams a text file line by line (node:readline over a read stream, so memory stays bounded
 * whatever the file size), calling `onLine` for each line that is not blank. A UTF-8 byte order
 * mark and `\r\n` line ends are handled. A DataFormatError from `onLine` goes to
 * `options.onInvalidLine` when given, else rejects; I/O errors reject as ModelError.
 */
export function readLines(
  path: string,
  onLine: LineHandler,
  options: ReadOptions = {},
  encoding: BufferEncoding = 'utf8',
): Promise<LineStats> {
  return new Promise((resolve, reject) => {
    const input = createReadStream(path, { encoding });
    const reader = createInterface({ input, crlfDelay: Infinity });
    let lineNumber = 0;
    let lines = 0;
    let skipped = 0;
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      reader.close();
      input.destroy();
      reject(error);
    };
    const ioError = (error: Error): void => fail(new ModelError(`cannot read ${path}: ${error.message}`, { cause: error }));
    // readline re-emits its input's errors on the interface: both need a listener.
    input.on('error', ioError);
    reader.on('error', ioError);
    reader.on('line', (raw) => {
      if (failed) return;
      lineNumber++;
      const line = lineNumber === 1 ? stripBom(raw) : raw;
      if (isBlank(line)) return;
      lines++;
      try {
        onLine(line, lineNumber);
      } catch (error) {
        if (error instanceof DataFormatError && options.onInvalidLine) {
          skipped++;
          options.onInvalidLine(error);
        } else {
          fail(error);
        }
      }
    });
    reader.on('close', () => {
      if (!failed) resolve({ lines, skipped });
    });
  });
}

/** The same as readLines over text already in memory. */
export function forEachLine(text: string, onLine: LineHandler, options: ReadOptions = {}): LineStats {
  let lines = 0;
  let skipped = 0;
  let lineNumber = 0;
  let start = 0;
  const body = stripBom(text);
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    lineNumber++;
    let line = body.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = end + 1;
    if (isBlank(line)) continue;
    lines++;
    try {
      onLine(line, lineNumber);
    } catch (error) {
      if (!(error instanceof DataFormatError && options.onInvalidLine)) throw error;
      skipped++;
      options.onInvalidLine(error);
    }
  }
  return { lines, skipped };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}
