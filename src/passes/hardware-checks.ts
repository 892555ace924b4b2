/**
 * Hardware constraints a built network can be checked against without compiling it: which
 * ensembles can run on a chip and whether every chip ensemble's inputs share one synapse. Pure:
 * `lower` calls it to refuse what it cannot lower, `validate` to report the same problems at
 * once instead of after the calibration run.
 */
import { diag, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";
import type { BuiltConnection, BuiltNetwork } from "../ir/built.js";
import type { NetworkIR } from "../ir/network.js";
import { runFloatPipeline } from "./pipeline.js";

export interface HardwareCheck {
  /** LMU4002 (ensembles that do not spike) and LMU4001 (conflicting input synapses), as errors. */
  readonly diagnostics: readonly Diagnostic[];
  /** The one input synapse τ (seconds, 0 for none) of every ensemble that receives a connection. */
  readonly inputTauSeconds: ReadonlyMap<string, number>;
  /** Facts about the chip mapping worth telling, not errors. */
  readonly notes: readonly { readonly message: string; readonly origin?: SourceLocation }[];
}

export function checkHardware(built: BuiltNetwork): HardwareCheck {
  const diagnostics: Diagnostic[] = [];
  const notes: { message: string; origin?: SourceLocation }[] = [];
  for (const e of built.ensembles) {
    if (e.neuron.type !== "lif" && e.neuron.type !== "spiking-relu") {
      diagnostics.push(diag("LMU4002", `ensemble '${e.id}' uses ${e.neuron.type} neurons, which do not spike and cannot run on the chip`, e.origin, { hint: `use ${e.neuron.type === "relu" ? "spiking-relu" : "lif"} neurons` }));
    }
  }
  // Every chip block has one input filter: all connections into it must share the synapse.
  const tauOf = new Map<string, { tau: number; conn: BuiltConnection }>();
  for (const c of built.connections) {
    if (c.target.kind === "node") continue;
    const tau = c.synapse.kind === "lowpass" ? c.synapse.tauSeconds : 0;
    const prev = tauOf.get(c.target.id);
    if (prev && prev.tau !== tau) {
      diagnostics.push(diag("LMU4001", `ensemble '${c.target.id}' receives inputs with different synapses (${prev.tau} s and ${tau} s); a chip compartment has one input filter`, c.origin, {
        related: [{ message: `the other input (synapse ${prev.tau} s)`, ...(prev.conn.origin ? { location: prev.conn.origin } : {}) }],
        hint: "give every connection into this ensemble the same synapse",
      }));
    } else if (!prev) tauOf.set(c.target.id, { tau, conn: c });
    if (c.synapse.kind === "none") {
      notes.push({ message: `connection ${c.id} into '${c.target.id}' has no synapse; on chip every spike takes one step, so it arrives one step later than in the float model`, ...(c.origin ? { origin: c.origin } : {}) });
    }
  }
  return { diagnostics, inputTauSeconds: new Map([...tauOf].map(([id, t]) => [id, t.tau])), notes };
}

/**
 * Everything `lmuc validate` checks after the frontend: the float build (gains, decoders) and the
 * hardware constraints. A network that breaks a hardware constraint is still a valid float
 * network, so those come back as warnings that say compile will refuse it.
 */
export function validateNetwork(net: NetworkIR): { built: BuiltNetwork; warnings: Diagnostic[] } {
  const built = runFloatPipeline(net);
  const warnings = checkHardware(built).diagnostics.map((d) => ({ ...d, severity: "warning" as const, message: `${d.message} (lmuc compile refuses this)` }));
  return { built, warnings };
}
