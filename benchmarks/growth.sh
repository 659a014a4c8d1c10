#!/usr/bin/env bash
# Issue 15.6: how import, duplicates, determination and eligibility grow from 1M to 3M (and 5M) individuals.
# Runs the existing benchmarks one after another, each bounded by `timeout`, with `uptime` before and after
# each run (the machine is shared). Usage:
#   benchmarks/growth.sh OUTDIR [SIZES...]        SIZES in millions of individuals, default "1 3"
# PostgreSQL database: tepat_bench_${BRANCH:-growth} (dropped and created by each benchmark).
# Figures of record and how to read them: docs/BENCHMARKS.md, "Issue 15.6".
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?outdir}; shift
SIZES=${*:-1 3}
DB=tepat_bench_${BRANCH:-growth}
PY=.venv/bin/python
mkdir -p "$OUT"
run() {  # name millions timeout command...
    local name=$1 m=$2 limit=$3; shift 3
    local log="$OUT/${name}_${m}M.log"
    echo "== $name ${m}M: $(date -u +%H:%M:%S) $(uptime)" | tee -a "$OUT/summary.txt"
    /usr/bin/time -v timeout "$limit" "$@" >"$log" 2>"$log.err"
    local rc=$?
    echo "   rc=$rc wall=$(grep 'Elapsed (wall' "$log.err" | awk '{print $NF}') maxrss_kb=$(grep 'Maximum resident' "$log.err" | awk '{print $NF}') after: $(uptime)" | tee -a "$OUT/summary.txt"
}
for kind in import duplicates determination eligibility; do
    for m in $SIZES; do
        individuals=$((m * 1000000))
        families=$((m * 300000))
        limit=$((m * 900))
        case $kind in
            import) run import "$m" "$limit" $PY benchmarks/import_export.py --individuals "$individuals" \
                        --database postgres --pg-db "$DB" --import-only --workdir "$OUT/import_${m}M" ;;
            duplicates) run duplicates "$m" "$limit" $PY benchmarks/quality.py --individuals "$individuals" \
                        --skip-splink --work "$OUT/quality_${m}M" ;;
            determination) run determination "$m" "$limit" $PY benchmarks/determination.py --families "$families" \
                        --proposals 2000 --database postgres --pg-db "$DB" --workdir "$OUT/determination_${m}M" ;;
            eligibility) run eligibility "$m" "$limit" $PY benchmarks/eligibility.py --families "$families" \
                        --database postgres --db-name "$DB" --workdir "$OUT/eligibility_${m}M" ;;
        esac
        rm -rf "$OUT/import_${m}M"/*.csv "$OUT/quality_${m}M"/*.parquet 2>/dev/null
    done
done
psql -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
echo "== done $(date -u +%H:%M:%S) $(uptime)" | tee -a "$OUT/summary.txt"
