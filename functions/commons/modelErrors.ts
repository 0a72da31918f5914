/**
 * Why a model version could not be loaded. `InvalidModelError`: the version itself is bad
 * (corrupt, truncated, mismatched with its manifest or pointer, unreadable by onnxruntime); the
 * loader rejects it and does not try it again for a while. Anything else (a network error, S3
 * throttling) is transient and retried at the next check.
 */
export class InvalidModelError extends Error {
  /** The version the pointer named, when it could be read. */
  readonly version?: string;
  constructor(message: string, version?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidModelError';
    this.version = version;
  }
}

/** No model has been published yet: `models/current.json` does not exist. */
export class NoModelPublishedError extends Error {
  constructor(message = 'no model has been published (models/current.json does not exist)', options?: ErrorOptions) {
    super(message, options);
    this.name = 'NoModelPublishedError';
  }
}

/** A download went wrong in transit (a body shorter or longer than announced): transient. */
export class ModelFetchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelFetchError';
  }
}
