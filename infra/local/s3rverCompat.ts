import { createRequire } from 'node:module';

type CipherFactory = (algorithm: string, key: Buffer, iv: Buffer | null, options?: unknown) => unknown;

let patched = false;

/**
 * s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES (`createCipheriv('des', …)`),
 * which OpenSSL 3 — Node 17 and later — no longer provides: every listing longer than one page
 * (more than 1,000 keys, or MaxKeys smaller than the listing) fails with a 500 InternalError.
 * The catalog of MovieLens 100K alone has 1,682 titles. This maps exactly that call, DES with
 * s3rver's 8-byte key and IV, to AES-128-CBC with the key and IV doubled, for the cipher and the
 * decipher alike, so tokens round-trip as s3rver meant; every other algorithm is untouched.
 * s3rver reads `crypto.createCipheriv` from the shared CommonJS module at call time, which is
 * where the mapping is installed (once per process).
 */
export function patchS3rverContinuationTokens(): void {
  if (patched) return;
  patched = true;
  const crypto = createRequire(import.meta.url)('crypto') as Record<'createCipheriv' | 'createDecipheriv', CipherFactory>;
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = crypto[name];
    crypto[name] = function desAsAes(algorithm, key, iv, options) {
      if (algorithm === 'des' && key.length === 8 && iv?.length === 8) {
        return original.call(crypto, 'aes-128-cbc', Buffer.concat([key, key]), Buffer.concat([iv, iv]), options);
      }
      return original.call(crypto, algorithm, key, iv, options);
    };
  }
}
