/**
 * Rate curves of neurons as the chip runs them, for solving decoders of compiled networks
 * (hardware-model §5.11): integration in whole steps and a refractory period of whole steps
 * make the chip's tuning curve a staircase below Nengo's. Decoders solved on this curve cancel
 * that difference instead of inheriting it.
 */
import type { NeuronModel } from "../neurons/models.js";
import { decayRegisters } from "./quantize.js";

/**
 * Steady firing rate (Hz) for input current J. LIF: after a spike, R − 1 refractory steps, then
 * v_k = J·(1 − kᵥᵏ) crosses 1 (strictly) after m = floor(ln(1 − 1/J)/ln kᵥ) + 1 steps, with
 * kᵥ = (4096 − dv)/4096 the integer decay. Integrate-and-fire (spiking ReLU): v_k = k·J·dt,
 * m = floor(1/(J·dt)) + 1.
 */
export function chipRateCurve(m: NeuronModel, dtSeconds: number): (J: number) => number {
  if (m.type === "lif" || m.type === "lif-rate") {
    const { decayV } = decayRegisters(0, -Math.expm1(-dtSeconds / m.tauRcSeconds));
    const kv = (4096 - decayV) / 4096;
    const refractSteps = Math.round(m.tauRefSeconds / dtSeconds);
    const lnKv = Math.log(kv);
    return (J) => {
      if (!(J > 1)) return 0;
      const steps = refractSteps + Math.floor(Math.log1p(-1 / J) / lnKv) + 1;
      return m.amplitude / (steps * dtSeconds);
    };
  }
  return (J) => (J > 0 ? m.amplitude / ((Math.floor(1 / (J * dtSeconds)) + 1) * dtSeconds) : 0);
}
