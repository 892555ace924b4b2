// report.html of `lmuc compare`: self-contained, escaped, deterministic, robust to NaN and to
// probes without an ideal. Set LMUC_WRITE_REPORT_HTML=/tmp/report.html to also write the fixture's
// page for scripts/check-report.sh.
import { writeFileSync } from "node:fs";
import { escapeHtml, renderReportHtml } from "./html.js";
import type { CompareReport } from "./report-types.js";

const EVIL = "<img onerror=alert(1)>";

/** Deterministic pseudo-noise in [-1, 1). */
function noise(i: number): number {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

function fixture(): CompareReport {
  const dt = 0.001, steps = 2000, n = 200;
  const t = Array.from({ length: n }, (_, i) => ((i + 1) * steps * dt) / n);
  const sine = (phase: number, delay = 0) => t.map((s) => Math.sin(2 * Math.PI * 1.5 * (s - delay) + phase));
  const idealDelay = [sine(0, 0.1), sine(1, 0.1)];
  const float0 = idealDelay.map((d) => d.map((v, i) => v * 0.97 + 0.02 * noise(i)));
  const emu0 = idealDelay.map((d) => d.map((v, i) => v * 0.93 + 0.06 * noise(i + 7)));
  const state = [0, 1, 2].map((k) => t.map((s) => Math.exp(-s) * Math.cos(3 * s + k)));
  const emuState = state.map((d, k) => d.map((v, i) => (k === 1 && i === 50 ? NaN : v + 0.05 * noise(i + 100 * k))));
  const spikeSteps = (seed: number, rate: number) => {
    const out: number[] = [];
    for (let s = 0; s < steps; s++) if ((noise(s * 31 + seed) + 1) / 2 < rate * dt) out.push(s);
    return out;
  };
  const binSteps = 10, bins = steps / binSteps;
  const binned = (rows: number[]) => {
    const c = new Array<number>(bins).fill(0);
    for (const r of rows) c[Math.floor(r / binSteps)]++;
    return c;
  };
  const neurons = [0, 1, 2, 3, 4, 5].map((k) => k * 17);
  const fl = [0, 1, 2, 3, 4, 5].map((k) => spikeSteps(k, 40 + 10 * k)), em = [0, 1, 2, 3, 4, 5].map((k) => spikeSteps(k + 50, 38 + 10 * k));
  return {
    format: "lmuc-compare/1",
    lmuc: "0.1.0",
    network: "lmu-delay",
    source: "examples/lmu-delay.yaml",
    target: "loihi1",
    dtSeconds: dt,
    steps,
    chip: { cores: 2, lowerBound: 2, chips: 1, neuronsOnChip: 900, build: "abc123" },
    probes: [
      {
        id: "delayed",
        attr: "decoded_output",
        size: 2,
        nrmseFloatVsIdeal: 0.041,
        nrmseEmulatorVsIdeal: 0.087,
        nrmseEmulatorVsFloat: 0.062,
        correlation: 0.9981,
        idealKind: "exact delay",
        traces: { t, dims: [0, 1], selection: "all", strideSamples: 10, float: float0, emulator: emu0, ideal: idealDelay },
      },
      {
        id: EVIL,
        attr: "state",
        size: 6,
        nrmseEmulatorVsFloat: 0.11,
        correlation: 0.9876,
        traces: { t, dims: [0, 1, 2], selection: "largest emulator − float error", strideSamples: 10, float: state, emulator: emuState },
      },
    ],
    spikes: [
      {
        ensemble: "lmu.memory",
        neurons: 400,
        meanRateFloatHz: 61.25,
        meanRateEmulatorHz: 58.5,
        raster: { binSteps, bins, neurons, float: fl.map(binned), emulator: em.map(binned) },
        window: { startSeconds: 1, endSeconds: 2, float: fl.map((l) => l.filter((r) => r >= 1000)), emulator: em.map((l) => l.filter((r) => r >= 1000)) },
        population: { binSteps, float: binned(fl.flat()).map((c) => c / (6 * binSteps * dt)), emulator: binned(em.flat()).map((c) => c / (6 * binSteps * dt)) },
        rateHistogram: { edgesHz: [0, 20, 40, 60, 80, 100], float: [0, 0, 1, 2, 3, 0], emulator: [0, 1, 1, 2, 2, 0] },
      },
    ],
    cost: {
      stepNsMean: 5123.4,
      stepNsMax: 7310.2,
      energyPjMean: 48211.7,
      realTimeFactor: 0.0051234,
      synapticEvents: 1234567,
      overflows: { q: 0, u: 3, uBias: 0 },
      perCore: [
        {
          core: 0, chip: 0, compartments: 512, inputAxons: 300, outputAxons: 1200, synapseBits: 900000,
          utilisation: { compartments: 0.5, inputAxons: 0.0732, outputAxons: 0.3, synapseBits: 0.8583 },
          nsPerStep: 4921.3, pjPerStep: 30012.9, synapticEvents: 800000, spikes: 5100,
        },
        {
          core: 1, chip: 0, compartments: 388, inputAxons: 512, outputAxons: 2, synapseBits: 402000,
          utilisation: { compartments: 0.3789, inputAxons: 0.125, outputAxons: 0.0005, synapseBits: 0.3834 },
          nsPerStep: 3010.8, pjPerStep: 18198.8, synapticEvents: 434567, spikes: 2004,
        },
      ],
    },
    check: { maxNrmse: 0.1, passed: false, worst: 0.11 },
  };
}

function count(haystack: string, needle: string | RegExp): number {
  if (typeof needle === "string") return haystack.split(needle).length - 1;
  return (haystack.match(new RegExp(needle.source, needle.flags.includes("g") ? needle.flags : needle.flags + "g")) ?? []).length;
}

/** Series paths drawn in plots (legend keys carry an extra "key" class and are not counted). */
function seriesPaths(html: string, cls: string): string[] {
  return html.match(new RegExp(`<path class="${cls}" d="([^"]*)"`, "g")) ?? [];
}

describe("renderReportHtml", () => {
  const report = fixture();
  const html = renderReportHtml(report);

  afterAll(() => {
    const out = process.env.LMUC_WRITE_REPORT_HTML;
    if (out) writeFileSync(out, html);
  });

  test("is one well-formed-enough self-contained document", () => {
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    expect(count(html, /<html[\s>]/)).toBe(1);
    expect(count(html, "</html>")).toBe(1);
    expect(count(html, "<head>")).toBe(1);
    expect(count(html, "<body>")).toBe(1);
    expect(count(html, /<svg[\s>]/)).toBeGreaterThan(0);
    expect(count(html, /<svg[\s>]/)).toBe(count(html, "</svg>"));
    expect(count(html, "<section")).toBe(count(html, "</section>"));
    expect(count(html, "<table")).toBe(count(html, "</table>"));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  test("draws a path per plotted series", () => {
    // Probe 0: 2 dimensions × (float, emulator, ideal); probe 1: 3 dimensions × (float, emulator);
    // plus the raster's population-rate plot (float, emulator).
    expect(seriesPaths(html, "s-float")).toHaveLength(6);
    expect(seriesPaths(html, "s-emu")).toHaveLength(6);
    expect(seriesPaths(html, "s-ideal")).toHaveLength(2);
    for (const p of [...seriesPaths(html, "s-float"), ...seriesPaths(html, "s-emu"), ...seriesPaths(html, "s-ideal")]) {
      expect(p).toMatch(/d="M[\d.]+ [\d.]+l-?[\d.]+[ -][\d.]+/);
    }
    // The NaN sample in probe 1, dimension 1 breaks that emulator line into two pieces.
    const brokenLine = seriesPaths(html, "s-emu").filter((p) => count(p, "M") === 2);
    expect(brokenLine).toHaveLength(1);
    // Legend: ideal for the first probe, a note for the second.
    expect(html).toContain("ideal (exact delay)");
    expect(html).toContain("no ideal for this probe");
    // One raster of counts per bin (up to 3 shades each) and its full-resolution window (one path each).
    expect(count(html, /<path class="r-float l[012]" d=/)).toBeGreaterThanOrEqual(1);
    expect(count(html, /<path class="r-emu l[012]" d=/)).toBeGreaterThanOrEqual(1);
    expect(seriesPaths(html, "r-float")).toHaveLength(1);
    expect(seriesPaths(html, "r-emu")).toHaveLength(1);
    expect(html).toContain("61.25 Hz");
    expect(html).toContain("58.50 Hz");
  });

  test("rounds coordinates to 0.1 px", () => {
    const ds = html.match(/ d="[^"]*"/g) ?? [];
    expect(ds.length).toBeGreaterThan(10);
    for (const d of ds) expect(d).not.toMatch(/\d\.\d\d/);
    expect(html).not.toMatch(/(x|y|width|height)="-?\d+\.\d\d/);
  });

  test("escapes ids from user files", () => {
    expect(html).not.toContain(EVIL);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("&lt;img onerror=alert(1)&gt;.state");
    expect(escapeHtml(`a"b'c<d>&`)).toBe("a&quot;b&#39;c&lt;d&gt;&amp;");

    const evil = fixture();
    const nasty = `"><script>alert(2)</script>`;
    const html2 = renderReportHtml({
      ...evil,
      network: nasty,
      source: nasty,
      target: nasty,
      spikes: [{ ...evil.spikes[0], ensemble: nasty }],
      chip: { ...evil.chip, build: nasty },
    });
    expect(html2).not.toMatch(/<script/i);
    expect(html2).toContain("&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
  });

  test("header, summary, verdict and cost figures", () => {
    expect(html).toContain("lmuc compare: lmu-delay");
    expect(html).toContain("2.00 s"); // simulated time = 2000 × 1 ms
    expect(html).toContain("<b>2 / 2</b>");
    expect(html).toContain("900");
    expect(html).toMatch(/class="verdict fail"><b>FAIL<\/b> — worst NRMSE 0\.110 &gt; --max-nrmse 0\.100/);
    expect(html).toContain("2.12×"); // 0.087 / 0.041
    expect(html).toContain(`<td class="num over">0.110</td>`); // exceeds --max-nrmse (emulator vs float: no ideal)
    expect(count(html, `class="num over"`)).toBe(1);
    // With an ideal, the check (and the highlight) uses emulator vs ideal, not emulator vs float.
    const strict = renderReportHtml({ ...fixture(), check: { maxNrmse: 0.07, passed: false, worst: 0.11 } });
    expect(strict).toContain(`<td class="num over">0.0870</td>`);
    expect(strict).toContain(`<td class="num">0.0620</td>`);
    expect(html).toContain("5.12 µs");
    expect(html).toContain("7.31 µs");
    expect(html).toContain("48.2 nJ");
    expect(html).toContain("faster than real time");
    expect(html).toMatch(/class="kv bad"><span>u \(current\)<\/span><b>3<\/b>/);
    expect(html).toMatch(/class="kv good"><span>q \(input accumulator\)<\/span><b>0<\/b>/);
    expect(html).toContain("85.8%");
    expect(html).toContain("core 1");

    const passing = renderReportHtml({ ...fixture(), check: { maxNrmse: 0.2, passed: true, worst: 0.11 } });
    expect(passing).toMatch(/class="verdict pass"><b>PASS<\/b>/);
    const unchecked = renderReportHtml({ ...fixture(), check: undefined });
    expect(unchecked).not.toContain('class="verdict');
  });

  test("is deterministic", () => {
    expect(renderReportHtml(fixture())).toBe(html);
    expect(renderReportHtml(report)).toBe(html);
    // Through report.json and back (the NaN trace sample becomes null): same page.
    expect(renderReportHtml(JSON.parse(JSON.stringify(report)) as CompareReport)).toBe(html);
  });

  test("handles NaN, null and missing metrics", () => {
    const base = fixture();
    const nan: CompareReport = {
      ...base,
      probes: base.probes.map((p) => ({ ...p, nrmseFloatVsIdeal: NaN, nrmseEmulatorVsIdeal: undefined, nrmseEmulatorVsFloat: NaN, correlation: NaN })),
      spikes: [{ ...base.spikes[0], meanRateFloatHz: NaN }],
      cost: { ...base.cost, stepNsMean: NaN, realTimeFactor: NaN, overflows: { q: NaN, u: 0, uBias: 0 } },
      check: { maxNrmse: 0.1, passed: false, worst: NaN },
    };
    const out = renderReportHtml(nan);
    expect(out).not.toMatch(/NaN|undefined|null|Infinity/);
    expect(out).toContain("n/a");
    expect(renderReportHtml(JSON.parse(JSON.stringify(nan)) as CompareReport)).toBe(out);

    const inf = renderReportHtml({ ...base, probes: [{ ...base.probes[0], nrmseFloatVsIdeal: 0, nrmseEmulatorVsIdeal: Infinity }] });
    expect(inf).toContain("∞");
    expect(inf).not.toMatch(/NaN|Infinity/);
  });

  test("renders an empty report and all-NaN traces", () => {
    const base = fixture();
    const empty = renderReportHtml({ ...base, probes: [], spikes: [], cost: { ...base.cost, perCore: [] }, check: undefined });
    expect(empty).toContain("No probes.");
    expect(empty).toContain("No spike data in the report.");
    expect(empty).toContain("No per-core figures in the report.");
    expect(count(empty, /<svg[\s>]/)).toBe(count(empty, "</svg>"));

    const flat = base.probes[0].traces.t.map(() => NaN);
    const allNaN = renderReportHtml({
      ...base,
      probes: [{ ...base.probes[0], traces: { ...base.probes[0].traces, dims: [0], float: [flat], emulator: [flat], ideal: [flat] } }],
    });
    expect(allNaN).toContain("no finite samples");
    expect(allNaN).not.toMatch(/NaN/);
    // Constant traces still get a finite y-axis.
    const constant = base.probes[0].traces.t.map(() => 0.5);
    const flatHtml = renderReportHtml({ ...base, probes: [{ ...base.probes[0], traces: { ...base.probes[0].traces, dims: [0], float: [constant], emulator: [constant], ideal: undefined } }] });
    expect(flatHtml).not.toMatch(/NaN|Infinity/);
  });

  test("stays small", () => {
    // 2 probes × 5 dimensions × 200 samples, 6 raster rows of 200 bins, the same rows' ~750 spikes
    // of the 1 s full-resolution window, a 200-bin population rate and a rate histogram, 2 cores:
    // ~83 kB (it was < 60 kB before the window, population and histogram panels).
    expect(html.length).toBeLessThan(90_000);
  });
});
