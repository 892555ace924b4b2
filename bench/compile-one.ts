/** One compile in its own process, so its peak memory (cold-runs.ts peakRssMiB) is that compile's alone. */
import { loadNetworkFile, loadNetworkObject } from "../src/api.js";
import { compileNetwork } from "../src/compile.js";
import { emitChip } from "../src/backends/loihi/emit.js";
import { loadTarget } from "../src/target/target.js";
import { large, psmnistShape } from "./networks.js";
import { peakRssMiB } from "./cold-runs.js";

const which = process.argv[2];
// "large-n2n": the generated network with neuron-to-neuron weights everywhere, so its 10M synapses
// are stored as such (by default decode neurons carry the chained connections in ~0.4M).
// "psmnist-shape": examples/psmnist-lmu.yaml with its order-256 recurrence on chip (decode hub).
const mode = which === "large-n2n" ? "never" : which === "psmnist-shape" ? "always" : "auto";
const target = loadTarget("loihi1");
const t0 = performance.now();
const isLarge = which.startsWith("large");
const net = isLarge ? loadNetworkObject(large(100, 1000, 10), "<large>") : which === "psmnist-shape" ? loadNetworkObject(psmnistShape(), "examples/psmnist-lmu.yaml") : loadNetworkFile(which);
const result = compileNetwork(net, target, { calibrationSteps: isLarge ? 200 : undefined, decodeNeurons: mode });
const { coresBin } = emitChip(result.chip, target);
const seconds = (performance.now() - t0) / 1000;
const synapses = result.chip.cores.reduce((s, c) => s + c.synapseRows.reduce((a, r) => a + r.offsets.length, 0), 0);
// CPU seconds too: on a loaded machine the wall time says more about the other processes.
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ case: which, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: peakRssMiB(), neurons: result.report.neuronsOnChip, synapses, cores: result.chip.cores.length, lowerBound: result.report.partition.lowerBound, coresBinBytes: coresBin.length }) + "\n");
