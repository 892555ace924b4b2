#!/usr/bin/env bash
# Manual visual check of a `lmuc compare` report.html: renders it with headless Chromium to a PNG
# so a person (or a reviewer's image viewer) can look at the layout without a desktop browser.
#
#   scripts/check-report.sh REPORT.html [OUT.png] [WIDTH,HEIGHT]
#   scripts/check-report.sh --examples [OUTDIR]
#
#   --examples     runs `lmuc compare` on every examples/*.yaml (3 s each; the build in dist/ must
#                  be current: npx tsc -p tsconfig.build.json), then renders each report at 1400 and
#                  900 px wide into OUTDIR (default out/check-report) and checks that Chromium's
#                  DOM of each page has every panel with its how-to-read line (the PES example's
#                  learning curve included). A network compare refuses (LMU3101) is listed as
#                  skipped, not failed. The trained-model page (lmuc evaluate --report, psdigits
#                  fixture, float mode) is rendered too.
#
#   REPORT.html    the page written by `lmuc compare` (or by renderReportHtml in a test)
#   OUT.png        where to write the screenshot; default: REPORT.png next to the HTML
#   WIDTH,HEIGHT   browser window in CSS pixels; default 1400,2400. Only this viewport is
#                  captured, so raise HEIGHT for long reports (many probes or cores).
#
# What to look for: the verdict line and header figures, the summary table fitting the width,
# every probe's small multiples with three distinguishable colours (float blue, emulator orange,
# ideal dashed black) and readable tick labels, rasters with both colours, per-core bars with
# their % labels not overlapping, and non-zero overflow counts in red.
#
# The page is self-contained (no scripts, no network requests; its Content-Security-Policy forbids
# them), and Chromium runs with networking-related background features off and a throwaway
# profile directory, so rendering makes no requests.
#
# Chromium prints "bytes written to file" on success; Debian's /usr/bin/chromium wrapper may also
# print a harmless "[: ...: unexpected operator" from its memory check.
#
# Chromium is installed with apt-get (Debian/Ubuntu, as root or with sudo) if it is missing.
# This is a manual check; it is not part of `npm test`.
set -euo pipefail

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

# The DOM Chromium built from $2: the page parsed whole, and every panel has its how-to-read line.
dom_check() {
  local dom panels howtos
  dom="$(timeout 120 "$(command -v chromium || command -v chromium-browser || command -v google-chrome)" --headless --no-sandbox --disable-gpu --dump-dom "file://$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" 2>/dev/null || true)"
  panels="$(grep -o '<section class="panel"' <<<"$dom" | wc -l)"
  howtos="$(grep -o '<p class="howto">' <<<"$dom" | wc -l)"
  if [[ "$dom" != *"</main>"* || "$panels" -eq 0 || "$panels" -ne "$howtos" ]]; then
    echo "check-report: $1: DOM check failed (panels $panels, how-to lines $howtos)"; return 1
  fi
  echo "check-report: $1: rendered at 1400 and 900 px, $panels panels, each with units and how to read it"
}

if [[ "$1" == "--examples" ]]; then
  outdir="${2:-out/check-report}"
  mkdir -p "$outdir"
  here="$(cd "$(dirname "$0")/.." && pwd)"
  failed=0
  for net in "$here"/examples/*.yaml; do
    name="$(basename "$net" .yaml)"
    if ! node "$here/bin/lmuc.js" compare "$net" --duration 3 --quiet --report "$outdir/$name.html" >"$outdir/$name.txt" 2>&1; then
      if grep -q "LMU3101" "$outdir/$name.txt"; then echo "check-report: $name skipped (compare refuses it: $(grep -o 'LMU3101[^(]*' "$outdir/$name.txt" | head -1))"; continue; fi
      echo "check-report: $name: lmuc compare failed:"; cat "$outdir/$name.txt"; failed=1; continue
    fi
    for width in 1400 900; do
      "$0" "$outdir/$name.html" "$outdir/$name-$width.png" "$width,${CHECK_REPORT_HEIGHT:-12000}" >/dev/null || failed=1
    done
    dom_check "$name" "$outdir/$name.html" || failed=1
  done
  # The trained-model report (lmuc evaluate --report) on the psdigits fixture, when it is there.
  model="$here/test/fixtures/models/psdigits/lmu-tanh.pt"
  if [[ -f "$model" ]]; then
    gunzip -c "$here/test/fixtures/models/psdigits/test-x.npy.gz" >"$outdir/test-x.npy"
    gunzip -c "$here/test/fixtures/models/psdigits/test-y.npy.gz" >"$outdir/test-y.npy"
    if node "$here/bin/lmuc.js" import "$model" -o "$outdir/psdigits/psdigits-lmu.yaml" >"$outdir/evaluate.txt" 2>&1 &&
      node "$here/bin/lmuc.js" evaluate "$outdir/psdigits/psdigits-lmu.yaml" --inputs "$outdir/test-x.npy" --labels "$outdir/test-y.npy" --mode all --shard 1/36 --presentation-steps 20,10 --quiet --report "$outdir/evaluate.html" >>"$outdir/evaluate.txt" 2>&1; then
      # Every mode (float, spiking, chip) on the first 10 sequences, with a K sweep and logit traces.
      for width in 1400 900; do "$0" "$outdir/evaluate.html" "$outdir/evaluate-$width.png" "$width,${CHECK_REPORT_HEIGHT:-9000}" >/dev/null || failed=1; done
      dom_check "trained model (lmuc evaluate --mode all --report)" "$outdir/evaluate.html" || failed=1
    else
      echo "check-report: trained model: lmuc import/evaluate failed:"; cat "$outdir/evaluate.txt"; failed=1
    fi
  fi
  exit $failed
fi

html="$1"
[[ -f "$html" ]] || { echo "check-report: no such file: $html" >&2; exit 1; }
html_abs="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
out="${2:-${html_abs%.*}.png}"
size="${3:-1400,2400}"

find_chromium() {
  for c in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

if ! browser="$(find_chromium)"; then
  echo "check-report: chromium not found; installing it with apt-get" >&2
  sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
  browser="$(find_chromium)" || { echo "check-report: chromium still not found after apt-get" >&2; exit 1; }
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

# Make OUT absolute: Chromium resolves --screenshot relative to its own working directory.
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$out" --window-size="$size" "file://$html_abs" \
  2> >(grep -v -e 'dbus' -e 'Fontconfig' -e '^$' >&2 || true)

[[ -s "$out" ]] || { echo "check-report: no screenshot written" >&2; exit 1; }
echo "check-report: wrote $out ($size)"
