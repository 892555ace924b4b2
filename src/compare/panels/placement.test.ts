/**
 * Placement panel: spikes a core sends to itself are a ring around its box, within the 4 px gap
 * between core slots (58 × 36 slots for 54 × 32 boxes); they were an arc above the box that ran
 * into the chart's title (top row) or the core above (psmnist-lmu's 61 cores, reviewed at 1400 px).
 */
import type { CompareReport, CoreCost } from "../report-types.js";
import { placementPanel } from "./placement.js";

const core = (i: number, x: number, y: number): CoreCost => ({
  core: i, chip: 0, compartments: 100, inputAxons: 1, outputAxons: 1, synapseBits: 1,
  utilisation: { compartments: 0.1, inputAxons: 0, outputAxons: 0, synapseBits: 0 }, nsPerStep: 1, pjPerStep: 1, synapticEvents: 1, spikes: 1, tile: 0, x, y,
});

test("a core's own traffic is a ring 1-2 px outside its box; traffic between cores and from the host are lines", () => {
  const report = { cost: { perCore: [core(0, 0, 0), core(2, 0, 0)], traffic: [{ from: 0, to: 0, messagesPerStep: 50, hops: 0 }, { from: -1, to: 0, messagesPerStep: 10, hops: 1 }, { from: 0, to: 2, messagesPerStep: 5, hops: 0 }] } } as unknown as CompareReport;
  const html = placementPanel(report);
  // Core 0's box centre: x 70 + 8 + 8 + 27 = 113, y 24 + 8 + 16 = 48; box 54 × 32; ring 2 px out
  // (1 px gap + half its 2 px stroke, the widest a ring gets): 84..142 × 30..66, inside the slot
  // 84..142 × 30..66 whose neighbours, core 2 below (box from y 68) and core 1 to the right (box from x 144), it stays clear of.
  expect(html.match(/class="traffic self"[^>]*/g)).toEqual(['class="traffic self" stroke-width="2" d="M84 30h58v36h-58z"']);
  expect(html.match(/class="traffic" /g)).toHaveLength(2);
  expect(html).not.toMatch(/c0 -14/);
});
