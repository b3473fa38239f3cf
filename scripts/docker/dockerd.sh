#!/usr/bin/env bash
# Start/stop a private Docker engine for Gatehouse on machines without systemd.
#
# Contract:
#   eval "$(scripts/docker/dockerd.sh start)"   # prints export lines on stdout:
#                                               #   export DOCKER_HOST=unix:///...
#                                               #   export GATEHOUSE_DOCKERD_PID=<pid>  (only when
#                                               #     this call launched dockerd)
#   scripts/docker/dockerd.sh stop              # stops the engine only if `start` launched it;
#                                               # with GATEHOUSE_DOCKERD_PID set, only that one
#   scripts/docker/dockerd.sh status            # exit 0 if an engine answers at DOCKER_HOST
# All progress and errors go to stderr, so stdout is always safe to eval.
# Exit status is non-zero (and stdout empty) when no engine could be made reachable.
#
# `start` uses DOCKER_HOST if it is set (e.g. a developer's own engine), otherwise
# unix:///var/run/gatehouse-docker/docker.sock. It launches dockerd only when nothing
# answers there; the engine is left running after the caller exits so that later runs
# reuse its images. State lives outside the clone (data-root /var/lib/gatehouse-docker)
# for the same reason. Needs root (dockerd does).
#
# Overridable: GATEHOUSE_DOCKER_RUN (socket, pid, log dir), GATEHOUSE_DOCKER_DATA (data-root),
# GATEHOUSE_DOCKERD_TIMEOUT (seconds to wait for the engine, default 60).
set -euo pipefail

run_dir=${GATEHOUSE_DOCKER_RUN:-/var/run/gatehouse-docker}
data_root=${GATEHOUSE_DOCKER_DATA:-/var/lib/gatehouse-docker}
timeout=${GATEHOUSE_DOCKERD_TIMEOUT:-60}
export DOCKER_HOST=${DOCKER_HOST:-unix://$run_dir/docker.sock}
# Written by us only when we launched dockerd: `stop` must never kill an engine it didn't start.
started_pid_file=$run_dir/started-by-gatehouse.pid
log_file=$run_dir/dockerd.log

log() { echo "[dockerd] $*" >&2; }
engine_up() { docker info >/dev/null 2>&1; }

is_our_dockerd() { # pid -> true if that process is still a dockerd
  [[ -n $1 && -r /proc/$1/comm && $(cat "/proc/$1/comm") == dockerd ]]
}

start() {
  if engine_up; then
    log "engine already answering at $DOCKER_HOST"
    echo "export DOCKER_HOST=$DOCKER_HOST"
    return
  fi
  if [[ $DOCKER_HOST != unix://* ]]; then
    log "no engine at $DOCKER_HOST and it is not a local socket we could start one on"
    exit 1
  fi
  command -v dockerd >/dev/null || { log "dockerd not installed (apt-get install docker.io)"; exit 1; }
  local sock=${DOCKER_HOST#unix://}
  mkdir -p "$run_dir" "$data_root" "$(dirname "$sock")"
  # A stale socket from a killed engine makes dockerd refuse to start.
  [[ -S $sock ]] && rm -f "$sock"

  log "starting dockerd (socket $sock, data-root $data_root, log $log_file)"
  # setsid+nohup: detach from the caller's session so the engine outlives the calling script.
  # cgroupfs driver: there is no systemd to delegate cgroups to.
  setsid nohup dockerd \
    --host "unix://$sock" \
    --data-root "$data_root" \
    --exec-root "$run_dir/exec" \
    --pidfile "$run_dir/dockerd.pid" \
    --exec-opt native.cgroupdriver=cgroupfs \
    >>"$log_file" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$started_pid_file"

  local waited=0
  until engine_up; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd exited during start-up; last lines of $log_file:"
      tail -n 20 "$log_file" >&2
      rm -f "$started_pid_file"
      exit 1
    fi
    if (( waited >= timeout )); then
      log "engine did not answer within ${timeout}s; see $log_file (dockerd pid $pid left running)"
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "engine up after ${waited}s (pid $pid)"
  echo "export DOCKER_HOST=$DOCKER_HOST"
  echo "export GATEHOUSE_DOCKERD_PID=$pid"
}

stop() {
  local pid
  pid=$(cat "$started_pid_file" 2>/dev/null || true)
  if ! is_our_dockerd "$pid"; then
    log "no dockerd started by this script is running; nothing to stop"
    rm -f "$started_pid_file"
    return
  fi
  # A caller that launched the engine names its pid: an engine started later by someone else
  # (after ours was stopped and the pid file rewritten) is not the caller's to stop.
  if [[ -n ${GATEHOUSE_DOCKERD_PID:-} && $GATEHOUSE_DOCKERD_PID != "$pid" ]]; then
    log "dockerd pid $pid was not started by this caller (pid $GATEHOUSE_DOCKERD_PID); leaving it"
    return
  fi
  log "stopping dockerd pid $pid"
  kill -TERM "$pid"
  # dockerd gives running containers their stop timeout before exiting, so allow more than that.
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= timeout )); then
      log "dockerd pid $pid still running after ${timeout}s; see $log_file"
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$started_pid_file"
  log "stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) engine_up ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
