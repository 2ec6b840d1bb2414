# shellcheck shell=bash
# Sourced by .ci/run: Python virtualenvs with real PostgreSQL drivers for the Python client tests
# (test/pgwire/sqlalchemy.test.ts runs test/clients/python/sqlalchemy_probe.py under each).
#
#   source .ci/python.sh    # creates the venvs if missing or pinned differently, exports below
#
# Exports, read by test/pgwire/sqlalchemy.test.ts (which uses the same paths by default):
#   RUNLAKE_TEST_VENV_SA14   .ci/cache/venv-sa14: SQLAlchemy 1.4 + psycopg2-binary + psycopg 3
#   RUNLAKE_TEST_VENV_SA2    .ci/cache/venv-sa2:  SQLAlchemy 2.0 + psycopg2-binary + psycopg 3
# With CI set, those tests fail (never skip) when a venv is missing.
#
# Idempotent and fast when already installed: a venv is rebuilt only when its stamp file
# (the pinned requirement list) differs from the pins below or its python no longer runs.
# Downloads are cached in .ci/cache/pip. Returns non-zero (so `set -e` in .ci/run stops) when a
# venv cannot be built.

RUNLAKE_PY_PINS_COMMON=(psycopg2-binary==2.9.13 'psycopg[binary]==3.3.9')
RUNLAKE_PY_PINS_SA14=(SQLAlchemy==1.4.54 "${RUNLAKE_PY_PINS_COMMON[@]}")
RUNLAKE_PY_PINS_SA2=(SQLAlchemy==2.0.58 "${RUNLAKE_PY_PINS_COMMON[@]}")

runlake_python_ensure_venv_module() {
  if python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then return 0; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "ci/python: installing python3-venv" >&2
    apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null || return 1
  fi
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || { echo "ci/python: python3 has no venv/ensurepip module" >&2; return 1; }
}

# runlake_python_venv DIR PIN... — (re)creates DIR with exactly these pins unless its stamp matches.
runlake_python_venv() {
  local dir="$1"; shift
  local want stamp="$dir/runlake-pins.txt"
  want="$(printf '%s\n' "$@")"
  if [[ -x "$dir/bin/python" ]] && "$dir/bin/python" -c 'import sys' >/dev/null 2>&1 \
     && [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "ci/python: creating $dir ($*)" >&2
  rm -rf "$dir"
  python3 -m venv "$dir" >&2 || return 1
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --cache-dir "$RUNLAKE_PY_CACHE/pip" "$@" >&2 \
    || { echo "ci/python: pip install into $dir failed" >&2; return 1; }
  printf '%s\n' "$want" >"$stamp"
}

runlake_python_setup() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  RUNLAKE_PY_CACHE="$root/.ci/cache"
  mkdir -p "$RUNLAKE_PY_CACHE"
  command -v python3 >/dev/null 2>&1 || { echo "ci/python: python3 is not installed" >&2; return 1; }
  runlake_python_ensure_venv_module || return 1
  runlake_python_venv "$RUNLAKE_PY_CACHE/venv-sa14" "${RUNLAKE_PY_PINS_SA14[@]}" || return 1
  runlake_python_venv "$RUNLAKE_PY_CACHE/venv-sa2" "${RUNLAKE_PY_PINS_SA2[@]}" || return 1
  export RUNLAKE_TEST_VENV_SA14="$RUNLAKE_PY_CACHE/venv-sa14"
  export RUNLAKE_TEST_VENV_SA2="$RUNLAKE_PY_CACHE/venv-sa2"
  echo "ci/python: venvs ready: $RUNLAKE_TEST_VENV_SA14 $RUNLAKE_TEST_VENV_SA2" >&2
}

runlake_python_setup
