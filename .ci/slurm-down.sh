#!/usr/bin/env bash
# Stops the daemons .ci/slurm-up.sh started, by the PIDs in their pid files (never by name).
#   usage: .ci/slurm-down.sh FOLDER
set -uo pipefail
dir=${1:?usage: slurm-down.sh FOLDER}
for f in slurmd slurmctld munge/munged; do
  pidfile="$dir/$f.pid"
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  echo "stopped $f (pid $pid)" >&2
done
