import type { Context } from 'aws-lambda';
import type middy from '@middy/core';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { awsClients } from './awsClients.ts';
import type { ServiceConfig } from './config.ts';
import { ServiceUnavailableError } from './httpErrors.ts';
import { InvalidModelError, NoModelPublishedError } from './modelErrors.ts';
import { openModelVersion, readModelPointer, type ModelSourceOptions, type ModelVersionDownload, type PointerRead } from './modelSource.ts';
import { logger as defaultLogger, metrics as defaultMetrics } from './observability.ts';

export interface ModelLoaderOptions<T> {
  /** Names the loader in logs and in the health status. */
  readonly name: string;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Files of the version `build` needs besides manifest.json (e.g. `model.onnx`, `items.json`). */
  readonly files: readonly string[];
  /**
   * Turns a version into the served object as its files arrive (each checked before it is
   * handed over); throws InvalidModelError to reject it.
   */
  readonly build: (version: ModelVersionDownload) => Promise<T>;
  /** Frees a served object once it is replaced and no request holds it any more. */
  readonly dispose?: (model: T) => Promise<void> | void;
  /** A warm container checks the pointer at most this often (MODEL_REFRESH_SECONDS). */
  readonly refreshIntervalMs: number;
  /**
   * With no model loaded, a request retries the load at most this often; also the first delay
   * before a rejected version is tried again (at least 2 s, doubling up to refreshIntervalMs).
   * Default min(5 s, refreshIntervalMs).
   */
  readonly retryIntervalMs?: number;
  /** How long a request waits for a load in progress when no model is loaded. Default 10 s. */
  readonly waitMs?: number;
  /** Abort an S3 read after this long. Default 30 s. */
  readonly fetchTimeoutMs?: number;
  /** Monotonic milliseconds, for the schedule (tests inject a clock). Default performance.now. */
  readonly now?: () => number;
  readonly logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  readonly metrics?: Pick<Metrics, 'addMetric'>;
}

/** A request's hold on one loaded version: the version is not released before `release()`. */
export interface ModelLease<T> {
  readonly model: T;
  readonly version: string;
  /** Idempotent. */
  release(): void;
}

/** What a check of the pointer did. */
export type CheckOutcome = 'loaded' | 'unchanged' | 'skipped' | 'rejected' | 'failed' | 'none';

export interface ModelLoaderStatus {
  readonly name: string;
  readonly state: 'loaded' | 'loading' | 'none';
  readonly version?: string;
  /** Versions replaced but still held by requests. */
  readonly draining: number;
  /** Why the pointer's version is not the one served, if it is not; cleared by the next load. */
  readonly problem?: LoaderProblem;
}

/** The last check's trouble: nothing published, the version rejected, or the store failing. */
export interface LoaderProblem {
  readonly kind: 'no-model' | 'rejected' | 'failed';
  /** The version the pointer names, when known. */
  readonly version?: string;
  readonly reason: string;
  /** When the loader tries again, from now (rounded up). */
  readonly retryInSeconds: number;
}

const DEFAULT_RETRY_MS = 5_000;
/** The shortest wait before a rejected version is downloaded again, however short the intervals. */
const MIN_REJECTED_RETRY_MS = 2_000;
const DEFAULT_WAIT_MS = 10_000;

/** One loaded version, with a count of the requests using it. */
class LoadedVersion<T> {
  private leases = 0;
  private retired = false;
  private disposed = false;

  constructor(
    readonly model: T,
    readonly version: string,
    /** The pointer identity it was loaded from (`version:sha256`). */
    readonly key: string,
    private readonly onIdle: (model: T, version: string) => void,
  ) {}

  acquire(): ModelLease<T> {
    this.leases++;
    let released = false;
    return {
      model: this.model,
      version: this.version,
      release: () => {
        if (released) return;
        released = true;
        this.leases--;
        this.disposeIfIdle();
      },
    };
  }

