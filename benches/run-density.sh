#!/usr/bin/env bash
# Runs the strip-packing benchmark set with `nestwork bench` and prints a
# table of our density next to sparrow's 60 s row from issue 7.
#
# Usage: benches/run-density.sh [SECONDS] [SEED] [INSTANCE_DIR] [OUT_DIR]
#   SECONDS       time per instance (default 60)
#   SEED          random seed (default 42)
#   INSTANCE_DIR  folder of the instance JSON files (default ../shared/bench/instances)
#   OUT_DIR       where result.json/layout.svg go, one folder per instance
#                 (default benches/results/run-<date>)
# Set THREADS to fix the worker count (default: every core).
set -euo pipefail

secs="${1:-60}"
seed="${2:-42}"
root="$(cd "$(dirname "$0")/.." && pwd)"
inst_dir="${3:-$root/../shared/bench/instances}"
out_dir="${4:-$root/benches/results/run-$(date -u +%Y%m%dT%H%M%SZ)}"
# Where cargo puts the build (honours CARGO_TARGET_DIR and .cargo/config, as an absolute path).
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
bin="$target_dir/release/nestwork"

# sparrow, 2-core machine, 60 s, seed 42 (issue 7). Untuned instances have no reference.
declare -A sparrow=(
  [albano]=87.88 [blaz1]=80.57 [dagli]=86.10 [fu]=91.45 [jakobs1]=89.07
  [marques]=90.27 [shapes0]=67.36 [shapes1]=73.79 [swim]=75.72
)
tuned=(albano blaz1 dagli fu jakobs1 marques shapes0 shapes1 swim)
untuned=(gardeyn0 gardeyn1 gardeyn4 swim_c)

if [[ ! -d "$inst_dir" ]]; then
  echo "instance folder $inst_dir not found; pass it as the third argument" >&2
  exit 2
fi
(cd "$root" && cargo build --release -p nestwork --locked >&2)
mkdir -p "$out_dir"

field() { # field NAME FILE -> the JSON number (or null)
  sed -n "s/^  \"$1\": \\([^,]*\\),\\{0,1\\}$/\\1/p" "$2" | head -n 1
}

printf '%-10s %9s %9s %8s %6s %8s %8s %s\n' instance ours_% sparrow_% diff valid threads rss_MiB load
for name in "${tuned[@]}" "${untuned[@]}"; do
  file="$inst_dir/$name.json"
  [[ -f "$file" ]] || { echo "$name: missing, skipped" >&2; continue; }
  dir="$out_dir/$name"
  args=(bench "$file" --time "$secs" --seed "$seed" --out "$dir")
  [[ -n "${THREADS:-}" ]] && args+=(--threads "$THREADS")
  "$bin" "${args[@]}" >/dev/null || true
  res="$dir/result.json"
  d=$(field density "$res")
  ours=$(awk -v d="$d" 'BEGIN { printf "%.2f", d * 100 }')
  ref="${sparrow[$name]:-}"
  diff=""
  [[ -n "$ref" ]] && diff=$(awk -v a="$ours" -v b="$ref" 'BEGIN { printf "%+.2f", a - b }')
  printf '%-10s %9s %9s %8s %6s %8s %8s %s\n' "$name" "$ours" "${ref:--}" "${diff:--}" \
    "$(field valid "$res")" "$(field threads "$res")" \
    "$(awk -v m="$(field peak_rss_mib "$res")" 'BEGIN { printf "%.0f", m }')" "$(field load_avg_1m "$res")"
done
echo "results: $out_dir (time ${secs} s, seed $seed)"
