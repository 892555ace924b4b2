/** Placement: the cores in use on the chip's 8 × 4 tile mesh (4 cores a tile) and the spike traffic between them. */
import type { CompareReport, CoreCost } from "../report-types.js";
import { svgOpen } from "./axes.js";
import { int, isNum, r1, sig } from "./format.js";
import { panel } from "./panel.js";

const TILE_W = 130, TILE_H = 84, PAD = 8, HOST_W = 70, TOP = 24;
/** Slots are 58 × 36 for 54 × 32 boxes: a ring this far out, at most this wide, stays within the 4 px gap. */
const RING_OUT = 1, RING_MAX_W = 2;
const TILES_X = 8, TILES_Y = 4;

function coreCentre(c: CoreCost): { x: number; y: number } | undefined {
  if (!isNum(c.x) || !isNum(c.y) || !isNum(c.core)) return undefined;
  const k = c.core % 4;
  return { x: HOST_W + PAD + c.x * TILE_W + 8 + (k % 2) * 58 + 27, y: TOP + c.y * TILE_H + 8 + Math.floor(k / 2) * 36 + 16 };
}

export function placementPanel(report: CompareReport): string {
  const cores = (report.cost?.perCore ?? []).filter((c) => coreCentre(c) !== undefined && (c.chip ?? 0) === 0);
  if (cores.length === 0) return "";
  const width = HOST_W + PAD + TILES_X * TILE_W + PAD, height = TOP + TILES_Y * TILE_H + 30;
  let grid = "", boxes = "", labels = "";
  for (let ty = 0; ty < TILES_Y; ty++) {
    for (let tx = 0; tx < TILES_X; tx++) grid += `M${HOST_W + PAD + tx * TILE_W + 2} ${TOP + ty * TILE_H + 2}h${TILE_W - 4}v${TILE_H - 4}h${-(TILE_W - 4)}z`;
  }
  const byCore = new Map(cores.map((c) => [c.core, c]));
  for (const c of cores) {
    const p = coreCentre(c)!;
    boxes += `M${r1(p.x - 27)} ${r1(p.y - 16)}h54v32h-54z`;
    labels += `<text x="${r1(p.x)}" y="${r1(p.y - 2)}" text-anchor="middle">core ${int(c.core)}</text><text class="muted" x="${r1(p.x)}" y="${r1(p.y + 11)}" text-anchor="middle">${int(c.compartments)} cx</text>`;
  }
  const traffic = (report.cost?.traffic ?? []).filter((t) => isNum(t.messagesPerStep) && t.messagesPerStep > 0);
  const maxM = Math.max(1e-9, ...traffic.map((t) => t.messagesPerStep));
  let lines = "", rings = "";
  // With many pairs the lines merge into a band: fainter, so the boxes and busiest pairs stay legible.
  const opacity = traffic.length > 40 ? 0.25 : 0.55;
  const host = { x: HOST_W / 2, y: TOP + (TILES_Y * TILE_H) / 2 };
  for (const t of traffic) {
    const to = byCore.get(t.to);
    const from = t.from < 0 ? host : byCore.get(t.from) && coreCentre(byCore.get(t.from)!);
    if (!to || !from) continue;
    const a = from, b = coreCentre(to)!;
    const w = 0.8 + 5 * Math.sqrt(t.messagesPerStep / maxM);
    const title = `<title>${t.from < 0 ? "host" : `core ${t.from}`} → core ${t.to}: ${sig(t.messagesPerStep)} messages per step, ${t.hops} hops</title>`;
    // Messages within a core: a ring around its box (an arc outside it would run into the next
    // core or the title), within the gap between boxes; the table has the numbers.
    if (a.x === b.x && a.y === b.y) {
      const o = RING_OUT + RING_MAX_W / 2;
      rings += `<path class="traffic self" stroke-width="${r1(Math.min(w, RING_MAX_W))}" d="M${r1(a.x - 27 - o)} ${r1(a.y - 16 - o)}h${54 + 2 * o}v${32 + 2 * o}h${-(54 + 2 * o)}z">${title}</path>`;
      continue;
    }
    lines += `<path class="traffic" stroke-width="${r1(w)}" stroke-opacity="${opacity}" d="M${r1(a.x)} ${r1(a.y)}L${r1(b.x)} ${r1(b.y)}">${title}</path>`;
  }
  const svg =
    svgOpen(width, height, "placement of cores on the mesh") +
    `<text class="axlabel" x="${HOST_W + PAD}" y="14">chip 0: 8 × 4 tiles (east–west →, north–south ↓), 4 cores per tile</text>` +
    `<path class="tile" d="${grid}"/><rect class="hostbox" x="4" y="${r1(host.y - 20)}" width="${HOST_W - 8}" height="40"/><text x="${r1(host.x)}" y="${r1(host.y + 4)}" text-anchor="middle">host</text>` +
    lines + rings + `<path class="corebox" d="${boxes}"/>` + labels + `</svg>`;
  const total = traffic.reduce((s, t) => s + t.messagesPerStep, 0);
  const table = traffic.length
    ? `<details><summary>Traffic as a table</summary><table><thead><tr><th>from</th><th>to</th><th>messages per step</th><th>mesh hops</th></tr></thead><tbody>${traffic
        .map((t) => `<tr><td>${t.from < 0 ? "host" : `core ${int(t.from)}`}</td><td>core ${int(t.to)}</td><td class="num">${sig(t.messagesPerStep)}</td><td class="num">${int(t.hops)}</td></tr>`)
        .join("")}</tbody></table></details>`
    : "";
  const other = (report.cost?.perCore ?? []).length - cores.length;
  return panel(
    { title: "Placement and traffic", units: `line width ∝ √(spike messages per step); ${sig(total)} messages per step in all`, howToRead: `busy pairs should sit close (few hops); host lines are the encoders' input spikes; an orange ring marks spikes a core sends to itself${other > 0 ? `; ${other} cores on other chips not drawn` : ""}` },
    `<figure class="wide">${svg}</figure>${table}`,
  );
}