  get draining(): boolean {
    return this.retired && !this.disposed;
  }

  /** Replaced: dispose as soon as the last request holding it is done. */
  retire(): void {
    this.retired = true;
    this.disposeIfIdle();
  }

  private disposeIfIdle(): void {
    if (!this.retired || this.leases > 0 || this.disposed) return;
    this.disposed = true;
    this.onIdle(this.model, this.version);
  }
}

/**
 * Loads the served model from the bucket and keeps it fresh — middy's packages/s3 pattern for a
 * model: prefetch at cold start, cache with an expiry, retry after a failure.
 *
 * - `models/current.json` → manifest.json (sha256 checked against the pointer) → the files
 *   (sha256 checked against the manifest) → `build`. A version is loaded beside the one serving
 *   and swapped in by one assignment; each request leases the version current when it starts and
 *   uses only that, and a replaced version is disposed when its last lease is released.
 * - Staleness bound: a request is served a version that was the pointer's at most
 *   `refreshIntervalMs` ago, or waits (at most `waitMs`) for the load of the newer one. A busy
 *   container checks every half interval in the background, so no request waits; the first
 *   request after an idle spell waits for the pointer read (and for the load, if it moved).
 * - A bad version (InvalidModelError: corrupt, truncated, mismatched, missing) is rejected: the
 *   current one keeps serving, the failure is logged once and counted (metric
 *   ModelLoadFailures), and the same pointer is tried again after a backoff from
 *   `retryIntervalMs` (at least 2 s) doubling up to `refreshIntervalMs` — a version fixed in
 *   place is served within one interval. Transient failures (S3 errors) are counted and retried at the next check.
 * - With no model loaded, requests wait for a load in progress, or start one (at most every
 *   `retryIntervalMs`), and otherwise fail with 503, a message saying why, and a Retry-After of
 *   when the loader tries again.
 */
export class ModelLoader<T> {
  readonly name: string;
  private readonly options: ModelLoaderOptions<T>;
  private readonly source: ModelSourceOptions;
  private readonly now: () => number;
  private readonly logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  private readonly metrics: Pick<Metrics, 'addMetric'>;
  private readonly retryIntervalMs: number;
  private current?: LoadedVersion<T>;
  private readonly retiring = new Set<LoadedVersion<T>>();
  private inflight?: Promise<CheckOutcome>;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  /** When the served version was last found to be the one to serve (the start of that check). */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private rejected?: { key: string; attempts: number; retryAt: number };
  /** The last check's trouble (status, 503 messages); cleared by a check that finds all well. */
  private problem?: Omit<LoaderProblem, 'retryInSeconds'>;
  /** The last problem logged, so that a repeating one is logged once. */
  private lastProblem?: string;
  private loads = 0;
  private closed = false;

  constructor(options: ModelLoaderOptions<T>) {
    this.options = options;
    this.name = options.name;
    this.source = { s3: options.s3, bucket: options.bucket, timeoutMs: options.fetchTimeoutMs };
    this.now = options.now ?? (() => performance.now());
    this.logger = options.logger ?? defaultLogger;
    this.metrics = options.metrics ?? defaultMetrics;
    this.retryIntervalMs = options.retryIntervalMs ?? Math.min(DEFAULT_RETRY_MS, options.refreshIntervalMs);
  }

  /** Starts loading now (at module load, so the download overlaps the rest of the cold start). */
  prefetch(): void {
    if (!this.current && !this.inflight) void this.check();
  }

