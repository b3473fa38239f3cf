#!/usr/bin/env bash
# Runs a command and reports its wall time and the peak of the summed RSS of
# all its processes (GNU time reports only the largest single process, and
# ava runs one process per test file).
#   scripts/peak-rss.sh npm test
set -uo pipefail
setsid "$@" &
leader=$!
peak=0
start=$(date +%s)
while kill -0 "$leader" 2>/dev/null; do
  total=$(ps -o rss= --sid "$leader" 2>/dev/null | awk '{s+=$1} END {print s+0}')
  [ "$total" -gt "$peak" ] && peak=$total
  sleep 0.5
done
wait "$leader"
code=$?
printf 'peak-rss: %d MB summed over all processes, %d s wall, exit %d\n' $((peak / 1024)) $(($(date +%s) - start)) "$code" >&2
exit "$code"
