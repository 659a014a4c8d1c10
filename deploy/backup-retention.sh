#!/bin/sh
# Keep the newest backup of each of the last 14 days, of the last 8 Sundays and of each of the
# last 12 months (docs/OPERATIONS.md "Retention"); delete the rest. Usage: backup-retention.sh DIR
set -eu
DIR="${1:?backup directory}"
cd "$DIR"
ls -1 tepat-*.tbk 2>/dev/null | sort -r | awk '
  {
    day = substr($0, 7, 8)                       # YYYYMMDD from tepat-YYYYMMDDTHHMMSSZ.tbk
    month = substr(day, 1, 6)
    cmd = "date -u -d " day " +%u"; cmd | getline weekday; close(cmd)
    keep = 0
    if (!(day in days) && ndays < 14) { days[day] = 1; ndays++; keep = 1 }
    if (weekday == 7 && !(day in weeks) && nweeks < 8) { weeks[day] = 1; nweeks++; keep = 1 }
    if (!(month in months) && nmonths < 12) { months[month] = 1; nmonths++; first[month] = $0 }
    if (!keep) candidates[$0] = 1
  }
  END {
    for (m in first) delete candidates[first[m]]
    for (f in candidates) print f
  }' | while read -r old; do rm -f -- "$old"; done
