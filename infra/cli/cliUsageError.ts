/** A command line that cannot be run as given; main prints its message and the usage, exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}