  /**
   * The version to serve a request with. Starts a background check every half refresh interval;
   * when the served version has gone a whole interval unconfirmed, or there is none, waits for
   * the check (or starts one, at most every `retryIntervalMs`) — at most `maxWaitMs` (default the
   * loader's `waitMs`). With still no model, throws ServiceUnavailableError (503, Retry-After).
   */
  async acquire(maxWaitMs?: number): Promise<ModelLease<T>> {
    const now = this.now();
    const refreshMs = this.options.refreshIntervalMs;
    const current = this.current;
    let pending = this.inflight;
    if (current) {
      if (!pending && now - this.lastCheckAt >= refreshMs / 2) pending = this.check();
      // Stale past the bound: wait for the check — unless the store is failing, when the version
      // loaded is better served than made to wait for.
      if (!pending || now - this.confirmedAt <= refreshMs || this.problem?.kind === 'failed') return current.acquire();
    } else if (!pending && (now - this.lastCheckAt >= this.retryIntervalMs || this.rejectedRetryDue(now))) {
      pending = this.check();
    }
    if (pending) await waitAtMost(pending, Math.min(maxWaitMs ?? Number.POSITIVE_INFINITY, this.options.waitMs ?? DEFAULT_WAIT_MS));
    // Read and lease in one synchronous step: nothing can retire the version in between.
    const loaded = this.current as LoadedVersion<T> | undefined;
    if (loaded) return loaded.acquire();
    throw this.unavailable();
  }

  /** Checks the pointer now (after any check in progress) and loads a new version if it moved. */
  async refresh(): Promise<CheckOutcome> {
    if (this.inflight) await this.inflight;
    return this.check();
  }

  status(): ModelLoaderStatus {
    let draining = 0;
    for (const version of this.retiring) if (version.draining) draining++;
    return {
      name: this.name,
      state: this.current ? 'loaded' : this.inflight ? 'loading' : 'none',
      ...(this.current ? { version: this.current.version } : {}),
      draining,
      ...(this.problem ? { problem: { ...this.problem, retryInSeconds: this.retryAfterSeconds() } } : {}),
    };
  }

