import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ModelLoaderStatus } from './modelLoader.ts';
import { openModelVersion, readModelPointer } from './modelSource.ts';
import { logger as defaultLogger } from './observability.ts';

/** What GET /v1/health says: `degraded` while a serving function has (or would get) no model. */
export type HealthStatus = 'ok' | 'degraded';

export interface ServingReadinessOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The pointer is read again at most this often. */
  readonly ttlMs: number;
  /** The model loaders of this process (the local service runs the serving functions beside health). */
  readonly loaders: () => readonly ModelLoaderStatus[];
  /** Monotonic milliseconds (tests inject a clock). Default performance.now. */
  readonly now?: () => number;
  readonly logger?: Pick<Logger, 'warn'>;
}

/** A health check answers quickly: a store that does not answer by then counts as degraded. */
const READ_TIMEOUT_MS = 2_000;

/**
 * Whether serving has a model, as the health function can tell it cheaply: every model loader of
 * this process has one, and `models/current.json` names a version a cold serving function would
 * load — the pointer is valid and that version's manifest is there and matches it (sha256,
 * version, format). The pointer is read at most once per `ttlMs`, the manifest only when the
 * pointer moves; a store failure counts as degraded until the next read.
 */
export class ServingReadiness {
  private readonly options: ServingReadinessOptions;
  private readonly now: () => number;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private published?: Promise<boolean>;
  /** The pointer identity whose manifest passed, so a pointer that did not move costs one read. */
  private verifiedKey?: string;
  /** The last verdict, so that a lasting problem is logged once. */
  private servable?: boolean;

  constructor(options: ServingReadinessOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  async status(): Promise<HealthStatus> {
    if (this.options.loaders().some((loader) => loader.state !== 'loaded')) return 'degraded';
    return (await this.publishedModelServable()) ? 'ok' : 'degraded';
  }

  private publishedModelServable(): Promise<boolean> {
    const now = this.now();
    if (!this.published || now - this.checkedAt >= this.options.ttlMs) {
      this.checkedAt = now;
      this.published = this.check();
    }
    return this.published;
  }

  private async check(): Promise<boolean> {
    const source = { s3: this.options.s3, bucket: this.options.bucket, timeoutMs: READ_TIMEOUT_MS };
    try {
      const read = await readModelPointer(source);
      if (read.key !== this.verifiedKey) {
        const download = await openModelVersion(source, read.pointer, []);
        await download.settled;
        this.verifiedKey = read.key;
      }
      this.servable = true;
    } catch (error) {
      this.verifiedKey = undefined;
      if (this.servable !== false)
        (this.options.logger ?? defaultLogger).warn('health degraded: no servable model is published', { error: error as Error });
      this.servable = false;
    }
    return this.servable;
  }
}
