# shellcheck shell=bash
# Sourced by .ci/run: the Python virtualenv that test/bi/docs-commands.test.ts uses to run the
# code of docs/connect/python.md verbatim (psycopg 3 over pgwire, PyAthena over the Athena API).
#
#   source .ci/python-docs.sh   # creates .ci/cache/venv-docs if missing or pinned differently
#
# Exports RUNLAKE_TEST_VENV_DOCS=.ci/cache/venv-docs (the test's default path too). With CI set,
# the test fails (never skips) when the venv is missing.
#
# Idempotent and fast when already installed: the venv is rebuilt only when its stamp file (the
# pinned requirement list) differs from the pins below or its python no longer runs. Downloads
# are cached in .ci/cache/pip. Returns non-zero (so `set -e` in .ci/run stops) on failure.

RUNLAKE_PY_PINS_DOCS=('psycopg[binary]==3.3.9' 'PyAthena==4.2.1')

runlake_python_docs_setup() {
  local root dir stamp want
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="$root/.ci/cache/venv-docs"
  stamp="$dir/runlake-pins.txt"
  want="$(printf '%s\n' "${RUNLAKE_PY_PINS_DOCS[@]}")"
  mkdir -p "$root/.ci/cache"
  command -v python3 >/dev/null 2>&1 || { echo "ci/python-docs: python3 is not installed" >&2; return 1; }
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      echo "ci/python-docs: installing python3-venv" >&2
      apt-get update -qq >&2 || return 1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null || return 1
    fi
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || { echo "ci/python-docs: python3 has no venv/ensurepip module" >&2; return 1; }
  fi
  if ! { [[ -x "$dir/bin/python" ]] && "$dir/bin/python" -c 'import sys' >/dev/null 2>&1 \
         && [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }; then
    echo "ci/python-docs: creating $dir (${RUNLAKE_PY_PINS_DOCS[*]})" >&2
    rm -rf "$dir"
    python3 -m venv "$dir" >&2 || return 1
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --cache-dir "$root/.ci/cache/pip" "${RUNLAKE_PY_PINS_DOCS[@]}" >&2 \
      || { echo "ci/python-docs: pip install into $dir failed" >&2; return 1; }
    printf '%s\n' "$want" >"$stamp"
  fi
  export RUNLAKE_TEST_VENV_DOCS="$dir"
  echo "ci/python-docs: venv ready: $RUNLAKE_TEST_VENV_DOCS" >&2
}

runlake_python_docs_setup
