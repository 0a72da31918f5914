/** Base of every error thrown by model/. */
export class ModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelError';
  }
}

/** A data file (ratings, items, events) has a line that cannot be read. */
export class DataFormatError extends ModelError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string, options?: ErrorOptions) {
    super(`${file}:${line}: ${message}`, options);
    this.name = 'DataFormatError';
    this.file = file;
    this.line = line;
  }
}

/** Arguments of the wrong shape or range reached a public model function. */
export class ShapeError extends ModelError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ShapeError';
  }
}

/** Training produced something unusable (NaN or infinite parameters, no data). */
export class TrainingError extends ModelError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrainingError';
  }
}

/** A model could not be exported or read back. */
export class ExportError extends ModelError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExportError';
  }
}
