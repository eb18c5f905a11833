#!/usr/bin/env bash
# Runs the sheet benchmarks and prints their tables:
#  1. multi-sheet: rectangular metal-sheet instances built from the ESICUP parts
#     (`nestwork bench --sheet WxH --copies K`), sheets used against the area lower bound;
#  2. leather hides: the bin instances with holes and quality zones;
#  3. part-in-part: benches/jobs/part-in-part.toml nested with and without part-in-part;
#  4. remnants and mixed sizes: benches/jobs/remnant.toml (a remnant and standard sheets),
#     benches/jobs/remnants-only.toml (three remnants, no standard sheet) and
#     benches/jobs/mixed-sizes.toml (two sheet sizes), benches/jobs/priorities.toml (three
#     priorities; the last sheet holding parts of each priority is printed too);
#  5. DXF corpus: every corpus file that gives a part, nested on rectangular sheets, sheets used
#     against the area lower bound (placed part area over the usable sheet area, rounded up);
#  6. cancel: how long the engine takes to return after a cancel (`--cancel-after`).
#
# Usage: benches/run-sheets.sh [SEED] [INSTANCE_DIR] [OUT_DIR]
#   SEED          random seed (default 42)
#   INSTANCE_DIR  folder of the instance JSON files (default ../shared/bench/instances)
#   OUT_DIR       result folders, one per run (default benches/results/sheets-<date>)
#   CORPUS_DIR    (environment) the DXF corpus (default ../shared/dxf-corpus)
set -euo pipefail

seed="${1:-42}"
root="$(cd "$(dirname "$0")/.." && pwd)"
inst_dir="${2:-$root/../shared/bench/instances}"
corpus_dir="${CORPUS_DIR:-$root/../shared/dxf-corpus}"
out_dir="${3:-$root/benches/results/sheets-$(date -u +%Y%m%dT%H%M%SZ)}"
# Where cargo puts the build (honours CARGO_TARGET_DIR and .cargo/config, as an absolute path).
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
bin="$target_dir/release/nestwork"

if [[ ! -d "$inst_dir" ]]; then
  echo "instance folder $inst_dir not found; pass it as the second argument" >&2
  exit 2
fi
(cd "$root" && cargo build --release -p nestwork --locked >&2)
mkdir -p "$out_dir"

num() { # num JQ_FILTER FILE -> the value, rounded to 2 decimals when fractional
  jq -r "$1 | if type == \"number\" and . != floor then (. * 100 | round / 100) else . end" "$2"
}

echo "## multi-sheet (seed $seed)"
printf '%-26s %6s %6s %6s %10s %9s %8s %6s\n' instance parts time_s sheets lower_bd last_len first_s rss_MiB
# name  instance  sheet  copies  seconds
while read -r name inst sheet copies secs; do
  dir="$out_dir/$name"
  "$bin" bench "$inst_dir/$inst.json" --sheet "$sheet" --copies "$copies" --time "$secs" \
    --seed "$seed" --out "$dir" >/dev/null || true
  r="$dir/result.json"
  printf '%-26s %6s %6s %6s %10s %9s %8s %6s\n' "$name" "$(num .placed "$r")" "$secs" \
    "$(num .bins_used "$r")" "$(num .sheets_lower_bound "$r")" "$(num .last_sheet_length "$r")" \
    "$(num .first_layout_s "$r")" "$(num .peak_rss_mib "$r")"
  [[ "$(jq -r .valid "$r")" == true ]] || echo "  $name: INVALID layout, see $r"
done <<'EOF'
shapes0x3-100x40 shapes0 100x40 3 5
shapes0x4-40x40 shapes0 40x40 4 30
albano-x3-6000x4900 albano 6000x4900 3 30
jakobs1x8-40x40 jakobs1 40x40 8 30
shapes0x24-100x40 shapes0 100x40 24 60
shapes0x48-100x40 shapes0 100x40 48 60
EOF

echo
echo "## leather hides: holes and quality zones (seed $seed, 60 s)"
printf '%-12s %6s %6s %10s %8s %9s %6s\n' instance parts hides lower_bd util_% valid rss_MiB
for name in baldacci1 baldacci6; do
  file="$inst_dir/bin/$name.json"
  [[ -f "$file" ]] || { echo "$name: missing, skipped" >&2; continue; }
  dir="$out_dir/$name"
  "$bin" bench "$file" --time 60 --seed "$seed" --out "$dir" >/dev/null || true
  r="$dir/result.json"
  printf '%-12s %6s %6s %10s %8s %9s %6s\n' "$name" "$(num .placed "$r")" "$(num .bins_used "$r")" \
    "$(num .sheets_lower_bound "$r")" "$(num '.utilization * 100' "$r")" "$(num .valid "$r")" \
    "$(num .peak_rss_mib "$r")"
done

