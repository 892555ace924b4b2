/**
 * Progress of a long evaluation on stderr: a bar with rate and ETA redrawn in place on a
 * terminal (at most 10 times a second), or a plain line every `intervalSeconds` when stderr is
 * a file or a pipe (batch logs), so a job log shows it is alive without thousands of lines.
 */
export interface ProgressOptions {
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly label: string;
  readonly intervalSeconds?: number;
  readonly now?: () => number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export class Progress {
  private readonly start: number;
  private last = -Infinity;
  private readonly now: () => number;

  constructor(private readonly opts: ProgressOptions) {
    this.now = opts.now ?? (() => performance.now() / 1000);
    this.start = this.now();
  }

  /** The text for `done` of `total`, as the bar or line shows it. */
  text(done: number, total: number): string {
    const elapsed = this.now() - this.start;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    return `${this.opts.label} ${done}/${total} sequences (${pct}%), ${rate.toFixed(rate < 10 ? 1 : 0)} seq/s, ETA ${done >= total ? "0s" : duration(eta)}`;
  }

  update(done: number, total: number): void {
    const t = this.now();
    const finished = done >= total;
    if (this.opts.tty) {
      if (!finished && t - this.last < 0.1) return;
      this.last = t;
      const width = 24;
      const filled = total > 0 ? Math.round((width * done) / total) : width;
      this.opts.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.text(done, total)}\x1b[K`);
      if (finished) this.opts.write("\r\x1b[K");
      return;
    }
    if (finished || t - this.last < (this.opts.intervalSeconds ?? 10)) return;
    if (this.last === -Infinity) {
      // The first line only after one interval: short runs print nothing.
      this.last = this.start;
      if (t - this.last < (this.opts.intervalSeconds ?? 10)) return;
    }
    this.last = t;
    this.opts.write(this.text(done, total) + "\n");
  }
}
