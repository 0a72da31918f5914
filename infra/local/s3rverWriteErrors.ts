import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | Readable;
  readonly metadata: Record<string, string>;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: Readable): Promise<{ size: number; md5: string }>;
}

let patched = false;

/**
 * s3rver 3.7 writes an object's (and a multipart part's) bytes through a WriteStream with no
 * 'error' listener: when the write fails — a read-only data folder, a full disk — the stream's
 * error is unhandled and ends the whole process, the local API with it. This replaces those two
 * store methods with the same writes through `pipeline`, so the failure rejects the request
 * (s3rver answers it 500 InternalError, which the functions turn into 503) and the server keeps
 * serving. The bytes go to a temporary file renamed into place, so a failed overwrite leaves the
 * previous object readable, as S3 does.
 */
export function patchS3rverWriteErrors(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const Store = require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStore };

  Store.prototype.putObject = async function putObject(this: FilesystemStore, object: StoredObject) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    const written = await writeAtomically(objectPath, content);
    await this.putMetadata(object.bucket, object.key, object.metadata, written.md5);
    return written;
  };

  Store.prototype.putPart = async function putPart(
    this: FilesystemStore,
    bucket: string,
    uploadId: string,
    partNumber: number,
    content: Readable,
  ) {
    const partPath = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const written = await writeAtomically(partPath, content);
    await writeFile(`${partPath}.md5`, written.md5);
    return written;
  };
}

/** Streams `content` to `path` through a temporary file beside it; its size and MD5 (hex). */
async function writeAtomically(path: string, content: Readable): Promise<{ size: number; md5: string }> {
  await mkdir(dirname(path), { recursive: true });
  const md5 = createHash('md5');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await pipeline(content, measure, createWriteStream(temporary));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  return { size, md5: md5.digest('hex') };
}
