/** The report's stylesheet (inline in the page). */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:16px 24px 40px;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#fff}
main{max-width:1300px;margin:0 auto}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;padding-top:8px;border-top:1px solid #d7dce3}h3{font-size:15px;margin:18px 0 4px}
.muted{color:#6b7380;font-weight:normal}.note{color:#4b5361;font-size:12.5px;margin:4px 0}
.kvs{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.kv{border:1px solid #d7dce3;border-radius:6px;padding:6px 10px;min-width:130px;background:#f8f9fb}
.kv span{display:block;font-size:12px;color:#5b6370}.kv b{font-size:16px;font-variant-numeric:tabular-nums}.kv small{display:block;font-size:11.5px;color:#5b6370}
.kv.bad{background:#fde8e8;border-color:#e5a0a0}.kv.bad b{color:#b3261e}.kv.good b{color:#1e7b34}
.verdict{font-size:16px;padding:8px 12px;border-radius:6px;margin:6px 0 10px}
.verdict.pass{background:#e4f4e8;color:#1e6b30;border:1px solid #a6d6b2}.verdict.fail{background:#fde8e8;color:#a11d16;border:1px solid #e5a0a0}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d7dce3;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f1f3f6;font-weight:600}
td.num{text-align:right}td.over,span.over{color:#b3261e;font-weight:600}td.over{background:#fde8e8}
a{color:#1f5fa8}
.metrics{margin:2px 0 4px;font-size:13px}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12.5px;margin:4px 0}.lg{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:12px;height:10px;border-radius:2px}.r-float-sw{background:#1f77b4}.r-emu-sw{background:#e6550d}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:6px 16px}
figure{margin:0}figure svg{max-width:100%;height:auto;display:block}figure.wide{overflow-x:auto}
svg text{font-size:11px;fill:#333}svg text.axlabel{font-size:11.5px;fill:#1d2430;font-weight:600}svg text.ptitle{font-size:12px;font-weight:600;fill:#1d2430}
svg text.muted{fill:#6b7380;font-weight:normal}svg text.bad{fill:#b3261e;font-weight:600}svg text.nodata{fill:#8a919c;font-style:italic}
.frame{fill:none;stroke:#9aa2ad;stroke-width:1}path.gl{fill:none;stroke:#e6e9ee;stroke-width:1}
path.sep{fill:none;stroke:#d5d9e0}path.limit{fill:none;stroke:#9aa2ad;stroke-dasharray:2 2}
.s-float,.s-emu,.s-ideal{fill:none;stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}
.s-float{stroke:#1f77b4}.s-emu{stroke:#e6550d}.s-ideal{stroke:#222;stroke-dasharray:5 3;stroke-width:1.3}
.r-float{stroke:#1f77b4;stroke-width:1.2;fill:none}.r-emu{stroke:#e6550d;stroke-width:1.2;fill:none}
.b-util{fill:#7aa6d6}.b-over{fill:#d9534f}.b-ns{fill:#9c8ac9}.b-slow{fill:#5b3f9e}.b-pj{fill:#6fbf8e}
.panel{margin:14px 0 18px}.howto{color:#4b5361;font-size:12.5px;margin:0 0 6px}.howto .units{font-style:italic}
.s-diff{fill:none;stroke:#2a9d4b;stroke-width:1.5;stroke-dasharray:2 2}.thin{stroke-width:1}
.r-float.l0,.r-float.l1,.r-float.l2{fill:#1f77b4;stroke:none}.r-emu.l0,.r-emu.l1,.r-emu.l2{fill:#e6550d;stroke:none}
.l0{fill-opacity:.4}.l1{fill-opacity:.7}.l2{fill-opacity:1}
.b-float{fill:#1f77b4}.b-emu{fill:#e6550d}
.c-syn{fill:#7aa6d6;background:#7aa6d6}.c-cx{fill:#9c8ac9;background:#9c8ac9}.c-msg{fill:#6fbf8e;background:#6fbf8e}.c-learn{fill:#e0b040;background:#e0b040}
path.tile{fill:#f8f9fb;stroke:#c9ced6}.corebox{fill:#dbe7f5;stroke:#4b6f9e}.hostbox{fill:#f1f3f6;stroke:#9aa2ad}
path.traffic{fill:none;stroke:#e6550d;stroke-opacity:.55;stroke-linecap:round}path.traffic.self{stroke-opacity:.9}
.cb{display:inline-block;width:18px;height:10px;border:1px solid #ccd}.cbl{margin:0 8px 0 3px;font-variant-numeric:tabular-nums}
details{margin-top:8px}summary{cursor:pointer;font-size:13px;color:#1f5fa8}
`.trim();
