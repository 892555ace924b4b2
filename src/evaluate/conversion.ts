/**
 * The conversion choices an evaluation uses, and where each came from: the defaults
 * (defaultConversion: DEFAULT_CONVERSION, or HELD_H_CONVERSION over it for cells whose h feeds
 * back), the network file's `conversion:` block (frontend/conversion.ts, carried
 * on the TrainedCellIR), or a command-line flag — flags win over the file, the file over the
 * defaults. Generic over the options: whatever DEFAULT_CONVERSION holds is resolved and reported.
 */
import { CONVERSION_FIELDS, conversionKey } from "../frontend/conversion.js";
import type { ConversionValue, TrainedCellIR } from "../ir/network.js";
import { DEFAULT_CONVERSION, defaultConversion, type ConversionOptions } from "../passes/convert-cells.js";

export type ChoiceSource = "default" | "file" | "flag" | "mode";

export interface ConversionChoice {
  /** The network file's key (the option's name when the file cannot set it). */
  readonly key: string;
  readonly value: ConversionValue;
  /** mode: chip mode always runs the chip's neurons. */
  readonly source: ChoiceSource;
  /** Where the file sets it (no path: evaluation documents name no files). */
  readonly line?: number;
  readonly column?: number;
}

/** Options a flag or the file may set but ConversionOptions lacks (the table and the type disagree). */
export function unknownOptions(): string[] {
  return CONVERSION_FIELDS.map((f) => f.option).filter((o) => !(o in DEFAULT_CONVERSION));
}

export function resolveConversion(cell: TrainedCellIR | undefined, flags: Partial<ConversionOptions>, mode: "spiking" | "chip"): { options: ConversionOptions; choices: ConversionChoice[] } {
  const options: Record<string, ConversionValue> = { ...(defaultConversion(cell) as unknown as Record<string, ConversionValue>) };
  const source = new Map<string, { source: ChoiceSource; line?: number; column?: number }>();
  for (const s of cell?.conversion ?? []) {
    options[s.option] = s.value;
    source.set(s.option, { source: "file", ...(s.origin ? { line: s.origin.line, column: s.origin.column } : {}) });
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    options[k] = v as ConversionValue;
    source.set(k, { source: "flag" });
  }
  if (mode === "chip") {
    options.chipNeurons = true;
    source.set("chipNeurons", { source: "mode" });
  }
  const choices = Object.keys(options).map((k) => ({ key: conversionKey(k), value: options[k], ...(source.get(k) ?? { source: "default" as const }) }));
  return { options: options as unknown as ConversionOptions, choices };
}

/** A choice's value as the terminal and the page print it: `20`, `[300, 600]`. */
export function choiceValueText(v: ConversionValue): string {
  return Array.isArray(v) ? `[${v.join(", ")}]` : String(v);
}

/** One line per choice, for the terminal: `presentation_steps 20 (flag)`. */
export function choicesText(choices: readonly ConversionChoice[]): string {
  return choices.map((c) => `${c.key} ${choiceValueText(c.value)} (${c.source}${c.line !== undefined ? ` ${c.line}:${c.column}` : ""})`).join(", ");
}
