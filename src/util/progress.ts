/**
 * Progress of long work on stderr: a bar with rate and ETA redrawn in place on a terminal (at
 * most 10 times a second), or a plain line every `intervalSeconds` when stderr is a file or a pipe
 * (batch logs, CI, nohup), so a job log shows it is alive without thousands of lines.
 *
 * Shared by every command (build, calibration, compile passes, emulation, simulation, evaluation).
 * Hand-written rather than a library: the whole of it is this file, it needs no dependency, and it
 * is testable with an injected clock and writer.
 */
export interface ProgressOptions {
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly label: string;
  /** Seconds between lines off a terminal (default 10). The first line comes after one interval. */
  readonly intervalSeconds?: number;
  /** Seconds before a terminal bar first appears (default 0): work shorter than this draws nothing. */
  readonly showAfterSeconds?: number;
  /** What is counted, plural (default "sequences"), and its rate unit (default "seq/s"). */
  readonly unit?: string;
  readonly rateUnit?: string;
  readonly now?: () => number;
}

/** 75 → "1m15s", 3700 → "1h01m"; non-finite → "?". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export class Progress {
  private readonly start: number;
  private last = -Infinity;
  private drawn = false;
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
    const unit = this.opts.unit ?? "sequences", rateUnit = this.opts.rateUnit ?? "seq/s";
    return `${this.opts.label} ${done}/${total} ${unit} (${pct}%), ${rate.toFixed(rate < 10 ? 1 : 0)} ${rateUnit}, ETA ${done >= total ? "0s" : formatDuration(eta)}`;
  }

  update(done: number, total: number): void {
    const t = this.now();
    const finished = done >= total;
    if (this.opts.tty) {
      if (!this.drawn && t - this.start < (this.opts.showAfterSeconds ?? 0)) return;
      if (!finished && t - this.last < 0.1) return;
      this.last = t;
      const width = 24;
      const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : width;
      this.opts.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.text(done, total)}\x1b[K`);
      this.drawn = true;
      if (finished) this.end();
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

  /** Clears the bar (on a terminal) when work stops before `total`, e.g. on an error. */
  end(): void {
    if (this.opts.tty && this.drawn) this.opts.write("\r\x1b[K");
    this.drawn = false;
  }
}
