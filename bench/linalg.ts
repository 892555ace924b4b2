/**
 * Dense linear algebra (issue 12 item 1): GFLOP/s of the Gram matrix, the Cholesky factorization
 * and the simulator's encoder mat-vec on the SIMD kernels (src/math/kernels.ts), each against
 * the plain JavaScript loop it replaces, measured in the same run on the same matrices (the
 * kernels are bit-identical to those loops; `withoutKernels` switches them off). Then the builds
 * the kernels are for: a 3000-neuron recurrent ensemble with 6000 eval points (target < 3 s),
 * the psMNIST shape (target < 4 s) and its float run (target ≥ 1.5k steps/s), each build also
 * on one thread (src/math/parallel.ts's helper off) as its same-run baseline.
 */
import { build, loadNetworkObject, type BuiltNetwork } from "../src/api.js";
import { gemm, PackedMatVec, rowMajor } from "../src/math/blas.js";
import { withoutKernels } from "../src/math/kernels.js";
import { withParallelMinWork } from "../src/math/parallel.js";
import { cholesky, gram } from "../src/math/linalg.js";
import { matVec } from "../src/sim/plan.js";
import { Simulator } from "../src/sim/simulator.js";
import { Rng } from "../src/util/rng.js";
import { psmnistTableShape, recurrentEnsemble } from "./networks.js";

function seconds<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, (performance.now() - t0) / 1000];
}

/** Best of `repeats` timings of f, in seconds. */
function best(f: () => unknown, repeats: number): number {
  let b = Infinity;
  for (let r = 0; r < repeats; r++) b = Math.min(b, seconds(f)[1]);
  return b;
}

/** Independent half-zero values (the encoder mat-vec's matrix; and the dense product's). */
function activities(m: number, n: number): Float64Array {
  const rng = new Rng(7);
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.max(0, rng.normal() * 100);
  return a;
}

/**
 * Rectified activities of n neurons at m points in 8-d as an ensemble has them: unit encoders,
 * intercepts uniform in (−1, 1), so some neurons never fire, some always, most in between (about
 * half the values are 0, by neuron rather than at random: what the Gram kernels exploit).
 */
function ensembleActivities(m: number, n: number, d = 8): Float64Array {
  const rng = new Rng(11);
  const unit = (scale: number): Float64Array => {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => (x / norm) * scale);
  };
  const points = Array.from({ length: m }, () => unit(rng.uniform() ** (1 / d)));
  const encoders = Array.from({ length: n }, () => unit(1));
  const intercepts = Float64Array.from({ length: n }, () => 2 * rng.uniform() - 1);
  const a = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      let x = 0;
      for (let k = 0; k < d; k++) x += points[r][k] * encoders[i][k];
      a[r * n + i] = Math.max(0, 100 * (x - intercepts[i]));
    }
  }
  return a;
}

interface KernelRow { readonly operation: string; readonly size: string; readonly gflops: number; readonly plainGflops: number; readonly speedup: number }

function kernelRows(): KernelRow[] {
  const rows: KernelRow[] = [];
  const add = (operation: string, size: string, flops: number, fast: () => unknown, plain: () => unknown, repeats: number): void => {
    fast();
    const f = best(fast, repeats);
    const p = best(() => withoutKernels(plain), Math.min(repeats, 2));
    rows.push({ operation, size, gflops: flops / f / 1e9, plainGflops: flops / p / 1e9, speedup: p / f });
  };
  const [m, n] = [3000, 1500];
  // GFLOP/s of the Gram matrix count the dense triangle's work (m·n·(n+1)); both paths skip
  // zeros (the kernels by neuron lists, the plain loop value by value), so this is the speed of
  // the product, not of the arithmetic done.
  const A = { rows: m, cols: n, data: ensembleActivities(m, n) };
  add("Gram AᵀA (ens.)", `${m}×${n}`, m * n * (n + 1), () => gram(A), () => gram(A), 2);
  const R = { rows: m, cols: n, data: activities(m, n) };
  add("Gram AᵀA (random)", `${m}×${n}`, m * n * (n + 1), () => gram(R), () => gram(R), 2);
  const [gm, gk, gn] = [600, 600, 600];
  const ga = activities(gm, gk), gb = activities(gk, gn).map((v) => v - 50);
  add("gemm (dense)", `${gm}×${gk}×${gn}`, 2 * gm * gk * gn, () => gemm(gm, gn, gk, rowMajor(ga, gk), rowMajor(gb, gn), new Float64Array(gm * gn), 0, gn), () => gemm(gm, gn, gk, rowMajor(ga, gk), rowMajor(gb, gn), new Float64Array(gm * gn), 0, gn), 2);
  const G = gram(A);
  for (let i = 0; i < n; i++) G.data[i * n + i] += 1;
  add("Cholesky", `${n}×${n}`, (n * n * n) / 3, () => cholesky(G), () => cholesky(G), 2);
  const [rowsE, colsE] = [2048, 256];
  const E = activities(rowsE, colsE);
  const x = Float64Array.from({ length: colsE }, (_, j) => Math.sin(j));
  const J = new Float64Array(rowsE);
  const packed = PackedMatVec.create(E, rowsE, colsE);
  const reps = 2000;
  add("mat-vec (encoders)", `${rowsE}×${colsE}`, 2 * rowsE * colsE * reps,
    () => { for (let r = 0; r < reps; r++) packed!.apply(x, J, true); },
    () => { for (let r = 0; r < reps; r++) matVec(E, x, J, rowsE, colsE, true); }, 3);
  return rows;
}

