#!/usr/bin/env bash
# `npm run test:compose`: the compose `test` profile for real on a machine with
# no container registry: every image built from the offline stand-ins
# (scripts/docker/), the whole stack in containers, the e2e suite run by the
# `tests` container through nginx. In order:
#
#   1/6 engine       the Docker engine that answers; if none, start one (scripts/docker/dockerd.sh)
#   2/6 base images  build the gatehouse-local/* stand-ins that are missing or stale
#   3/6 secrets      `npm run secrets` (existing files are kept; .data/ is git-ignored)
#   4/6 build        compose build of every image of the test profile
#   5/6 run          compose up --abort-on-container-exit --exit-code-from tests, two replicas
#                    of auth, web and mirror (docker-compose.replicas.yml, --scale): the suite,
#                    then the kill test (e2e/replicas/: three rounds, seed and kill times printed)
#   6/6 cleanup      always, also after a failure, a timeout or Ctrl-C: keep the logs,
#                    compose down -v --remove-orphans, remove dangling images, and stop
#                    the engine if step 1 started it
#
# Steps 4 and 5 together are the README's `up --build …`, split so that each has
# its own time limit and timing. Exit status: the tests container's (the suite's
# result), or 2 when the run failed before the suite could give one; the step,
# and the service when one failed, are named.
#
# Each run is its own compose project (gatehouse-test-<pid>) with its own image
# tag, so concurrent runs do not meet; host ports are random, on 127.0.0.1. The
# images stay afterwards as gatehouse/*:test, the next run's build cache (your
# gatehouse/*:latest is never touched).
#
# Environment:
#   GATEHOUSE_COMPOSE                compose command (default `docker compose` if present, else docker-compose)
#   GATEHOUSE_COMPOSE_BREAK          env | healthcheck | hang: add scripts/docker/break/<name>.yml, a
#                                    deliberately broken stack, to check that the run fails naming the service
#   GATEHOUSE_COMPOSE_UP_TIMEOUT     seconds for step 5 (default 1200)
#   GATEHOUSE_COMPOSE_BUILD_TIMEOUT  seconds for step 4 (default 1800)
#   GATEHOUSE_BASE_TIMEOUT           seconds for step 2 (default 1200)
#   GATEHOUSE_BASE_REBUILD=1         rebuild the base images from a fresh debootstrap
#   GATEHOUSE_COMPOSE_REPLICAS       replicas of auth, web and mirror (default 2, with the kill test; 1: neither)
#   GATEHOUSE_KILL_SEED              the kill test's seed, to replay a failed run (printed by every run)
#   GATEHOUSE_KILL_ROUNDS            the kill test's rounds (default 3)
# Kept in test-results/compose/: each service's whole log, the build log, the suite's screenshots,
# the engine's container events.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

project=gatehouse-test-$$
run_tag=run-$$
results=test-results/compose
up_timeout=${GATEHOUSE_COMPOSE_UP_TIMEOUT:-1200}
# Each about ten times what it takes on a cold machine; together (70 min) well
# inside CI's 90-minute limit with npm ci and npm test before them.
build_timeout=${GATEHOUSE_COMPOSE_BUILD_TIMEOUT:-1800}
base_timeout=${GATEHOUSE_BASE_TIMEOUT:-1200}
# A service that exits on its own this often while the stack starts is in a crash
# loop: compose would wait for it to turn healthy until the time limit.
crash_limit=3
log_tail=60

