# shellcheck shell=bash
# Sourced by .ci/run: a JDK and the PostgreSQL JDBC driver (pgJDBC) for test/pgwire/jdbc.test.ts.
#
#   source .ci/java.sh      # installs what is missing, exports the variable below
#
# - javac missing → apt-get install default-jdk-headless (and maven when mvn is missing too).
# - The driver jar is fetched once with Maven into .ci/cache/jars/ (gitignored) and reused.
#
# Exports, read by test/pgwire/jdbc.test.ts:
#   RUNLAKE_PGJDBC_JAR   absolute path of postgresql-<version>.jar
# The test uses .ci/cache/jars/postgresql-42.7.14.jar when the variable is unset, and with CI set
# it fails (never skips) when java, javac or the jar are missing.
# Returns non-zero (so `set -e` in .ci/run stops) if the JDK or the jar cannot be installed.

runlake_java_setup() {
  local root version jars jar need=()
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  version="${RUNLAKE_PGJDBC_VERSION:-42.7.14}"
  jars="$root/.ci/cache/jars"
  jar="$jars/postgresql-$version.jar"

  command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
  if [[ ! -s "$jar" ]] && ! command -v mvn >/dev/null 2>&1; then need+=(maven); fi
  if ((${#need[@]})); then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "ci/java: missing ${need[*]} and no apt-get to install them" >&2
      return 1
    fi
    echo "ci/java: installing ${need[*]}" >&2
    apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || return 1
  fi

  if [[ ! -s "$jar" ]]; then
    echo "ci/java: fetching org.postgresql:postgresql:$version" >&2
    mkdir -p "$jars"
    mvn -q -B dependency:copy -Dartifact="org.postgresql:postgresql:$version" -DoutputDirectory="$jars" >&2 \
      || { echo "ci/java: could not fetch the pgJDBC jar with Maven" >&2; return 1; }
    [[ -s "$jar" ]] || { echo "ci/java: Maven ran but $jar is missing" >&2; return 1; }
  fi
  export RUNLAKE_PGJDBC_JAR="$jar"
  echo "ci/java: $(javac -version 2>&1), pgJDBC $version at $jar" >&2
}

runlake_java_setup
