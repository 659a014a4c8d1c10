#!/usr/bin/env bash
# Time `make demo` without its final `serve`: each step `make -n demo` prints, from scratch (./var removed), with
# each step's seconds, the load average after it, and the total.
#   benchmarks/demo_steps.sh [LOG]             the steps as they are
#   benchmarks/demo_steps.sh --baseline [LOG]  first without `demo-workflow` (the steps before it existed), then all
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=0
if [[ ${1:-} == --baseline ]]; then baseline=1; shift; fi
log=${1:-/dev/stdout}

run() {  # $1: a step to leave out ("" for none)
  rm -rf var
  mapfile -t steps < <(make -n demo | grep -v -e 'serve' -e '^echo ')
  echo "== $(date -u +%FT%TZ) $([[ -n $1 ]] && echo "without $1" || echo "all steps"), load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
  local total_start start end name
  total_start=$(date +%s.%N)
  for step in "${steps[@]}"; do
    name=$(sed -E 's/.*\.venv\/bin\/tepat ([a-z-]+).*/\1/' <<<"$step")
    [[ -n $1 && $name == "$1" ]] && continue
    start=$(date +%s.%N)
    bash -c "$step" > /tmp/demo-step.$$ 2>&1 || { cat /tmp/demo-step.$$; echo "FAILED: $step"; exit 1; }
    end=$(date +%s.%N)
    printf '%-22s %7.1f s  (load %s)\n' "$name" "$(bc <<<"$end - $start")" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
  done
  printf '%-22s %7.1f s\n' "total" "$(bc <<<"$(date +%s.%N) - $total_start")" >> "$log"
  rm -f /tmp/demo-step.$$
}

if (( baseline )); then run demo-workflow; fi
run ""
