/** `90s`, `10m`, `1h`, `1d`, `500ms` → milliseconds; undefined when it is none of these. */
export function parseInterval(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  const ms = Number(match[1]) * unit;
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

/**
 * Runs `run` every `intervalMs` (a fixed rate, as an EventBridge rate rule), never two at once: a
 * tick that comes while a run is still going is skipped. `stop()` cancels the timer, aborts the
 * run in progress through its signal and waits for it to end.
 */
export class RetrainSchedule {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private controller?: AbortController;

  constructor(
    private readonly intervalMs: number,
    private readonly run: (signal: AbortSignal) => Promise<void>,
    private readonly onSkip: () => void = () => undefined,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  /** Whether a run is in progress. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  private tick(): void {
    if (this.running) {
      this.onSkip();
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.run(controller.signal)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        this.controller = undefined;
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.controller?.abort(new Error('the local service is stopping'));
    await this.running;
  }
}
