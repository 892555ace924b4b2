/**
 * A second thread for the largest dense work of a build: the Gram matrix of a decoder solve (a
 * 3000-neuron ensemble with 6000 eval points: 27·10⁹ multiply-adds, 2–3 s on one core), the
 * blocked Cholesky's updates after it, and the spherical sampling's recurrences of high-
 * dimensional ensembles. The helper is a worker thread with an instance of the same WebAssembly
 * kernels on the same shared scratch memory (kernels.ts): the main thread packs, then both run
 * the kernel on disjoint parts of the output. Every output element is still computed by one
 * thread with the operations and order of the single-threaded kernel, so results are
 * bit-identical whatever the thread count. The helper starts with the first large solve
 * (tens of milliseconds; the main thread never waits for it to start); one-core machines and
 * `LMUC_DENSE_THREADS=1` do without it.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { sharedScratch, type PanelKernel, type SinPowChains } from "./kernels.js";

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
 * One packed chunk of the Gram product in units of (block of column panels q0..q1−1, row panel
 * q < q1): row panel q against column panels max(q, q0)..q1−1 (blas.ts's block loop). `next()`
 * hands out unit numbers in that order, each exactly once (a counter, shared between the threads
 * through Atomics when split), so each element of G in a chunk is computed by one thread, with
 * the kernel's operations in its order, whichever thread it is. Source text, so the worker and
 * the main thread run the very same loop.
 */
const GRAM_ROWS_SOURCE = `
  let u = next(), base = 0;
  for (let q0 = 0; q0 < panels; q0 += ncPanels) {
    const q1 = Math.min(panels, q0 + ncPanels);
    for (; u < base + q1; u = next()) {
      const q = u - base, from = Math.max(q, q0);
      gramPanel(8 * (q * 4 * nPad + from * 4), 8 * nPad, 8 * (pAt + q * kc * 4), 8 * (pAt + from * kc * 4), kc, q1 - from);
    }
    base += q1;
  }`;
type GramRows = (gramPanel: PanelKernel, panels: number, ncPanels: number, nPad: number, pAt: number, kc: number, next: () => number) => void;
const GRAM_ROWS_PARAMS = ["gramPanel", "panels", "ncPanels", "nPad", "pAt", "kc", "next"];
// The one loop both threads run (see above).
export const gramRows = new Function(...GRAM_ROWS_PARAMS, GRAM_ROWS_SOURCE) as GramRows;

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

/** A unit counter for one thread alone. */
export function counter(): () => number {
  let u = 0;
  return () => u++;
}

// Control words: GO (main → helper: a job is posted), DONE (helper → main: 1 done, 2 failed),
// NEXT (the shared unit counter), KIND (the job: GRAM or SIN_POW), then the job's parameters
// (GRAM_ROWS_PARAMS' numbers, or sinPowChains' arguments).
const GO = 0, DONE = 1, NEXT = 2, KIND = 3, READY = 4, PARAMS = 5;
const GRAM = 0, SIN_POW = 1, GEMM = 2;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control } = workerData;
const { gramPanel, gemmPanel, sinPowChains } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
const gramRows = new Function(${GRAM_ROWS_PARAMS.map((p) => JSON.stringify(p)).join(", ")}, ${JSON.stringify(GRAM_ROWS_SOURCE)});
const gemmRows = new Function(${GEMM_ROWS_PARAMS.map((p) => JSON.stringify(p)).join(", ")}, ${JSON.stringify(GEMM_ROWS_SOURCE)});
const next = () => Atomics.add(c, ${NEXT}, 1);
Atomics.store(c, ${READY}, 1);
for (;;) {
  Atomics.wait(c, ${GO}, 0);
  // The job is this thread's only if it takes it before the main thread takes it back.
  if (Atomics.compareExchange(c, ${GO}, 1, 0) !== 1) continue;
  let status = 1;
  try {
    const p = c.subarray(${PARAMS});
    if (c[${KIND}] === ${GRAM}) gramRows(gramPanel, p[0], p[1], p[2], p[3], p[4], next);
    else if (c[${KIND}] === ${GEMM}) gemmRows(gemmPanel, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], next);
    else sinPowChains(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
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
    const control = new Int32Array(new SharedArrayBuffer(4 * 16));
    // execArgv []: the parent's flags (--input-type=module would make this source ESM) not inherited.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module: scratch.module, memory: scratch.memory, control: control.buffer } });
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
 * Runs the Gram kernel over one packed chunk on this thread and the helper, which take units
 * from one counter until none are left (so neither waits long for the other; a helper that has
 * not picked the job up by then is left out). Returns false (nothing done) without a helper.
 */
export function gramRowsParallel(gramPanel: PanelKernel, panels: number, ncPanels: number, nPad: number, pAt: number, kc: number, work: number): boolean {
  if (work < minWork) return false;
  const h = getHelper();
  if (h === null) return false;
  shareUnits(h, GRAM, [panels, ncPanels, nPad, pAt, kc], (next) => gramRows(gramPanel, panels, ncPanels, nPad, pAt, kc, next), "a Gram product");
  return true;
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

/** Chain steps (points × m) from which sinPowChains is split over two threads. */
const SIN_POW_MIN_WORK = 1 << 17;

/**
 * kernels.ts's sinPowChains(i, sp, c, q, s, w, count, k0, m) on byte addresses in the shared
 * scratch memory, the points from about half-way on (a multiple of 8) on the helper: every
 * point's chain is independent of the others, so the split changes no bit.
 */
export function sinPowChainsParallel(sinPowChains: SinPowChains, ptrs: readonly [number, number, number, number, number, number], count: number, k0: number, m: number): void {
  // withParallelMinWork scales this threshold too (0 in tests: always split).
  const h = count * m >= SIN_POW_MIN_WORK * (minWork / PARALLEL_MIN_WORK) && count >= 16 ? getHelper() : null;
  if (h === null) {
    sinPowChains(...ptrs, count, k0, m);
    return;
  }
  const half = (count >> 1) & ~7;
  post(h, SIN_POW, [...ptrs.map((p) => p + 8 * half), count - half, k0, m]);
  sinPowChains(...ptrs, half, k0, m);
  const end = collect(h);
  // The helper may have updated some of its chains in place before failing: no safe rerun.
  if (end === "failed") throw new Error("dense kernel helper thread failed during sinPowChains");
  if (end === "retracted") sinPowChains(...(ptrs.map((p) => p + 8 * half) as [number, number, number, number, number, number]), count - half, k0, m);
  else helperJobs++;
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
