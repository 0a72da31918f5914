import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalResponse } from './localApi.ts';

/** Answers a GET of a page of the local service, or undefined for any other request (the API's). */
export type LocalPages = (method: string, url: string) => Promise<LocalResponse | undefined>;

/** The page's folder, and the only files of onnxruntime-web it loads (its ESM bundle and the wasm build it imports). */
export const PLAYGROUND_DIR = 'infra/local/playground';
const ORT_DIR = 'node_modules/onnxruntime-web/dist';
const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
  svg: 'image/svg+xml',
};

/**
 * The playground at `/`, its files at `/playground/<file>`, and onnxruntime-web at
 * `/vendor/onnxruntime-web/<file>` from node_modules: a fixed list of files read at start, so no
 * path from a request reaches the file system. Nothing is built and nothing comes from a CDN.
 */
export async function playgroundPages(projectRoot: string): Promise<LocalPages> {
  const files = new Map<string, string>();
  const pageDir = join(projectRoot, PLAYGROUND_DIR);
  for (const name of await readdir(pageDir)) files.set(`/playground/${name}`, join(pageDir, name));
  files.set('/', join(pageDir, 'index.html'));
  for (const name of ORT_FILES) files.set(`/vendor/onnxruntime-web/${name}`, join(projectRoot, ORT_DIR, name));
  return async (method, url) => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const file = files.get(url.split(/[?#]/, 1)[0]);
    if (file === undefined) return undefined;
    const body = await readFile(file);
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    return {
      statusCode: 200,
      headers: { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' },
      body: method === 'HEAD' ? Buffer.alloc(0) : body,
    };
  };
}