  /** Stops checking and disposes the current version once it is idle (tests, shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.inflight) await this.inflight;
    const current = this.current;
    this.current = undefined;
    if (current) {
      this.retiring.add(current);
      current.retire();
    }
  }

  private check(): Promise<CheckOutcome> {
    if (this.inflight) return this.inflight;
    if (this.closed) return Promise.resolve('skipped');
    this.lastCheckAt = this.now();
    const run = this.runCheck().finally(() => {
      this.inflight = undefined;
    });
    this.inflight = run;
    return run;
  }

  private async runCheck(): Promise<CheckOutcome> {
    const checkedAt = this.lastCheckAt;
    const outcome = await this.load();
    // Any answer but a transient failure settles what to serve: a new version, or the current one kept.
    if (outcome !== 'failed') this.confirmedAt = checkedAt;
    return outcome;
  }

  private async load(): Promise<CheckOutcome> {
    let read: PointerRead;
    try {
      read = await readModelPointer(this.source);
    } catch (error) {
      return this.failed(error, undefined);
    }
    if (this.current?.key === read.key) {
      this.lastProblem = undefined;
      this.problem = undefined;
      return 'unchanged';
    }
    if (this.rejected?.key === read.key && this.now() < this.rejected.retryAt) return 'skipped';

    const started = performance.now();
    let model: T;
    let download: ModelVersionDownload;
    let downloaded: Promise<number>;
    try {
      download = await openModelVersion(this.source, read.pointer, this.options.files);
      downloaded = download.settled.then(() => performance.now());
      model = await this.options.build(download);
    } catch (error) {
      return this.failed(error, read);
    }
    if (this.closed) {
      await this.dispose(model, read.pointer.version);
      return 'skipped';
    }
    const loadMs = performance.now() - started;
    const [{ bytes }, downloadedAt] = await Promise.all([download.settled, downloaded]);
    const previous = this.current;
    this.current = new LoadedVersion(model, read.pointer.version, read.key, (m, v) => this.disposeRetired(m, v));
    this.rejected = undefined;
    this.lastProblem = undefined;
    this.problem = undefined;
    this.metrics.addMetric('ModelLoadMs', MetricUnit.Milliseconds, loadMs);
    this.logger.info('model loaded', {
      loader: this.name,
      modelVersion: read.pointer.version,
      previousVersion: previous?.version,
      loadMs: Math.round(loadMs),
      // Until the last file had arrived; the build overlaps it.
      downloadMs: Math.round(downloadedAt - started),
      bytes,
      coldStart: this.loads === 0,
    });
    this.loads++;
    if (previous) {
      this.retiring.add(previous);
      previous.retire();
    }
    return 'loaded';
  }

  private failed(error: unknown, read: PointerRead | undefined): CheckOutcome {
    const serving = this.current?.version;
    if (error instanceof NoModelPublishedError) {
      this.problem = { kind: 'no-model', reason: error.message };
      this.logOnce('no-model', 'warn', 'no model is published', { loader: this.name, servingVersion: serving });
      return 'none';
    }
    this.metrics.addMetric('ModelLoadFailures', MetricUnit.Count, 1);
    if (error instanceof InvalidModelError) {
      const key = read?.key ?? 'pointer';
      // Backoff: a version fixed in place is picked up within one refresh interval.
      const attempts = this.rejected?.key === key ? this.rejected.attempts + 1 : 1;
      const firstMs = Math.max(this.retryIntervalMs, MIN_REJECTED_RETRY_MS);
      const delayMs = Math.min(firstMs * 2 ** (attempts - 1), Math.max(firstMs, this.options.refreshIntervalMs));
      this.rejected = { key, attempts, retryAt: this.now() + delayMs };
      const version = read?.pointer.version ?? error.version;
      this.problem = { kind: 'rejected', ...(version ? { version } : {}), reason: error.message };
      this.logOnce(`rejected:${key}`, 'error', 'model rejected', {
        loader: this.name,
        modelVersion: read?.pointer.version ?? error.version,
        servingVersion: serving,
        reason: error.message,
      });
      return 'rejected';
    }
    this.problem = {
      kind: 'failed',
      ...(read ? { version: read.pointer.version } : {}),
      reason: `${(error as Error)?.name}: ${(error as Error)?.message}`,
    };
    this.logOnce(`failed:${(error as Error)?.name}:${(error as Error)?.message}`, 'warn', 'model load failed', {
      loader: this.name,
      modelVersion: read?.pointer.version,
      servingVersion: serving,
      error: error as Error,
    });
    return 'failed';
  }

  private logOnce(problem: string, level: 'warn' | 'error', message: string, attributes: Record<string, unknown>): void {
    if (this.lastProblem === problem) {
      this.logger.debug(message, attributes);
      return;
    }
    this.lastProblem = problem;
    this.logger[level](message, attributes);
  }

  private disposeRetired(model: T, version: string): void {
    for (const loaded of this.retiring) if (loaded.model === model) this.retiring.delete(loaded);
    void this.dispose(model, version);
  }

  private async dispose(model: T, version: string): Promise<void> {
    try {
      await this.options.dispose?.(model);
      this.logger.debug('model released', { loader: this.name, modelVersion: version });
    } catch (error) {
      this.logger.warn('model release failed', { loader: this.name, modelVersion: version, error: error as Error });
    }
  }

  /** Whether the backoff of a rejected version has run out since the last check. */
  private rejectedRetryDue(now: number): boolean {
    return this.rejected !== undefined && this.lastCheckAt < this.rejected.retryAt && this.rejected.retryAt <= now;
  }

  /** Seconds until the loader next tries: for a rejected version its next download, else its next check. */
  private retryAfterSeconds(): number {
    if (this.inflight) return 1;
    const now = this.now();
    const next =
      this.problem?.kind === 'rejected' && this.rejected && this.rejected.retryAt > now
        ? this.rejected.retryAt
        : this.lastCheckAt + (this.current ? this.options.refreshIntervalMs / 2 : this.retryIntervalMs);
    return Math.max(1, Math.ceil((next - now) / 1000));
  }

