/**
 * The "auto" decode-path policy (decodePathPolicy, hubPathPolicy) on loihi1's limits: 1 MiBit of
 * synapse memory and 4096 input axons per core, 128 cores per chip.
 */
import { loadTarget } from "../target/target.js";
import { decodePathPolicy, hubPathPolicy } from "./decode-neurons.js";

const loihi1 = loadTarget("loihi1");
const core = loihi1.limits.synapseBitsPerCore;

test("decoded connections: decode neurons above 4× the memory, above a core's input axons, or when the weights need more cores; else neuron-to-neuron weights", () => {
  // 5× the memory, both within one core: decode neurons (the memory rule, as before).
  expect(decodePathPolicy("auto", 400, 0.5 * core, 0.1 * core, loihi1).path).toBe("decode-neurons");
  // 3× the memory but 2 cores against 1: decode neurons (the cores rule).
  const cores = decodePathPolicy("auto", 400, 1.5 * core, 0.5 * core, loihi1);
  expect(cores).toEqual({ path: "decode-neurons", why: "neuron-to-neuron weights need 2 cores of synapse memory, decode neurons 1" });
  // 3× the memory, one core either way: the weights stay (no extra compartments or step).
  expect(decodePathPolicy("auto", 400, 0.3 * core, 0.1 * core, loihi1).path).toBe("neurons");
  // Fan-in above 4096 axons: decode neurons whatever the memory.
  expect(decodePathPolicy("auto", 5000, 0.3 * core, 0.2 * core, loihi1).path).toBe("decode-neurons");
  expect(decodePathPolicy("always", 10, 1, 1, loihi1).path).toBe("decode-neurons");
});

test("LMU recurrences (hubs): on chip up to one chip's worth of synapse memory (128 cores), through the host beyond", () => {
  expect(hubPathPolicy("auto", 24.1 * core, 2048, loihi1).path).toBe("chip");
  expect(hubPathPolicy("auto", 128 * core, 2048, loihi1).path).toBe("chip");
  const beyond = hubPathPolicy("auto", 129 * core, 2048, loihi1);
  expect(beyond.path).toBe("host");
  expect(beyond.why).toMatch(/would need 129 cores of synapse memory \(> 128, one chip\)/);
  expect(hubPathPolicy("always", 1000 * core, 2048, loihi1).path).toBe("chip");
});
