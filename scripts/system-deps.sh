#!/bin/sh
# Installs the Debian packages `make run` or `make test` needs, or says exactly what to install.
#
#   sh scripts/system-deps.sh run    espeak-ng (speech)
#   sh scripts/system-deps.sh test   also chromium (browser tests) and postgresql (the PostgreSQL
#                                    pass; as root, scripts/postgres-test.sh installs it)
#
# Not root: it stops before anything runs and names every missing package, so `make test` never
# runs the whole SQLite pass first only to ask for postgresql at the end.
set -eu
purpose="${1:-test}"
# Where to look (overridable only so tests/test_readme_make.py can play a bare machine).
chromium="${SYSTEM_DEPS_CHROMIUM:-/usr/bin/chromium}"
postgresql="${SYSTEM_DEPS_POSTGRESQL:-/usr/lib/postgresql}"

has_postgresql() {
    for dir in "$postgresql"/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && return 0
    done
    return 1
}

missing=""
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng libespeak-ng1"
if [ "$purpose" = "test" ]; then
    [ -x "$chromium" ] || missing="$missing chromium"
fi
root=no
[ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && root=yes
if [ "$purpose" = "test" ] && [ "$root" = "no" ] && ! has_postgresql; then
    missing="$missing postgresql"
fi
[ -z "$missing" ] && exit 0
if [ "$root" = "yes" ]; then
    echo "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "classroom needs these Debian packages:$missing" >&2
    echo "Install them as root with:  apt-get install -y$missing" >&2
    exit 1
fi
