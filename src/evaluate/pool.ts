/**
 * Runs a cell program over a range of sequences on N worker threads (node:worker_threads), or in
 * this thread when N = 1. Threads claim chunks of sequences from a shared counter and write their
 * logits at the sequences' own rows, so the result is the same, bit for bit, for any N.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ACTIVITY_COLUMNS, runClaimedChunks, type EvalJob, type SharedRun } from "./chunks.js";

export interface RangeRun {
  readonly first: number;
  readonly count: number;
  readonly steps: number;
  /** The whole dataset, [sequences, steps, inputSize]. */
  readonly x: Float64Array;
  /** Sequences (0-based within the range) whose per-step logits to return, in this order. */
  readonly traceSequences?: readonly number[];
}

/**
 * A chip job with its build read here, once: each thread reading it itself cost 0.6–1.7 s of
 * bit decoding, hashing and JSON reviving per thread (more than a few sequences), where handing
 * the decoded build to a worker by structured clone costs ~0.2 s.
 */
async function withLoadedBuild(job: EvalJob): Promise<EvalJob> {
  if (job.kind !== "chip" || job.loaded) return job;
  const { readBuild } = await import("../build.js");
  const b = readBuild(job.buildDir);
  return { ...job, loaded: { chip: b.chip, host: b.host } };
}

/** The compiled worker beside this module; under ts-jest (sources are .ts) the one npm ci built in dist/. */
function workerScript(): URL {
  const here = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = join(process.cwd(), "dist", "src", "evaluate", "worker.js");
  if (existsSync(built)) return pathToFileURL(built);
  throw new Error(`the evaluate worker script is missing (${fileURLToPath(here)}); run npm run build`);
}

/**
 * Logits [count, outputs] of sequences first .. first + count − 1, on `workers` threads: this
 * one (already warmed up) plus workers − 1 worker threads, all claiming chunks from one shared
 * counter. Progress is reported from this thread, after each of its chunks.
 */
export async function runRange(
  job: EvalJob,
  shape: { readonly inputSize: number; readonly outputs: number },
  r: RangeRun,
  workers: number,
  onProgress: (done: number) => void = () => {},
): Promise<{ logits: Float64Array; activity: Float64Array; traces: Float64Array }> {
  const n = Math.max(1, Math.min(workers, r.count));
  const stride = r.steps * shape.inputSize;
  const buffer = (bytes: number): ArrayBufferLike => (n === 1 ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes));
  const traced = r.traceSequences ?? [];
  const traceSlot = new Int32Array(buffer(r.count * 4)).fill(-1);
  traced.forEach((i, slot) => (traceSlot[i] = slot));
  const x = new Float64Array(buffer(r.count * stride * 8));
  x.set(r.x.subarray(r.first * stride, (r.first + r.count) * stride));
  const shared: SharedRun = {
    job: await withLoadedBuild(job),
    inputSize: shape.inputSize,
    outputs: shape.outputs,
    x,
    count: r.count,
    steps: r.steps,
    // Small enough that threads finish together, large enough that claims cost nothing.
    chunk: Math.max(1, Math.min(64, Math.ceil(r.count / (n * 16)))),
    logits: new Float64Array(buffer(r.count * shape.outputs * 8)),
    activity: new Float64Array(buffer(r.count * ACTIVITY_COLUMNS * 8)),
    counters: new Int32Array(buffer(8)),
    traceSlot,
    traces: new Float64Array(buffer(traced.length * r.steps * shape.outputs * 8)),
  };
  if (n === 1) {
    await runClaimedChunks(shared, onProgress);
    return { logits: shared.logits, activity: shared.activity, traces: shared.traces! };
  }
  const script = workerScript();
  const pool = Array.from({ length: n - 1 }, () => new Worker(script, { workerData: shared, execArgv: workerExecArgv() }));
  const finished = pool.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        let reported = false;
        w.on("message", () => {
          reported = true;
          resolve();
        });
        w.on("error", reject);
        w.on("exit", (code) => {
          if (!reported) reject(new Error(`an evaluate worker stopped early (exit code ${code})`));
        });
      }),
  );
  try {
    await runClaimedChunks(shared, onProgress);
    await Promise.all(finished);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  onProgress(r.count);
  // Plain copies: callers keep the results after the workers are gone.
  return { logits: new Float64Array(shared.logits), activity: new Float64Array(shared.activity), traces: new Float64Array(shared.traces!) };
}

/**
 * The parent's Node flags without those that only apply to its own entry point: a script run as
 * `node --input-type=module -e …` (an API user's one-liner) would otherwise start every worker
 * with a flag Node refuses for a file (ERR_INPUT_TYPE_NOT_ALLOWED).
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i];
    if (a === "--input-type" || a === "-e" || a === "--eval" || a === "-p" || a === "--print") i++;
    else if (!a.startsWith("--input-type=") && !a.startsWith("--eval=") && !a.startsWith("--print=")) out.push(a);
  }
  return out;
}
