/**
 * One line of progress on a terminal, redrawn in place: a bar when the total is known, plain text
 * otherwise. Off a terminal (a pipe, CI, a test) it draws nothing; `done` lines are printed there
 * too, so logs keep the milestones.
 */
export class StatusLine {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly live: boolean;
  private drawn = false;
  private lastDraw = 0;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr, live = stream.isTTY === true) {
    this.stream = stream;
    this.live = live;
  }

  /** `label [#####-----] done/total detail`, at most ten redraws a second (the last always shows through `done`). */
  bar(label: string, done: number, total: number, detail = ''): void {
    const width = 28;
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    this.text(
      `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${detail ? `  ${detail}` : ''}`,
      done >= total,
    );
  }

  text(line: string, force = false): void {
    if (!this.live) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r\x1b[2K${line.length >= columns ? `${line.slice(0, columns - 2)}…` : line}`);
    this.drawn = true;
  }

  /** Clears the line and prints `line` for good (on any stream). */
  done(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
