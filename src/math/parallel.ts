/**
 * A second thread for the largest dense product of a build, the Gram matrix of a decoder solve
 * (a 3000-neuron ensemble with 6000 eval points: 27·10⁹ multiply-adds, 2–3 s on one core). The
 * helper is a worker thread with an instance of the same WebAssembly kernels on the same shared
 * scratch memory (kernels.ts); the main thread packs each chunk of rows, then both threads run
 * the Gram kernel on disjoint row panels of G. Every element of G is still computed by one
 * thread with the operations and order of the single-threaded kernel, so results are
 * bit-identical whatever the thread count. Only products large enough to repay the helper's
 * start (tens of milliseconds) use it; `LMUC_DENSE_THREADS=1` switches it off.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { sharedScratch, type PanelKernel } from "./kernels.js";

/** Multiply-adds (m·n² for a Gram matrix) from which a product is split over two threads. */
const PARALLEL_MIN_WORK = 2e9;
let minWork = PARALLEL_MIN_WORK;
/** Chunks the helper has finished (tests check that it ran). */
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

/** How many chunks the helper thread has computed in this process. */
export function parallelJobs(): number {
  return helperJobs;
}

/**
 * The row panels [qa, qb) of one packed chunk of the Gram product: row panel q against column
 * panels max(q, q0)..q1−1, block by block (blas.ts's gramGroupsOf4 loop, restricted to rows).
 * Source text, so the worker and the main thread run the very same loop.
 */
const GRAM_ROWS_SOURCE = `
  for (let q0 = 0; q0 < panels; q0 += ncPanels) {
    const q1 = Math.min(panels, q0 + ncPanels);
    for (let q = qa; q < qb && q < q1; q++) {
      const from = Math.max(q, q0);
      gramPanel(8 * (q * 4 * nPad + from * 4), 8 * nPad, 8 * (pAt + q * kc * 4), 8 * (pAt + from * kc * 4), kc, q1 - from);
    }
  }`;
type GramRows = (gramPanel: PanelKernel, panels: number, ncPanels: number, nPad: number, pAt: number, kc: number, qa: number, qb: number) => void;
const GRAM_ROWS_PARAMS = ["gramPanel", "panels", "ncPanels", "nPad", "pAt", "kc", "qa", "qb"];
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one loop both threads run (see above)
export const gramRows = new Function(...GRAM_ROWS_PARAMS, GRAM_ROWS_SOURCE) as GramRows;

// Control words: GO (main → helper: a job is posted), DONE (helper → main: 1 done, 2 failed),
// then the job's parameters in GRAM_ROWS_PARAMS order (after gramPanel).
const GO = 0, DONE = 1, PARAMS = 2;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control } = workerData;
const gramPanel = new WebAssembly.Instance(module, { env: { memory } }).exports.gramPanel;
const c = new Int32Array(control);
const gramRows = new Function(${GRAM_ROWS_PARAMS.map((p) => JSON.stringify(p)).join(", ")}, ${JSON.stringify(GRAM_ROWS_SOURCE)});
for (;;) {
  Atomics.wait(c, ${GO}, 0);
  Atomics.store(c, ${GO}, 0);
  let status = 1;
  try {
    gramRows(gramPanel, c[${PARAMS}], c[${PARAMS + 1}], c[${PARAMS + 2}], c[${PARAMS + 3}], c[${PARAMS + 4}], c[${PARAMS + 5}], c[${PARAMS + 6}]);
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
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: scratch.module, memory: scratch.memory, control: control.buffer } });
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
 * Runs the Gram kernel over row panels [0, panels) of one packed chunk: the helper takes the
 * panels from `split` on (about half the triangle's work), this thread the rest. Returns false
 * (nothing done) without a helper or when the helper failed; the caller then runs them all.
 */
export function gramRowsParallel(gramPanel: PanelKernel, panels: number, ncPanels: number, nPad: number, pAt: number, kc: number, work: number): boolean {
  if (work < minWork) return false;
  const h = getHelper();
  if (h === null) return false;
  // Row panel q costs ∝ panels − q: the first 1 − 1/√2 of the rows hold half the triangle.
  const split = Math.max(1, Math.min(panels - 1, Math.round(panels * (1 - Math.SQRT1_2))));
  const c = h.control;
  const params = [panels, ncPanels, nPad, pAt, kc, split, panels];
  for (let i = 0; i < params.length; i++) c[PARAMS + i] = params[i];
  Atomics.store(c, DONE, 0);
  Atomics.store(c, GO, 1);
  Atomics.notify(c, GO);
  gramRows(gramPanel, panels, ncPanels, nPad, pAt, kc, 0, split);
  while (Atomics.load(c, DONE) === 0) Atomics.wait(c, DONE, 0, 1000);
  if (Atomics.load(c, DONE) !== 1) {
    helper = null;
    gramRows(gramPanel, panels, ncPanels, nPad, pAt, kc, split, panels);
  } else {
    helperJobs++;
  }
  return true;
}