echo
echo "## part-in-part: benches/jobs/part-in-part.toml (seed $seed, 30 s)"
printf '%-18s %6s %8s %12s %s\n' part_in_part sheets util_% last_len_mm validation
for mode in on off; do
  dir="$out_dir/pip-$mode"
  args=(nest "$root/benches/jobs/part-in-part.toml" --time 30 --seed "$seed" --out "$dir")
  [[ "$mode" == off ]] && args+=(--no-part-in-part)
  "$bin" "${args[@]}" >/dev/null 2>&1
  r="$dir/report.json"
  printf '%-18s %6s %8s %12s %s\n' "$mode" "$(num .sheet_count "$r")" \
    "$(num '.utilization * 100' "$r")" "$(num '.sheets[-1].used_length_mm' "$r")" \
    "$(jq -r .validation "$r")"
done
echo
echo "## remnants, mixed sizes, priorities: benches/jobs/{remnant,remnants-only,mixed-sizes,priorities}.toml (seed $seed)"
printf '%-14s %8s %-12s %8s %12s %s\n' job sheets first_sheet util_% last_len_mm validation
for job in remnant remnants-only mixed-sizes priorities; do
  dir="$out_dir/$job"
  "$bin" nest "$root/benches/jobs/$job.toml" --seed "$seed" --out "$dir" >/dev/null 2>&1
  r="$dir/report.json"
  printf '%-14s %8s %-12s %8s %12s %s\n' "$job" "$(num .sheet_count "$r")" \
    "$(jq -r '.sheets[0] | "\(.width_mm)x\(.height_mm)"' "$r")" \
    "$(num '.utilization * 100' "$r")" "$(num '.sheets[-1].used_length_mm' "$r")" \
    "$(jq -r .validation "$r")"
done
# The priority job: the urgent parts come first and stay on the first sheets.
jq -r '(.parts | map({(.name): .priority}) | add) as $prio
  | [.sheets[] | .number as $n | .placements[] | {p: $prio[.part], n: $n}]
  | group_by(.p) | map("priority \(.[0].p): sheets 1 to \(map(.n) | max)") | join(", ")' \
  "$out_dir/priorities/report.json"
echo
echo "## DXF corpus on sheets: the corpus files that give a part (seed $seed)"
# `nest` refuses a file without a closed outline, so the corpus is linked into a folder of the
# files whose import finds at least one part.
files="$(mktemp -d)"
trap 'rm -rf "$files"' EXIT
for f in "$corpus_dir"/*.dxf "$corpus_dir"/*.DXF; do
  [[ -e "$f" ]] || continue
  n="$("$bin" import --json "$f" 2>/dev/null | jq -r '.[0].report.parts | length' | head -n 1)" || true
  if [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]]; then ln -sf "$f" "$files/"; fi
done
printf '%-22s %6s %6s %6s %10s %7s %9s %s\n' run parts time_s sheets lower_bd util_% last_len validation
# name  sheet  seconds  flags
while read -r name sheet secs flags; do
  dir="$out_dir/corpus-$name"
  # shellcheck disable=SC2086 # $flags holds several flags
  "$bin" nest "$files" --sheet "$sheet" --time "$secs" --seed "$seed" $flags --out "$dir" \
    >/dev/null 2>&1 || true
  r="$dir/report.json"
  w="${sheet%%x*}"
  h="${sheet#*x}"
  printf '%-22s %6s %6s %6s %10s %7s %9s %s\n' "$name" "$(num '[.parts[].placed] | add' "$r")" \
    "$secs" "$(num .sheet_count "$r")" \
    "$(jq -r --argjson w "$w" --argjson h "$h" '([.parts[] | .placed * .area_mm2] | add)
      / (($w - 2 * .margin_mm) * ($h - 2 * .margin_mm)) | ceil' "$r")" \
    "$(num '.utilization * 100' "$r")" "$(num '.sheets[-1].used_length_mm' "$r")" \
    "$(jq -r .validation "$r")"
done <<'EOF'
x2-free-3000x1500 3000x1500 60 --qty 2 --rotations free --mirror
x1-90deg-2500x1250 2500x1250 30 --qty 1 --rotations 90
EOF
echo
echo "## cancel latency (seed $seed)"
printf '%-30s %9s %11s %8s\n' instance cancel_s latency_ms placed
# name  instance  cancel-after  extra flags
while read -r name inst after extra; do
  dir="$out_dir/cancel-$name-$after"
  # shellcheck disable=SC2086 # $extra holds several flags
  "$bin" bench "$inst_dir/$inst" --time 60 --seed "$seed" --cancel-after "$after" $extra \
    --out "$dir" >/dev/null || true
  r="$dir/result.json"
  printf '%-30s %9s %11s %8s\n' "$name" "$after" "$(num .cancel_latency_ms "$r")" \
    "$(num .placed "$r")/$(num .total "$r")"
done <<'EOF'
shapes0x24-100x40 shapes0.json 0.2 --sheet 100x40 --copies 24
shapes0x24-100x40 shapes0.json 10 --sheet 100x40 --copies 24
swim-strip swim.json 10
swim_c-during-conversion swim_c.json 0.02
baldacci1-during-conversion bin/baldacci1.json 0.2
baldacci1-restarts bin/baldacci1.json 10
EOF
echo "results: $out_dir"
