# shellcheck shell=bash
# Sourced by .ci/run: the real Athena clients for test/athena/pyathena.test.ts and
# test/athena/jdbc.test.ts.
#
#   source .ci/athena.sh    # installs what is missing (cached under .ci/cache/), exports below
#
# - .ci/cache/venv-athena: boto3 + PyAthena with its pandas, arrow and SQLAlchemy extras (pinned
#   below; rebuilt only when the pins change or its python no longer runs).
# - The Athena JDBC driver. Amazon publishes the JDBC 3.x driver only as a download from its own
#   site, not to Maven Central, and this machine reaches only the package registries; so CI uses
#   the Amazon Athena JDBC driver that *is* on a registry: the Simba-built AthenaJDBC42 2.x driver
#   (the one Looker and Tableau ship) bundled in the PyAthenaJDBC wheel on PyPI. The wheel is
#   fetched once with pip (no install, no JPype) and the jar extracted to .ci/cache/jars/.
#   A 3.x driver you downloaded yourself is used too when RUNLAKE_ATHENA_JDBC3_JAR points at its
#   uber jar (athena-jdbc-3.x-with-dependencies.jar).
# - A JDK: `.ci/java.sh` installs it; this script only checks for java/javac/keytool and installs
#   default-jdk-headless when they are missing (so it also works when sourced on its own).
#
# Exports:
#   RUNLAKE_TEST_VENV_ATHENA     .ci/cache/venv-athena
#   RUNLAKE_ATHENA_JDBC2_JAR     .ci/cache/jars/AthenaJDBC42-pyathenajdbc-<v>.jar
# With CI set, both tests fail (never skip) when these are missing. Returns non-zero (so
# `set -e` in .ci/run stops) when something cannot be installed.

RUNLAKE_ATHENA_PY_PINS=(
  'PyAthena[pandas,arrow,sqlalchemy]==4.2.1'
  boto3==1.44.5
  botocore==1.44.5
  pandas==3.1.1
  pyarrow==26.0.1
  SQLAlchemy==2.0.58
)
# PyAthenaJDBC's wheel ships the Amazon Athena JDBC driver (AthenaJDBC42.jar, Simba 2.0.x).
RUNLAKE_ATHENA_JDBC2_WHEEL_VERSION=3.0.1

runlake_athena_python() {
  local root="$1" dir want stamp
  dir="$root/.ci/cache/venv-athena"
  stamp="$dir/runlake-pins.txt"
  want="$(printf '%s\n' "${RUNLAKE_ATHENA_PY_PINS[@]}")"
  if [[ -x "$dir/bin/python" ]] && "$dir/bin/python" -c 'import pyathena, pandas, pyarrow, sqlalchemy' >/dev/null 2>&1 \
     && [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || { echo "ci/athena: python3 is not installed" >&2; return 1; }
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || { echo "ci/athena: python3 has no venv module and there is no apt-get" >&2; return 1; }
    apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null || return 1
  fi
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || { echo "ci/athena: PyAthena 4 needs Python 3.11 or newer ($(python3 --version 2>&1))" >&2; return 1; }
  echo "ci/athena: creating $dir (${RUNLAKE_ATHENA_PY_PINS[*]})" >&2
  rm -rf "$dir"
  python3 -m venv "$dir" >&2 || return 1
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --cache-dir "$root/.ci/cache/pip" "${RUNLAKE_ATHENA_PY_PINS[@]}" >&2 \
    || { echo "ci/athena: pip install into $dir failed" >&2; return 1; }
  printf '%s\n' "$want" >"$stamp"
}

runlake_athena_jdbc() {
  local root="$1" jars jar wheel tmp tool
  jars="$root/.ci/cache/jars"
  jar="$jars/AthenaJDBC42-pyathenajdbc-$RUNLAKE_ATHENA_JDBC2_WHEEL_VERSION.jar"
  local need=()
  for tool in java javac keytool; do command -v "$tool" >/dev/null 2>&1 || need=(default-jdk-headless); done
  if ((${#need[@]})); then
    command -v apt-get >/dev/null 2>&1 || { echo "ci/athena: no JDK and no apt-get to install one" >&2; return 1; }
    echo "ci/athena: installing ${need[*]}" >&2
    apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || return 1
  fi
  if [[ ! -s "$jar" ]]; then
    echo "ci/athena: fetching the Athena JDBC driver (PyAthenaJDBC==$RUNLAKE_ATHENA_JDBC2_WHEEL_VERSION wheel)" >&2
    mkdir -p "$jars"
    tmp="$(mktemp -d)"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
      --cache-dir "$root/.ci/cache/pip" -d "$tmp" "PyAthenaJDBC==$RUNLAKE_ATHENA_JDBC2_WHEEL_VERSION" >&2 \
      || { rm -rf "$tmp"; echo "ci/athena: pip could not fetch PyAthenaJDBC" >&2; return 1; }
    wheel="$(ls "$tmp"/*.whl 2>/dev/null | head -n1)"
    python3 - "$wheel" "$jar" <<'PY' || { rm -rf "$tmp"; echo "ci/athena: no AthenaJDBC42.jar in the wheel" >&2; return 1; }
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2] + '.part', 'wb') as out:
    out.write(z.read('pyathenajdbc/AthenaJDBC42.jar'))
PY
    mv "$jar.part" "$jar"
    rm -rf "$tmp"
  fi
  export RUNLAKE_ATHENA_JDBC2_JAR="$jar"
}

runlake_athena_setup() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mkdir -p "$root/.ci/cache"
  runlake_athena_python "$root" || return 1
  export RUNLAKE_TEST_VENV_ATHENA="$root/.ci/cache/venv-athena"
  runlake_athena_jdbc "$root" || return 1
  echo "ci/athena: venv $RUNLAKE_TEST_VENV_ATHENA; Athena JDBC driver $RUNLAKE_ATHENA_JDBC2_JAR${RUNLAKE_ATHENA_JDBC3_JAR:+; 3.x driver $RUNLAKE_ATHENA_JDBC3_JAR}" >&2
}

runlake_athena_setup
