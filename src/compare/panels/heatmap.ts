/** Every dimension of a many-dimensional probe as heat maps: float, emulator, and emulator − reference. */
import type { HeatMap } from "../report-types.js";
import { axes, ticks, svgOpen, type Frame } from "./axes.js";
import { esc, isNum, r1, sig } from "./format.js";
import { panel } from "./panel.js";
import { diverging, pngDataUri } from "./png.js";

const FRAME: Frame = { width: 620, height: 230, left: 58, right: 12, top: 22, bottom: 34 };

function image(rows: readonly (readonly unknown[])[], columns: number, scale: number): string {
  const h = rows.length;
  const rgb = new Uint8Array(h * columns * 3);
  for (let d = 0; d < h; d++) {
    for (let c = 0; c < columns; c++) {
      const v = rows[d]?.[c];
      rgb.set(diverging(isNum(v) && scale > 0 ? v / scale : NaN), (d * columns + c) * 3);
    }
  }
  return pngDataUri(columns, h, rgb);
}

function map(title: string, rows: readonly (readonly unknown[])[], columns: number, endSeconds: number, scale: number): string {
  const f = FRAME;
  const dims = rows.length;
  const xt = ticks(0, endSeconds > 0 ? endSeconds : 1, 6, false);
  const ax = axes(f, xt, null, "time (s)", "dimension");
  const b = ax.box;
  // Dimension 0 at the top; about 8 labelled rows.
  const every = Math.max(1, Math.ceil(dims / 8));
  let labels = "";
  for (let d = 0; d < dims; d += every) labels += `<text x="${r1(b.x0 - 4)}" y="${r1(b.y0 + ((d + 0.5) * (b.y1 - b.y0)) / dims + 3.5)}" text-anchor="end">${d}</text>`;
  return (
    svgOpen(f.width, f.height, title) +
    `<image x="${r1(b.x0)}" y="${r1(b.y0)}" width="${r1(b.x1 - b.x0)}" height="${r1(b.y1 - b.y0)}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${image(rows, columns, scale)}"/>` +
    ax.svg +
    labels +
    `<text class="ptitle" x="${r1(f.left)}" y="14">${esc(title)}</text></svg>`
  );
}

function maxAbs(sets: readonly (readonly (readonly unknown[])[] | undefined)[]): number {
  let m = 0;
  for (const s of sets) for (const row of s ?? []) for (const v of row) if (isNum(v)) m = Math.max(m, Math.abs(v));
  return m;
}

function colourBar(scale: number, label: string): string {
  const stops = [-1, -0.5, 0, 0.5, 1];
  const cells = stops.map((s) => {
    const [r, g, b] = diverging(s);
    return `<span class="cb" style="background:rgb(${r},${g},${b})"></span><span class="cbl">${sig(s * scale)}</span>`;
  });
  return `<div class="legend">${esc(label)}: ${cells.join("")}</div>`;
}

export function heatMapPanel(h: HeatMap, title: string, refKind: string | undefined): string {
  const columns = isNum(h.columns) ? h.columns : 0;
  if (columns === 0 || h.float.length === 0) return "";
  const scale = maxAbs([h.float, h.emulator, h.ideal]);
  const ref = h.ideal ?? h.float;
  const diff = h.emulator.map((row, d) => row.map((v, c) => (isNum(v) && isNum(ref[d]?.[c]) ? v - (ref[d][c] as number) : NaN)));
  const dscale = maxAbs([diff]);
  const refName = h.ideal ? refKind ?? "ideal" : "float";
  const body =
    colourBar(scale, "value") +
    `<div class="grid">` +
    `<figure>${map(`${title}: float`, h.float, columns, h.endSeconds, scale)}</figure>` +
    `<figure>${map(`${title}: emulator`, h.emulator, columns, h.endSeconds, scale)}</figure></div>` +
    colourBar(dscale, `emulator − ${refName}`) +
    `<div class="grid"><figure>${map(`${title}: emulator − ${refName}`, diff, columns, h.endSeconds, dscale)}</figure></div>`;
  return panel(
    { title: `All ${h.float.length} dimensions: ${title}`, units: `colour = value (mean over ${columns} time bins); rows = dimensions (0 at the top); time in s`, howToRead: `float and emulator maps should look alike; in the difference map, white is no error and strong colour marks dimensions or times where the chip departs from ${refName}` },
    body,
  );
}