  /** The 503 of a request with no model to serve: why, what to do, and when to retry. */
  private unavailable(): ServiceUnavailableError {
    const seconds = this.retryAfterSeconds();
    return new ServiceUnavailableError(
      this.inflight ? 'the recommendation model is still loading; retry in a second' : unavailableMessage(this.problem, seconds),
      seconds,
    );
  }
}

function unavailableMessage(problem: Omit<LoaderProblem, 'retryInSeconds'> | undefined, seconds: number): string {
  switch (problem?.kind) {
    case 'no-model':
      return `no recommendation model has been published yet: train one with \`npx marquee retrain\` (or wait for the scheduled retrain); this service looks for it again in ${seconds} s`;
    case 'rejected':
      return `the published model${problem.version ? ` ${problem.version}` : ''} failed its checks and is not served (${problem.reason}); it is tried again in ${seconds} s — publish a good one with \`npx marquee retrain\` or go back with \`npx marquee model rollback\``;
    case 'failed':
      return `the model store is unavailable; retry in ${seconds} s`;
    default:
      return `no recommendation model is loaded yet; retry in ${seconds} s`;
  }
}

/** What a handler behind `withModel` finds on its context. */
export interface ModelContext<T> {
  readonly model: T;
  readonly modelVersion: string;
}

interface ModelInternal {
  modelLease?: ModelLease<unknown>;
}

/** Time kept back from a Lambda's remaining time when waiting for a model, to answer 503 in time. */
const ANSWER_MARGIN_MS = 1_000;

/**
 * The middy middleware of a loader: leases the current version before the handler, on a context
 * derived per request (so concurrent requests never see each other's version), and releases it
 * after the response or the error. A request that must wait for a cold load waits no longer than
 * its invocation's remaining time allows, so it gets its 503 rather than a Lambda timeout.
 */
export function withModel<T, TEvent = unknown, TResult = unknown>(
  loader: ModelLoader<T>,
): middy.MiddlewareObj<TEvent, TResult, Error, Context & ModelContext<T>> {
  const release = async (request: middy.Request<TEvent, TResult, Error, Context & ModelContext<T>>): Promise<void> => {
    const internal = request.internal as ModelInternal;
    internal.modelLease?.release();
    internal.modelLease = undefined;
  };
  return {
    before: async (request) => {
      const remaining = request.context.getRemainingTimeInMillis?.();
      const lease = await loader.acquire(remaining === undefined ? undefined : Math.max(0, remaining - ANSWER_MARGIN_MS));
      (request.internal as ModelInternal).modelLease = lease;
      request.context = Object.create(request.context, {
        model: { value: lease.model, enumerable: true },
        modelVersion: { value: lease.version, enumerable: true },
      }) as Context & ModelContext<T>;
      defaultLogger.appendKeys({ modelVersion: lease.version });
    },
    after: release,
    onError: release,
  };
}

const sharedLoaders = new Map<string, ModelLoader<unknown>>();

/**
 * The process-wide loader called `name`, created (and prefetching) on first use: every handler
 * module of a process that needs the same files shares one loaded model.
 */
export function sharedModelLoader<T>(name: string, create: () => ModelLoader<T>): ModelLoader<T> {
  let loader = sharedLoaders.get(name) as ModelLoader<T> | undefined;
  if (!loader) {
    loader = create();
    sharedLoaders.set(name, loader as ModelLoader<unknown>);
    loader.prefetch();
  }
  return loader;
}

/** Status of every loader of this process (for /v1/health); empty when none was created. */
export function modelLoaderStatuses(): ModelLoaderStatus[] {
  return [...sharedLoaders.values()].map((loader) => loader.status());
}

/** The options every service loader shares, from the function configuration. */
export function loaderSettings(config: ServiceConfig): Pick<ModelLoaderOptions<unknown>, 's3' | 'bucket' | 'refreshIntervalMs'> {
  return { s3: awsClients(config).s3, bucket: config.bucketName, refreshIntervalMs: config.modelRefreshSeconds * 1000 };
}

function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
