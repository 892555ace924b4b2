/**
 * A second thread for the largest dense work of a build: the Gram matrix of a decoder solve (a
 * 3000-neuron ensemble with 6000 eval points: 27·10⁹ multiply-adds as a dense triangle, ~8·10⁹
 * over its neurons' nonzeros, sparse.ts), the blocked Cholesky's updates after it, and (as a
 * registered job) half of each large spherical-sampling batch of high-dimensional ensembles.
 * The helper is a worker thread with an instance of the same WebAssembly kernels on the same
 * shared scratch memory (kernels.ts): the main thread packs, then both run the kernel on
 * disjoint parts of the output. Every output element is still computed by one
 * thread with the operations and order of the single-threaded kernel, so results are
 * bit-identical whatever the thread count. The helper starts with the first large solve
 * (tens of milliseconds; the main thread never waits for it to start); one-core machines and
 * `LMUC_DENSE_THREADS=1` do without it.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { sharedScratch, type PanelKernel, type GemmPanels16, type SparseRowPanels } from "./kernels.js";

/** Multiply-adds (m·n² for a Gram matrix) from which a product is split over two threads. */
const PARALLEL_MIN_WORK = 2e9;
let minWork = PARALLEL_MIN_WORK;
/** Jobs the helper has finished (tests check that it took part). */
let helperJobs = 0;

/** Runs f with products from `work` multiply-adds on split (tests use small ones). */
export function withParallelMinWork<T>(work: number, f: () => T): T {
  const was = minWork;
  minWork = work;
  try {
    return f();
  } finally {
    minWork = was;
  }
}

/** How many jobs the helper thread has finished in this process. */
export function parallelJobs(): number {
  return helperJobs;
}

/**
 * gemm's panel loop for one packed depth chunk (blas.ts) in units of (block of B panels q0.., row
 * group i0 of 4 rows): each C element of the chunk is updated by one thread, in depth order.
 */
const GEMM_ROWS_SOURCE = `
  let u = next(), base = 0;
  for (let q0 = 0; q0 < panels; q0 += ncPanels) {
    const np = Math.min(ncPanels, panels - q0);
    for (; u < base + groups; u = next()) {
      const i0 = 4 * (u - base);
      gemmPanel(8 * (cAt + i0 * nPad + 4 * q0), 8 * nPad, 8 * (aAt + i0 * kc), 8 * (bAt + q0 * kc * 4), kc, np);
    }
    base += groups;
  }`;
type GemmRows = (gemmPanel: PanelKernel, panels: number, ncPanels: number, nPad: number, groups: number, cAt: number, aAt: number, bAt: number, kc: number, next: () => number) => void;
const GEMM_ROWS_PARAMS = ["gemmPanel", "panels", "ncPanels", "nPad", "groups", "cAt", "aAt", "bAt", "kc", "next"];
export const gemmRows = new Function(...GEMM_ROWS_PARAMS, GEMM_ROWS_SOURCE) as GemmRows;

/**
 * sparse.ts's loop over one packed chunk, in units of (block of column panels q0..q1−1, group p
 * of 16 rows of H, p < q1) against panels max(p, q0)..q1−1: the upper triangle, each element
 * updated by one thread, in row order. Rows go 4 at a time: by the dense 4×4 kernel on the
 * packed panels when more than `denseFrom` of their values are nonzero (the same sums: a zero
 * term changes no bit), else each by its list. cntAt and rowAtAt index `i32` (a view of the
 * kernel memory), the other addresses are bytes.
 */
const SPARSE_ROWS_SOURCE = `
  let u = next(), base = 0;
  for (let q0 = 0; q0 < panels; q0 += ncPanels) {
    const q1 = Math.min(panels, q0 + ncPanels);
    for (; u < base + q1; u = next()) {
      const p = u - base, from = Math.max(p, q0);
      for (let i0 = 16 * p, end = Math.min(16 * p + 16, rows); i0 < end; i0 += 4) {
        if (i32[cntAt + i0] + i32[cntAt + i0 + 1] + i32[cntAt + i0 + 2] + i32[cntAt + i0 + 3] > denseFrom) {
          gemmPanels16(i32[rowAtAt + i0] + 128 * (from - p), i32[rowAtAt + i0 + 1] - i32[rowAtAt + i0], bAt + 128 * kc * p + 8 * (i0 - 16 * p), bAt + 128 * kc * from, kc, q1 - from, 128 * kc);
          continue;
        }
        for (let i = i0, iEnd = Math.min(rows, i0 + 4); i < iEnd; i++) {
          const c = i32[cntAt + i];
          if (c !== 0) sparseRowPanels(i32[rowAtAt + i] + 128 * (from - p), valsAt + 8 * cap * i, offsAt + 4 * cap * i, c, bAt + 128 * kc * from, 128 * kc, q1 - from);
        }
      }
    }
    base += q1;
  }`;
