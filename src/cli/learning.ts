/** The learning section of `lmuc compile` and `lmuc inspect`: each learning group's registers and its effective rate. */
import type { ChipConfig } from "../ir/core.js";
import type { CompileReport } from "../passes/compile-report.js";

const g3 = (x: number): string => Number(x.toPrecision(3)).toString();

/** Lines for every learned connection of `report` (none when it has none); `chip` adds what cores.bin holds. */
export function learningLines(report: CompileReport, chip?: ChipConfig): string[] {
  const lines: string[] = [];
  for (const l of report.learning ?? []) {
    const ratio = l.effectiveRate / l.floatRate;
    lines.push(`  learning ${l.connection} (${l.pre} → ${l.post}, PES): ${l.preNeurons} axons × ${2 * l.dims} readouts on core ${l.core}; rate ${g3(l.floatRate)} float → ${g3(l.effectiveRate)} chip (${ratio.toFixed(3)}×)`);
    lines.push(`    trace: τ ${l.traceTauSteps} steps, updated every ${l.traceEpochSteps}, +${l.traceMagInt}+${l.traceMagFrac}/128 per spike (127 at one spike per update: never saturates; ${g3(l.traceGain)} per Hz)`);
    lines.push(`    weights: every ${l.learnEpochSteps} steps, rate ${l.lrMant}·2^${l.lrExp}, exponent ${l.weightExp}: decoder lattice ${g3(l.decoderUnit)}, cap ±${g3(l.decoderCap)}; typical update ${g3(l.typicalProduct)} product units`);
    lines.push(`    error: host '${l.errorChannel}' × ${g3(l.errorScale)}, clipped to ±${l.errorMax} (covers ±${g3(l.errorMax / l.errorScale)}; calibrated peak ${g3(l.errorPeak)}); readout ${l.readout}: ${g3(l.readoutScale)} units per unit`);
  }
  if (chip) {
    for (const core of chip.cores) {
      for (const g of core.learningGroups ?? []) {
        const p = g.profile;
        lines.push(`  cores.bin core ${core.index} learning group '${g.label}': axons ${g.firstAxon}..${g.firstAxon + g.nAxons - 1} → readouts ${g.readoutStart}..${g.readoutStart + 2 * g.dims - 1}; trace epoch ${p.traceEpochSteps}, tau ${p.traceTauSteps}, decay ${g3(p.traceDecay)}, mag ${p.traceMagInt}+${p.traceMagFrac}/128; learn epoch ${p.traceEpochSteps * 2 ** p.learnEpochExp}, lr ${p.lrMant}·2^${p.lrExp}; error '${g.errorChannel}' × ${g3(g.errorScale)} ±${g.errorMax}`);
      }
    }
  }
  return lines;
}
