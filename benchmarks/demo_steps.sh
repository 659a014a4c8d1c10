#!/usr/bin/env bash
# Time `make demo` without its final `serve`: run each step `make -n demo` prints, from scratch (./var removed),
# and print each step's seconds and the total. Usage: benchmarks/demo_steps.sh [LOG]
set -euo pipefail
cd "$(dirname "$0")/.."
log=${1:-/dev/stdout}
rm -rf var
mapfile -t steps < <(make -n demo | grep -v -e 'serve' -e '^echo ')
total_start=$(date +%s.%N)
for step in "${steps[@]}"; do
  start=$(date +%s.%N)
  bash -c "$step" > /tmp/demo-step.$$ 2>&1 || { cat /tmp/demo-step.$$; echo "FAILED: $step"; exit 1; }
  end=$(date +%s.%N)
  name=$(sed -E 's/.*\.venv\/bin\/tepat ([a-z-]+).*/\1/' <<<"$step")
  printf '%-22s %7.1f s  (load %s)\n' "$name" "$(bc <<<"$end - $start")" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
done
printf '%-22s %7.1f s\n' "total" "$(bc <<<"$(date +%s.%N) - $total_start")" >> "$log"
rm -f /tmp/demo-step.$$