steps=(engine "base images" secrets build run cleanup)
step_no=0
step_name=
step_started=0
timings=()
run_started=${EPOCHREALTIME//[!0-9]/}
exit_code=2
child=          # the long-running command in the background (so that signals are handled at once)
events_pid=
events_file=
started_engine=
touched_project=
interrupted=

say() { printf '[test-compose] %s\n' "$*" >&2; }
join() { local out=${1:-}; shift || true; for part; do out+=", $part"; done; printf '%s' "$out"; }
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
duration() { # microseconds -> 4.2s / 3m07s
  local s=$(($1 / 1000000))
  if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%d.%ds' "$s" $(($1 / 100000 % 10)); fi
}
step() {
  step_no=$1
  step_name=${steps[$1 - 1]}
  step_started=$(now_us)
  say "$step_no/${#steps[@]} $step_name …"
}
step_ok() {
  local took
  took=$(duration $(($(now_us) - step_started)))
  timings+=("$step_name $took")
  say "$step_no/${#steps[@]} $step_name: ok ($took)${1:+ · $1}"
}
# Ends the run at the current step; the EXIT trap cleans up.
fail() { # message [exit code]
  local took
  took=$(duration $(($(now_us) - step_started)))
  timings+=("$step_name $took (failed)")
  say "FAILED at step $step_no/${#steps[@]} ($step_name): $1"
  exit_code=${2:-2}
  exit "$exit_code"
}

# Runs a command in the background under a time limit and waits for it, so that
# Ctrl-C is handled at once (bash runs traps only between foreground commands).
# Status: the command's; 124 when the time limit ended it.
bounded() { # seconds command...
  timeout --kill-after=30 "$1" "${@:2}" &
  child=$!
  wait "$child"
  local status=$?
  child=
  return "$status"
}

stop_child() {
  [[ -n $child ]] && kill -0 "$child" 2>/dev/null || return 0
  kill -TERM "$child" 2>/dev/null
  local waited=0
  while kill -0 "$child" 2>/dev/null && ((waited < 60)); do sleep 1; waited=$((waited + 1)); done
  kill -KILL "$child" 2>/dev/null
  wait "$child" 2>/dev/null
  child=
}

on_signal() {
  interrupted=1
  say "interrupted during step $step_no/${#steps[@]} ($step_name); cleaning up (bounded, a few seconds to a few minutes)"
  trap '' INT TERM
  stop_child
  exit_code=130
  exit 130
}
trap on_signal INT TERM
trap cleanup EXIT

compose() { "${compose_cmd[@]}" "$@"; }

# --- what happened to the project's containers, from the engine's events -----

# Lines "event|container id|service|exit code|signal", recorded while the stack runs.
start_events() {
  events_file=$(mktemp)
  docker events --since "$(date +%s)" --filter type=container \
    --filter "label=com.docker.compose.project=$project" \
    --filter event=start --filter event=die --filter event=kill --filter event=health_status \
    --format '{{.Status}}|{{.ID}}|{{index .Actor.Attributes "com.docker.compose.service"}}|{{index .Actor.Attributes "exitCode"}}|{{index .Actor.Attributes "signal"}}' \
    >"$events_file" 2>/dev/null &
  events_pid=$!
}

# One line per service that failed on its own: "service|what happened". A container
# that was stopped (a kill event before its death) did not fail; tests is judged apart.
failed_services() {
  [[ -s ${events_file:-} ]] || return 0
  awk -F'|' '
    $3 == "tests" { next }
    $1 == "kill" { killed[$2] = 1; next }
    $1 == "start" { killed[$2] = 0; next }
    $1 == "die" && !killed[$2] && $4 != "0" {
      if (!($3 in crashes)) order[++n] = $3
      crashes[$3]++; code[$3] = $4; next
    }
    $1 ~ /^health_status: unhealthy/ {
      if (!($3 in crashes) && !($3 in unhealthy)) order[++n] = $3
      unhealthy[$3] = 1
    }
    END {
      for (i = 1; i <= n; i++) {
        s = order[i]; what = ""
        if (s in crashes) what = sprintf("exited with code %s%s", code[s], crashes[s] > 1 ? sprintf(" (%d times, restarted by its restart policy)", crashes[s]) : "")
        if (s in unhealthy) what = what (what ? "; " : "") "unhealthy (its healthcheck failed)"
        print s "|" what
      }
    }' "$events_file"
}

# The highest number of times one service has crashed so far.
crash_count() {
  [[ -s ${events_file:-} ]] || { echo 0; return; }
  awk -F'|' '$3 != "tests" && $1 == "kill" { k[$2] = 1 } $1 == "start" { k[$2] = 0 }
    $3 != "tests" && $1 == "die" && !k[$2] && $4 != "0" { c[$3]++; if (c[$3] > m) m = c[$3] }
    END { print m + 0 }' "$events_file"
}

# The suite's exit code when the tests container ended on its own; empty otherwise.
suite_result() {
  [[ -s ${events_file:-} ]] || return 0
  awk -F'|' '$3 == "tests" && $1 == "kill" { k = 1 } $3 == "tests" && $1 == "die" && !k { r = $4 } END { if (r != "") print r }' "$events_file"
}

# Services whose container is not running and healthy now (for a run that timed out).
not_ready_services() {
  local id line
  for id in $(docker ps -aq --filter "label=com.docker.compose.project=$project"); do
    line=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id" 2>/dev/null) || continue
    IFS='|' read -r service state health <<<"$line"
    [[ $service == tests ]] && continue
    if [[ $state != running ]]; then echo "$service|$state (never started, or stopped)"
    elif [[ -n $health && $health != healthy ]]; then echo "$service|still $health after ${up_timeout}s (its healthcheck has not passed)"
    fi
  done
}

# The healthcheck of a service's container and what its last probe said.
print_healthcheck() { # service
  local id
  id=$(docker ps -aq --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1" | head -n 1)
  [[ -n $id ]] || return 0
  say "$1's healthcheck: $(docker inspect -f '{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}' "$id" 2>/dev/null)"
  local last
  last=$(docker inspect -f '{{if .State.Health}}{{range .State.Health.Log}}exit {{.ExitCode}}: {{.Output}}{{"\x1f"}}{{end}}{{end}}' "$id" 2>/dev/null | tr '\n\037' ' \n' | grep -v '^[[:space:]]*$' | tail -n 1)
  last=${last%"${last##*[![:space:]]}"}
  [[ $last == *: ]] && last="$last (no output)"
  [[ -n $last ]] && say "its last probe: ${last:0:300}"
}

print_service_log() { # service
  say "last $log_tail lines of $1's log (all of it: less $results/logs/$1.log):"
  compose logs --no-color --tail="$log_tail" "$1" 2>&1 | sed 's/^/    /' >&2
}

save_logs() {
  mkdir -p "$results/logs"
  local service
  for service in $(compose config --services 2>/dev/null); do
    compose logs --no-color "$service" >"$results/logs/$service.log" 2>&1
  done
  # The suite's screenshots and files, from the (stopped) tests container.
  local tests_id
  tests_id=$(docker ps -aq --filter "label=com.docker.compose.project=$project" --filter label=com.docker.compose.service=tests | head -n 1)
  if [[ -n $tests_id ]]; then
    rm -rf "$results/e2e"
    docker cp "$tests_id:/app/test-results/e2e" "$results/e2e" >/dev/null 2>&1 || true
  fi
}

# --- cleanup: always --------------------------------------------------------

cleanup() {
  exit_code=$?
  trap '' INT TERM
  stop_child
  [[ -n $events_pid ]] && kill "$events_pid" 2>/dev/null
  step 6
  local notes=()
  if [[ -n $touched_project ]]; then
    if ! bounded 180 "${compose_cmd[@]}" down -v --remove-orphans >/dev/null 2>"$results/down.log"; then
      say "compose down failed (see $results/down.log); removing the project's containers, volumes and networks directly"
      local label="label=com.docker.compose.project=$project"
      docker ps -aq --filter "$label" | xargs -r docker rm -f -v >/dev/null
      docker volume ls -q --filter "$label" | xargs -r docker volume rm >/dev/null
      docker network ls -q --filter "$label" | xargs -r docker network rm >/dev/null
    fi
    local left
    left=$(docker ps -aq --filter "label=com.docker.compose.project=$project" | wc -l)
    ((left == 0)) || say "WARNING: $left container(s) of $project are still there"
    notes+=("project $project removed with its volumes")
    # Keep this run's images as gatehouse/*:test (the next run's build cache); the
    # images they replace become dangling and are pruned below.
    local image
    for image in $(docker images --filter "reference=gatehouse/*:$run_tag" --format '{{.Repository}}'); do
      docker tag "$image:$run_tag" "$image:test" && docker rmi "$image:$run_tag" >/dev/null
    done
    # Dangling images: superseded builds, and stage results no tag holds on to
    # (the classic builder's cache). Those this run's build used are the next
    # run's cache and stay; the rest go. (Under BuildKit the build log names no
    # image ids, so every dangling image goes, as with `docker image prune`.)
    local used id removed=0 kept=0
    used=$(grep -aoE '^ ---> [0-9a-f]{12}$' "$results/build.log" 2>/dev/null | awk '{ print $2 }' | sort -u)
    for id in $(docker images -q --filter dangling=true); do
      if grep -qx "$id" <<<"$used"; then kept=$((kept + 1)); continue; fi
      docker rmi "$id" >/dev/null 2>&1 && removed=$((removed + 1))
    done
    notes+=("dangling images: $removed removed, $kept kept as build cache")
  fi
  # What the engine saw (start, kill, die, health) — how the failure verdicts were reached.
  [[ -n $events_file ]] && mv -f "$events_file" "$results/events.log"
  if [[ -n $started_engine ]]; then
    GATEHOUSE_DOCKERD_PID=$started_engine scripts/docker/dockerd.sh stop && notes+=("dockerd $started_engine stopped")
  fi
  step_ok "$(join "${notes[@]}")"
  local total verdict
  total=$(duration $(($(now_us) - run_started)))
  if [[ -n $interrupted ]]; then verdict="interrupted"
  elif ((exit_code == 0)); then verdict="passed"
  else verdict="FAILED (exit $exit_code)"; fi
  say "$verdict in $total: $(join "${timings[@]}")"
  exit "$exit_code"
}

# --- 1. engine -------------------------------------------------------------------

rm -rf "$results" && mkdir -p "$results"
step 1
if docker info >/dev/null 2>&1; then
  engine_note="engine answering at ${DOCKER_HOST:-the default socket}"
else
  unset GATEHOUSE_DOCKERD_PID
  exports=$(scripts/docker/dockerd.sh start) || fail "no Docker engine answers, and scripts/docker/dockerd.sh could not start one (see above)"
  eval "$exports"
  started_engine=${GATEHOUSE_DOCKERD_PID:-}
  engine_note="engine at $DOCKER_HOST${started_engine:+ (started: dockerd pid $started_engine, stopped at the end)}"
fi
export DOCKER_HOST
if [[ -n ${GATEHOUSE_COMPOSE:-} ]]; then
  read -ra compose_base <<<"$GATEHOUSE_COMPOSE"
elif docker compose version >/dev/null 2>&1; then
  compose_base=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose_base=(docker-compose)
else
  fail "neither \`docker compose\` (Compose v2) nor docker-compose is installed (apt-get install docker-compose)"
fi
compose_files=(-f docker-compose.yml -f docker-compose.offline.yml)
replicas=${GATEHOUSE_COMPOSE_REPLICAS:-2}
scale=()
if ((replicas > 1)); then
  compose_files+=(-f docker-compose.replicas.yml)
  for service in auth web mirror; do scale+=(--scale "$service=$replicas"); done
  # The kill test in the tests container reaches the engine through its socket.
  socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
  socket=${socket#unix://}
  [[ -S $socket ]] || fail "the kill test needs the engine's unix socket; DOCKER_HOST is ${DOCKER_HOST:-unset} (GATEHOUSE_COMPOSE_REPLICAS=1 runs without it)"
  export GATEHOUSE_DOCKER_SOCKET=$socket GATEHOUSE_DOCKER_GID
  GATEHOUSE_DOCKER_GID=$(stat -c %g "$socket")
  export GATEHOUSE_COMPOSE_PROJECT=$project
fi
if [[ -n ${GATEHOUSE_COMPOSE_BREAK:-} ]]; then
  break_file=scripts/docker/break/$GATEHOUSE_COMPOSE_BREAK.yml
  [[ -f $break_file ]] || fail "GATEHOUSE_COMPOSE_BREAK=$GATEHOUSE_COMPOSE_BREAK: no $break_file (there are: $(cd scripts/docker/break && ls -- *.yml | sed 's/\.yml$//' | tr '\n' ' '))"
  compose_files+=(-f "$break_file")
  say "GATEHOUSE_COMPOSE_BREAK=$GATEHOUSE_COMPOSE_BREAK: a deliberately broken stack ($break_file); this run must fail"
fi
compose_cmd=("${compose_base[@]}" -p "$project" "${compose_files[@]}" --profile test)
compose_version=$("${compose_base[@]}" version --short 2>/dev/null || true)
step_ok "$engine_note; Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null); ${compose_base[*]} ${compose_version}; $replicas replica(s) of auth, web and mirror"

# What compose reads from the environment, fixed for this run.
export GATEHOUSE_TAG=$run_tag
# The version the mirror names in what it pushes (the image has no .git).
GATEHOUSE_COMMIT=$(git rev-parse HEAD 2>/dev/null || true)
export GATEHOUSE_COMMIT
export GATEWAY_PORT=127.0.0.1:0 MAIL_WEB_PORT=127.0.0.1:0
# Break files null a variable to remove it; the shell must not fill it back in.
unset SESSION_SECRET_FILE COMPOSE_PROFILES COMPOSE_FILE COMPOSE_PROJECT_NAME

# --- 2. base images ----------------------------------------------------------------

step 2
bounded "$base_timeout" scripts/docker/build-base-images.sh
status=$?
((status == 124)) && fail "building the base images took longer than ${base_timeout}s (GATEHOUSE_BASE_TIMEOUT); the build logs are in /var/cache/gatehouse-docker/logs/"
((status == 0)) || fail "scripts/docker/build-base-images.sh exited $status (its messages are above)"
step_ok

# --- 3. secrets -------------------------------------------------------------------

step 3
bounded 120 npm run --silent secrets >"$results/secrets.log" 2>&1 || { cat "$results/secrets.log" >&2; fail "npm run secrets failed"; }
step_ok "$(grep -c 'created' "$results/secrets.log") created, $(grep -c 'kept' "$results/secrets.log") kept, in ${GATEHOUSE_SECRETS_DIR:-.data/compose-secrets}"

# --- 4. build -----------------------------------------------------------------------

step 4
touched_project=1
bounded "$build_timeout" "${compose_cmd[@]}" build > >(tee "$results/build.log") 2>&1
status=$?
if ((status != 0)); then
  sleep 1 # tee may still be writing the last lines
  failed_build=$(grep -oE "Service '[^']+' failed to build|target [a-z0-9_-]+: failed" "$results/build.log" | head -n 1)
  ((status == 124)) && fail "the images took longer than ${build_timeout}s to build (GATEHOUSE_COMPOSE_BUILD_TIMEOUT); the output is in $results/build.log"
  fail "compose build exited $status${failed_build:+: $failed_build}; the output is above and in $results/build.log"
fi
step_ok "$(docker images --filter "reference=gatehouse/*:$run_tag" --format '{{.Repository}}' | sort | tr '\n' ' ')"

# --- 5. run ----------------------------------------------------------------------------

step 5
say "the suite's output follows; every service's log goes to $results/logs/ (the tails of a failed one are shown)"
start_events
# Only the tests container is attached: the services' logs would drown the suite's.
"${compose_cmd[@]}" up --no-build --abort-on-container-exit --exit-code-from tests "${scale[@]}" tests &
child=$!
deadline=$((SECONDS + up_timeout))
outcome=exited
while kill -0 "$child" 2>/dev/null; do
  if ((SECONDS >= deadline)); then outcome=timeout; break; fi
  if (($(crash_count) >= crash_limit)); then outcome=crash-loop; break; fi
  sleep 1
done
if [[ $outcome == exited ]]; then
  wait "$child"
  up_status=$?
  child=
else
  up_status=
fi

failures=$(failed_services)
if [[ $outcome == timeout ]]; then
  failures=$( { echo "$failures"; not_ready_services; } | awk -F'|' 'NF && !seen[$1]++')
fi
# Logs first: a timed-out run is still up, and stopping it adds noise.
save_logs
suite=$(suite_result)
if [[ -n $failures || $outcome != exited || $suite != 0 ]]; then
  say "compose ps:"
  compose ps 2>&1 | sed 's/^/    /' >&2
fi
stop_child

if [[ -n $failures ]]; then
  while IFS='|' read -r service what; do
    say "service $service: $what"
    [[ $what == *health* ]] && print_healthcheck "$service"
    print_service_log "$service"
  done <<<"$failures"
  names=$(cut -d'|' -f1 <<<"$failures" | paste -sd, - | sed 's/,/, /g')
  verdicts=$(awk -F'|' '{ printf "%s%s: %s", (NR > 1 ? "; " : ""), $1, $2 }' <<<"$failures")
  case $outcome in
    timeout) fail "no result after ${up_timeout}s (GATEHOUSE_COMPOSE_UP_TIMEOUT); not ready: $names" ;;
    crash-loop) fail "$names kept crashing at start-up ($verdicts); the log is above" ;;
  esac
  if [[ -n $suite && $suite != 0 ]]; then fail "the suite failed (exit $suite), and while it ran: $verdicts" "$suite"; fi
  fail "$verdicts${suite:+ (the suite itself passed)}; the log is above"
fi
if [[ $outcome == timeout ]]; then
  fail "no result after ${up_timeout}s (GATEHOUSE_COMPOSE_UP_TIMEOUT), and no service reported a failure; see the logs in $results/logs/"
fi
if [[ -z $suite ]]; then
  fail "compose up exited ${up_status:-?} before the suite ran to its end (its message is above)"
fi
if [[ $suite != 0 ]]; then
  for service in $(compose config --services 2>/dev/null); do
    [[ $service == tests ]] || print_service_log "$service"
  done
  screenshots=$(ls "$results/e2e"/*.png 2>/dev/null | wc -l)
  fail "the e2e suite failed (tests exited $suite); its output is above, screenshots ($screenshots) in $results/e2e/" "$suite"
fi
exit_code=0
step_ok "the e2e suite passed; screenshots in $results/e2e/"
exit 0
