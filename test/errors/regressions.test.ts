/**
 * Issue 8 reproducers that cannot be a static file in test/errors: data files that are devices
 * or too large (made at test time, so a fresh clone needs no such file), and a probe that must
 * now succeed.
 */
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { DATA_FILE_MAX_BYTES } from "../../src/io/arrays.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "lmuc", ...args], { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false });
  return { code, out, err };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-regress-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A network whose node reads `file`; the data file's location is line 4, column 49. */
function dataNetwork(file: string): string {
  const net = join(tmp, `${file}.yaml`);
  writeFileSync(net, `# data file test\nlmuc: 1\nnodes:\n  stim: { output: { kind: data, values: { file: ${file} } } }\n`);
  return net;
}

test("a data file that is a symlink to /dev/zero is refused at once, located (it read GBs before)", async () => {
  symlinkSync("/dev/zero", join(tmp, "zero.csv"));
  const net = dataNetwork("zero.csv");
  const t0 = performance.now();
  const r = await run(["validate", net]);
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(r.code).toBe(2);
  expect(r.err.split("\n")[0]).toBe(`${net}:4:49: error LMU1005: data file 'zero.csv': not a regular file (a device, pipe or socket); give a .csv or .npy file`);
});

test("a data file one byte over the cap is refused by its size, without reading it", async () => {
  const big = join(tmp, "big.npy");
  writeFileSync(big, "");
  truncateSync(big, DATA_FILE_MAX_BYTES + 1); // sparse: costs no disk
  const net = dataNetwork("big.npy");
  const r = await run(["validate", net]);
  expect(r.code).toBe(2);
  expect(r.err.split("\n")[0]).toMatch(new RegExp(`^${net.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4:49: error LMU1005: data file 'big.npy': the file is 256\\.0 MiB, more than the 256\\.0 MiB lmuc reads`));
});

test("a probe on a slice of a single-layout LMU's neurons records that slice, as on an ensemble (was LMU9001)", async () => {
  const net = join(tmp, "lmu-neurons.yaml");
  writeFileSync(net, [
    "lmuc: 1",
    "nodes: {u: {output: 0.5}}",
    "lmus:",
    "  mem: {input: u, order: 4, theta: 1, implementation: {kind: neurons, layout: single, n_neurons_per_dimension: 10}}",
    "probes:",
    '  first: {target: "mem.neurons[0]"}',
    '  pair: {target: "mem.neurons[1:3]", attr: voltage}',
    "",
  ].join("\n"));
  const out = join(tmp, "lmu-neurons.json");
  const r = await run(["simulate", net, "--steps", "20", "--no-reference", "--out", out]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  // One neuron's spikes; two neurons' voltages over 20 steps.
  expect(r.out).toMatch(/first\s+spikes\s+1 neurons/);
  expect(r.out).toMatch(/pair\s+voltage\s+20x2/);
});

test("validate reports LMU4001 (two input synapses into one ensemble) as a located warning at once, not 93 s into compare", async () => {
  const net = join(tmp, "two-synapses.yaml");
  writeFileSync(net, [
    "lmuc: 1",
    "nodes: {u: {output: 0.5}, v: {output: 0.2}}",
    "ensembles:",
    "  e: {n_neurons: 10, dimensions: 1}",
    "connections:",
    "  - {from: u, to: e, synapse: 0.005}",
    "  - {from: v, to: e, synapse: 0.01}",
    "",
  ].join("\n"));
  const t0 = performance.now();
  const r = await run(["validate", net]);
  expect(performance.now() - t0).toBeLessThan(10_000);
  // A valid float network: exit 0, with the warning that compile will refuse it, at the second connection.
  expect(r.code).toBe(0);
  expect(r.err.split("\n")[0]).toBe(`${net}:7:5: warning LMU4001: ensemble 'e' receives inputs with different synapses (0.005 s and 0.01 s); a chip compartment has one input filter (lmuc compile refuses this)`);
  const j = await run(["validate", net, "--json"]);
  expect(j.code).toBe(0);
  const doc = JSON.parse(j.out) as { ok: boolean; warnings: { code: string; severity: string }[] };
  expect(doc.warnings.map((w) => `${w.severity} ${w.code}`)).toEqual(["warning LMU4001"]);
});

test("compile refuses the same network with LMU4001 as an error, through the same check (lower calls checkHardware)", async () => {
  const net = join(tmp, "two-synapses.yaml");
  const out = join(tmp, "two-synapses-build");
  const r = await run(["compile", net, "-o", out]);
  expect(r.code).toBe(2);
  expect(r.err.split("\n")[0]).toBe(`${net}:7:5: error LMU4001: ensemble 'e' receives inputs with different synapses (0.005 s and 0.01 s); a chip compartment has one input filter`);
});