/** sparseRows' numbers after i32, in order (rows … cap). */
export type SparseRowsParams = [number, number, number, number, number, number, number, number, number, number, number];
type SparseRowsLoop = (sparseRowPanels: SparseRowPanels, gemmPanels16: GemmPanels16, i32: Int32Array, ...rest: [...SparseRowsParams, () => number]) => void;
const SPARSE_ROWS_PARAMS = ["sparseRowPanels", "gemmPanels16", "i32", "rows", "panels", "ncPanels", "denseFrom", "cntAt", "rowAtAt", "valsAt", "offsAt", "bAt", "kc", "cap", "next"];
export const sparseRows = new Function(...SPARSE_ROWS_PARAMS, SPARSE_ROWS_SOURCE) as SparseRowsLoop;

/** A unit counter for one thread alone. */
export function counter(): () => number {
  let u = 0;
  return () => u++;
}

// Control words: GO (main → helper: a job is posted), DONE (helper → main: 1 done, 2 failed),
// NEXT (the shared unit counter), KIND (the job: JOB, GEMM or SPARSE), then the job's parameters
// (a registered job's index and numbers, or the numbers of GEMM_ROWS_PARAMS / SPARSE_ROWS_PARAMS).
const GO = 0, DONE = 1, NEXT = 2, KIND = 3, READY = 4, PARAMS = 5;
const JOB = 1, GEMM = 2, SPARSE = 3;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, jobSources } = workerData;
const wasmExports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const { gemmPanel, sparseRowPanels, gemmPanels16 } = wasmExports;
const jobs = jobSources.map((src) => new Function("return (" + src + ")")());
const c = new Int32Array(control);
const gemmRows = new Function(${GEMM_ROWS_PARAMS.map((p) => JSON.stringify(p)).join(", ")}, ${JSON.stringify(GEMM_ROWS_SOURCE)});
const sparseRows = new Function(${SPARSE_ROWS_PARAMS.map((p) => JSON.stringify(p)).join(", ")}, ${JSON.stringify(SPARSE_ROWS_SOURCE)});
const next = () => Atomics.add(c, ${NEXT}, 1);
Atomics.store(c, ${READY}, 1);
for (;;) {
  Atomics.wait(c, ${GO}, 0);
  // The job is this thread's only if it takes it before the main thread takes it back.
  if (Atomics.compareExchange(c, ${GO}, 1, 0) !== 1) continue;
  let status = 1;
  try {
    const p = c.subarray(${PARAMS});
    if (c[${KIND}] === ${SPARSE}) sparseRows(sparseRowPanels, gemmPanels16, new Int32Array(memory.buffer), ...Array.from(p.subarray(0, 11)), next);
    else if (c[${KIND}] === ${GEMM}) gemmRows(gemmPanel, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], next);
    else jobs[p[0]](wasmExports, memory.buffer, ...Array.from(p.subarray(2, 2 + p[1])));
  } catch {
    status = 2;
  }
  Atomics.store(c, ${DONE}, status);
  Atomics.notify(c, ${DONE});
}`;

interface Helper {
  readonly worker: Worker;
  readonly control: Int32Array;
}

let helper: Helper | null | undefined;

/** Jobs the helper can run (registerHelperJob), by index; those sent when it started. */
const jobSources: string[] = [];
const jobNames: string[] = [];
let jobsSent = 0;

/**
 * Makes `fn` runnable on the helper thread as job `name` (splitWithHelper). fn must be
 * self-contained (it is sent as its source text: only its parameters and globals such as Math),
 * called as fn(kernel exports, the scratch memory's buffer, ...numbers) on either thread. Register
 * at module load: a job registered after the helper started runs on the main thread only.
 */
export function registerHelperJob(name: string, fn: (...args: never[]) => void): void {
  if (!jobNames.includes(name)) {
    jobNames.push(name);
    jobSources.push(fn.toString());
  }
}

function threadsAllowed(): boolean {
  return process.env.LMUC_DENSE_THREADS !== "1" && availableParallelism() >= 2;
}

/**
 * The helper thread, started on first use (or by startHelper ahead of time); null when there is
 * one core, no shared memory, or it cannot start. It never keeps the process alive.
 */
function getHelper(): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  const scratch = threadsAllowed() ? sharedScratch() : null;
  if (scratch === null) return null;
  try {
    const control = new Int32Array(new SharedArrayBuffer(4 * 32));
    // execArgv []: the parent's flags (--input-type=module would make this source ESM) not inherited.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module: scratch.module, memory: scratch.memory, control: control.buffer, jobSources } });
    jobsSent = jobSources.length;
    worker.unref();
    // A helper that dies is not used again (its current job, if any, reports failure first).
    worker.on("error", () => { helper = null; });
    helper = { worker, control };
  } catch {
    helper = null;
  }
  return helper;
}

/**
 * Starts the helper now when a product of `work` multiply-adds is coming (activities call this
 * before the Gram matrix), so its start-up overlaps the work in between.
 */
export function startHelper(work: number): void {
  if (work >= minWork) getHelper();
}

/**
 * Posts a unit-counter job to the helper and runs the same loop here on the shared counter. This
 * thread runs until no unit is left, so a retracted job has nothing left to do. A failed helper
 * may have left its last unit half done, and units accumulate: nothing to finish from.
 */
function shareUnits(h: Helper, kind: number, params: readonly number[], runHere: (next: () => number) => void, what: string): void {
  const c = h.control;
  Atomics.store(c, NEXT, 0);
  post(h, kind, params);
  runHere((): number => Atomics.add(c, NEXT, 1));
  const end = collect(h);
  if (end === "failed") throw new Error(`dense kernel helper thread failed during ${what}`);
  if (end === "done") helperJobs++;
}

function post(h: Helper, kind: number, params: readonly number[]): void {
  const c = h.control;
  c[KIND] = kind;
  for (let i = 0; i < params.length; i++) c[PARAMS + i] = params[i];
  Atomics.store(c, DONE, 0);
  Atomics.store(c, GO, 1);
  Atomics.notify(c, GO);
}

/**
 * The end of a posted job: "retracted" if the helper had not taken it yet (it is starting, or
 * busy elsewhere: the main thread never waits for a thread that has not begun), else the
 * helper's result once it is done. Exactly one of the two threads wins the job word.
 */
function collect(h: Helper): "retracted" | "done" | "failed" {
  const c = h.control;
  if (Atomics.compareExchange(c, GO, 1, 0) === 1) return "retracted";
  while (Atomics.load(c, DONE) === 0) Atomics.wait(c, DONE, 0, 1000);
  return Atomics.load(c, DONE) === 1 ? "done" : "failed";
}

/** Whether the helper thread has started and is waiting for work. */
export function helperReady(): boolean {
  return helper !== null && helper !== undefined && Atomics.load(helper.control, READY) === 1;
}

/** Multiply-adds from which one gemm chunk is shared with a helper that is already up. */
const GEMM_MIN_WORK = 1 << 22;

/**
 * gemm's panel loop for one packed chunk, shared with the helper through the unit counter when
 * the helper is already running (a large solve started it; a gemm alone never waits for a
 * thread to start) and the chunk is large. Returns false (nothing done) otherwise.
 */
export function gemmRowsParallel(gemmPanel: PanelKernel, panels: number, ncPanels: number, nPad: number, groups: number, cAt: number, aAt: number, bAt: number, kc: number): boolean {
  const h = helper;
  if (h === null || h === undefined || !helperReady()) return false;
  if (groups * 4 * panels * 4 * kc < GEMM_MIN_WORK * (minWork / PARALLEL_MIN_WORK)) return false;
  shareUnits(h, GEMM, [panels, ncPanels, nPad, groups, cAt, aAt, bAt, kc], (next) => gemmRows(gemmPanel, panels, ncPanels, nPad, groups, cAt, aAt, bAt, kc, next), "a matrix product");
  return true;
}

/**
 * sparse.ts's loop over one packed chunk shared with the helper through the unit counter, when
 * the product (`work` multiply-adds) is large. Returns false (nothing done) without a helper.
 */
export function sparseRowsParallel(sparseRowPanels: SparseRowPanels, gemmPanels16: GemmPanels16, params: SparseRowsParams, work: number): boolean {
  if (work < minWork) return false;
  const h = getHelper();
  if (h === null) return false;
  const mem = sharedScratch()!.memory as { buffer: ArrayBuffer };
  shareUnits(h, SPARSE, params, (next) => sparseRows(sparseRowPanels, gemmPanels16, new Int32Array(mem.buffer), ...params, next), "a sparse product");
  return true;
}

/**
 * Runs `here` on this thread while the helper runs registered job `name` with `params` (whole
 * numbers, at most 25), when the work is large and the helper is up. Returns "done" if the
 * helper did its part, else (no helper, small work, or the helper had not picked the job up by
 * the time `here` finished) "alone": the caller then does the helper's part itself.
 */
export function splitWithHelper(name: string, params: readonly number[], work: number, here: () => void): "done" | "alone" {
  const index = jobNames.indexOf(name);
  const h = work >= minWork && index >= 0 ? getHelper() : null;
  if (h === null || index >= jobsSent || params.length > 25) {
    here();
    return "alone";
  }
  post(h, JOB, [index, params.length, ...params]);
  here();
  const end = collect(h);
  if (end === "failed") throw new Error(`dense kernel helper thread failed during ${name}`);
  if (end === "retracted") return "alone";
  helperJobs++;
  return "done";
}
