#!/usr/bin/env bash
# Digest of what the engine prints and renders for the example profiles, to show that a
# refactor changes no byte: `tools/output_digest.sh OUTDIR` writes OUTDIR/json/*.json
# (analyze --json at a fixed date) and OUTDIR/reports/ (render of every example profile,
# the clock pinned to the same day with libfaketime), then prints one sha256 per file.
# Compare two runs with `diff <(tools/output_digest.sh a) <(tools/output_digest.sh b)`.
set -euo pipefail
out=${1:?usage: tools/output_digest.sh OUTDIR}
day=${DIGEST_DAY:-2026-11-29}
bin=${LLMSTRATEGY:-.venv/bin/llmstrategy}
mkdir -p "$out/json" "$out/reports"
for p in data/profiles/*.yaml; do
  "$bin" analyze "$p" --json --as-of "$day" > "$out/json/$(basename "$p" .yaml).json"
done
faketime "$day 12:00:00" "$bin" render data/profiles/*.yaml --out "$out/reports" --jobs 2 >/dev/null
(cd "$out" && find json reports -maxdepth 1 -type f | sort | xargs sha256sum)
