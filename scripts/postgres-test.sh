#!/usr/bin/env bash
# Runs a command against a throwaway local PostgreSQL: installs the server if it is missing (as
# root, with apt-get), starts one in a temporary directory listening on a unix socket only (no
# TCP at all), exports CLASSROOM_TEST_DATABASE_URL for the command, then stops and removes it.
#
#   scripts/postgres-test.sh .venv/bin/pytest -q -n 2 --dist loadfile
set -euo pipefail

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    return 1
}

if ! PGBIN=$(find_bin); then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing PostgreSQL for the PostgreSQL test pass"
        apt-get update -qq
        # policy-rc.d 101: do not start the packaged cluster; we start our own below.
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d
            trap 'rm -f /usr/sbin/policy-rc.d' EXIT
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
        PGBIN=$(find_bin)
    else
        echo "The PostgreSQL test pass needs the server: apt-get install -y postgresql" >&2
        exit 1
    fi
fi

WORK=$(mktemp -d /tmp/classroom-pg.XXXXXX)
as_owner() { "$@"; }
if [ "$(id -u)" = "0" ]; then
    # The server refuses to run as root: it runs as the postgres user, which owns the directory.
    chown postgres: "$WORK"
    as_owner() { runuser -u postgres -- "$@"; }
fi
chmod 700 "$WORK"

stop() {
    as_owner "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap stop EXIT INT TERM

as_owner "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
# A test server: no TCP listener, a private socket directory; durability settings off, since the
# data is thrown away (the SQLite pass and the durability tests prove the settings that matter).
as_owner "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start -o "\
 -c listen_addresses='' -c unix_socket_directories='$WORK' -c max_connections=200\
 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB" \
    >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

export CLASSROOM_TEST_DATABASE_URL="postgresql+psycopg://postgres@/postgres?host=$WORK"
export PATH="$PGBIN:$PATH"  # pg_dump and pg_restore of the same version as the server
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on $WORK (unix socket only)"
"$@"
