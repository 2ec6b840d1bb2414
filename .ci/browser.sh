# shellcheck shell=bash
# Sourced (or run) by .ci/run: the browser the console tests drive (test/web/*.test.ts).
#
#   source .ci/browser.sh    # installs Debian's chromium when /usr/bin/chromium is missing
#
# Exports RUNLAKE_CHROMIUM (read by test/web/support/console.ts; default /usr/bin/chromium).
# The tests drive it with playwright-core (an npm dependency; it downloads no browser). With CI
# set, the browser tests fail (never skip) when the browser is missing.
# Idempotent and fast when chromium is already installed. Returns non-zero when it cannot install.

runlake_browser_ensure() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci/browser: /usr/bin/chromium is missing and apt-get is not available; install Chromium and set RUNLAKE_CHROMIUM" >&2
    return 1
  fi
  echo "ci/browser: installing chromium (Debian package)" >&2
  apt-get update -qq >&2 || return 1
  # Liberation and DejaVu fonts give the screenshots real, metric-compatible fonts.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-liberation fonts-dejavu-core >/dev/null || return 1
  [[ -x /usr/bin/chromium ]] || { echo "ci/browser: chromium did not install to /usr/bin/chromium" >&2; return 1; }
}

runlake_browser_ensure || return 1 2>/dev/null || exit 1
export RUNLAKE_CHROMIUM="${RUNLAKE_CHROMIUM:-/usr/bin/chromium}"