export function linalgBench(): object {
  console.log("\ndense linear algebra: SIMD kernels vs the plain loops they replace (same matrices, same run; results bit-identical)");
  console.log("operation           size        GFLOP/s  plain GFLOP/s  × plain");
  const kernelTable = kernelRows();
  for (const r of kernelTable) console.log(`${r.operation.padEnd(18)}  ${r.size.padEnd(10)}  ${r.gflops.toFixed(2).padStart(7)}  ${r.plainGflops.toFixed(2).padStart(13)}  ${r.speedup.toFixed(1).padStart(7)}`);
  // Each build as a user runs it (the helper thread takes part of the Gram matrix, the Cholesky
  // updates and the spherical sampling) and on one thread (the baseline), in the order
  // threaded, one, one, threaded so neither gets the first run's warm-up alone; best of two each.
  const recurrent = (): unknown => build(loadNetworkObject(recurrentEnsemble(3000, 8, 6000), "<bench>"));
  const psmnist = (): BuiltNetwork => build(loadNetworkObject(psmnistTableShape("single"), "examples/psmnist-lmu.yaml"));
  const oneThread = <T>(f: () => T): T => withParallelMinWork(Infinity, f);
  const pair = <T>(f: () => T): { value: T; threaded: number; single: number } => {
    const [value, t1] = seconds(f);
    const s1 = seconds(() => oneThread(f))[1], s2 = seconds(() => oneThread(f))[1];
    const t2 = seconds(f)[1];
    return { value, threaded: Math.min(t1, t2), single: Math.min(s1, s2) };
  };
  const rec = pair(recurrent);
  const [recurrentSeconds, recurrentOneThreadSeconds] = [rec.threaded, rec.single];
  const ps = pair(psmnist);
  const [psm, psmBuildSeconds, psmOneThreadSeconds] = [ps.value, ps.threaded, ps.single];
  const sim = new Simulator(psm, { expectedSteps: 16 });
  sim.run(100);
  const steps = 1568;
  const runSps = steps / seconds(() => sim.run(steps))[1];
  console.log(`3000-neuron recurrent ensemble, 6000 eval points, 8-d: build ${recurrentSeconds.toFixed(2)} s (target < 3 s; on one thread ${recurrentOneThreadSeconds.toFixed(2)} s, ${(recurrentOneThreadSeconds / recurrentSeconds).toFixed(2)}×)`);
  console.log(`psMNIST shape (order 256 in 2048 LIF + 212 hidden): float build ${psmBuildSeconds.toFixed(2)} s (target < 4 s; on one thread ${psmOneThreadSeconds.toFixed(2)} s, ${(psmOneThreadSeconds / psmBuildSeconds).toFixed(2)}×), float run ${runSps.toFixed(0)} steps/s (target ≥ 1500)`);
  return { kernels: kernelTable, recurrent_3000_build_seconds: recurrentSeconds, recurrent_3000_build_seconds_one_thread: recurrentOneThreadSeconds, psmnist_shape_build_seconds: psmBuildSeconds, psmnist_shape_build_seconds_one_thread: psmOneThreadSeconds, psmnist_shape_float_steps_per_second: runSps };
}
