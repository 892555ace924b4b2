/** Placement: the cores in use on the chip's 8 × 4 tile mesh (4 cores a tile) and the spike traffic between them. */
import type { CompareReport, CoreCost } from "../report-types.js";
import { svgOpen } from "./axes.js";
import { int, isNum, r1, sig } from "./format.js";
import { panel } from "./panel.js";

const TILE_W = 130, TILE_H = 84, PAD = 8, HOST_W = 70, TOP = 24;
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
  let lines = "";
  const host = { x: HOST_W / 2, y: TOP + (TILES_Y * TILE_H) / 2 };
  for (const t of traffic) {
    const to = byCore.get(t.to);
    const from = t.from < 0 ? host : byCore.get(t.from) && coreCentre(byCore.get(t.from)!);
    if (!to || !from) continue;
    const a = from, b = coreCentre(to)!;
    const w = 0.8 + 5 * Math.sqrt(t.messagesPerStep / maxM);
    // Messages within a core loop back to it: drawn as a small arc above the box.
    const d = a.x === b.x && a.y === b.y ? `M${r1(a.x - 12)} ${r1(a.y - 16)}c0 -14 24 -14 24 0` : `M${r1(a.x)} ${r1(a.y)}L${r1(b.x)} ${r1(b.y)}`;
    lines += `<path class="traffic" stroke-width="${r1(w)}" d="${d}"><title>${t.from < 0 ? "host" : `core ${t.from}`} → core ${t.to}: ${sig(t.messagesPerStep)} messages per step, ${t.hops} hops</title></path>`;
  }
  const svg =
    svgOpen(width, height, "placement of cores on the mesh") +
    `<text class="axlabel" x="${HOST_W + PAD}" y="14">chip 0: 8 × 4 tiles (east–west →, north–south ↓), 4 cores per tile</text>` +
    `<path class="tile" d="${grid}"/><rect class="hostbox" x="4" y="${r1(host.y - 20)}" width="${HOST_W - 8}" height="40"/><text x="${r1(host.x)}" y="${r1(host.y + 4)}" text-anchor="middle">host</text>` +
    lines + `<path class="corebox" d="${boxes}"/>` + labels + `</svg>`;
  const total = traffic.reduce((s, t) => s + t.messagesPerStep, 0);
  const table = traffic.length
    ? `<details><summary>Traffic as a table</summary><table><thead><tr><th>from</th><th>to</th><th>messages per step</th><th>mesh hops</th></tr></thead><tbody>${traffic
        .map((t) => `<tr><td>${t.from < 0 ? "host" : `core ${int(t.from)}`}</td><td>core ${int(t.to)}</td><td class="num">${sig(t.messagesPerStep)}</td><td class="num">${int(t.hops)}</td></tr>`)
        .join("")}</tbody></table></details>`
    : "";
  const other = (report.cost?.perCore ?? []).length - cores.length;
  return panel(
    { title: "Placement and traffic", units: `line width ∝ √(spike messages per step); ${sig(total)} messages per step in all`, howToRead: `busy pairs should sit close (few hops); host lines are the encoders' input spikes${other > 0 ? `; ${other} cores on other chips not drawn` : ""}` },
    `<figure class="wide">${svg}</figure>${table}`,
  );
}
