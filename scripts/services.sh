#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers on loopback, for the tests.
#
#   bash scripts/services.sh start [postgres] [redis]   # idempotent: reuses running servers
#   bash scripts/services.sh stop  [postgres] [redis]
#   bash scripts/services.sh status
#
# `start` prints one status line per server ("postgres: started" or "postgres: already
# running") and then the URLs the tests read:
#   TEST_POSTGRES_URL=postgresql+asyncpg://contest@127.0.0.1:55432/contest_test
#   TEST_REDIS_URL=redis://127.0.0.1:56379/0
#
# Settings (environment): SERVICES_DIR (default /tmp/contest-bot-services), TEST_PG_PORT
# (55432), TEST_REDIS_PORT (56379), SERVICES_TIMEOUT (seconds to wait for a server, 60).
# Everything lives in SERVICES_DIR; the servers' own output goes to log files there.
set -euo pipefail

SERVICES_DIR="${SERVICES_DIR:-/tmp/contest-bot-services}"
PG_PORT="${TEST_PG_PORT:-55432}"
REDIS_PORT="${TEST_REDIS_PORT:-56379}"
TIMEOUT="${SERVICES_TIMEOUT:-60}"

PG_DIR="$SERVICES_DIR/pg"
PGDATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
REDIS_DIR="$SERVICES_DIR/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

PG_URL="postgresql+asyncpg://contest@127.0.0.1:$PG_PORT/contest_test"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

die() { echo "services.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- PostgreSQL

PG_BIN=""
find_pg_bin() {
    [[ -n "$PG_BIN" ]] && return 0
    local dir best=""
    # Debian: /usr/lib/postgresql/<major>/bin; take the newest major version.
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]] || continue
        best="$(printf '%s\n%s\n' "$best" "$dir" | sed '/^$/d' | sort -V | tail -n 1)"
    done
    if [[ -z "$best" ]] && command -v pg_ctl >/dev/null 2>&1; then
        best="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        [[ -x "$best/initdb" ]] || best=""
    fi
    [[ -n "$best" ]] || die "PostgreSQL server binaries not found (install Debian's 'postgresql' package, or export TEST_POSTGRES_URL to your own server)"
    PG_BIN="$best"
}

# Run a command as the cluster's owner: the `postgres` OS user when we are root
# (PostgreSQL refuses to run as root), else ourselves.
as_pg() {
    if [[ $EUID -ne 0 ]]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        local cmd
        printf -v cmd '%q ' "$@"
        su postgres -s /bin/sh -c "$cmd"
    fi
}

pg_isready_now() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -t 2 >/dev/null 2>&1
}

pg_running() {
    [[ -f "$PGDATA/postmaster.pid" ]] || return 1
    as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

pg_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_init() {
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir "$PG_DIR" --shell /bin/sh postgres \
            || die "cannot create the 'postgres' OS user"
    fi
    local version
    version="$("$PG_BIN/postgres" --version | awk '{print $3}' | cut -d. -f1)"
    # A cluster that is half-made or of another major version is thrown away: it is a test one.
    if [[ -f "$PG_DIR/.initialized" && "$(cat "$PGDATA/PG_VERSION" 2>/dev/null)" == "$version" ]]; then
        return 0
    fi
    rm -rf "$PG_DIR"
    mkdir -p "$PGDATA" "$PG_SOCK"
    chmod 700 "$PGDATA"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres: "$PG_DIR"
        as_pg test -w "$PGDATA" \
            || die "the postgres OS user cannot write to $PGDATA (choose a SERVICES_DIR it can reach)"
    fi
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
        >"$PG_DIR/initdb.log" 2>&1 || { tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    # Test-only speedups: durability is worthless for a throwaway cluster.
    as_pg sh -c "cat >> '$PGDATA/postgresql.conf'" <<'EOF'

# contest-bot test cluster (scripts/services.sh)
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    touch "$PG_DIR/.initialized"
}

pg_start() {
    find_pg_bin
    mkdir -p "$SERVICES_DIR"
    chmod 755 "$SERVICES_DIR" 2>/dev/null || true
    if pg_running && pg_isready_now; then
        echo "postgres: already running (port $PG_PORT)"
    else
        pg_init
        if pg_running; then   # running but not answering on our port: restart it
            as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w >/dev/null 2>&1 || true
        fi
        mkdir -p "$PG_SOCK"
        [[ $EUID -eq 0 ]] && chown postgres: "$PG_SOCK"
        as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$PG_LOG" -w -t "$TIMEOUT" \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCK" >/dev/null 2>&1 \
            || { tail -n 20 "$PG_LOG" >&2 2>/dev/null; die "PostgreSQL did not start (log: $PG_LOG)"; }
        echo "postgres: started (port $PG_PORT)"
    fi
    local waited=0
    until pg_isready_now; do
        (( waited++ < TIMEOUT )) || die "PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT after ${TIMEOUT}s"
        sleep 1
    done
    if [[ "$(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'contest'")" != 1 ]]; then
        pg_psql -c "CREATE ROLE contest LOGIN SUPERUSER"
    fi
    if [[ "$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'contest_test'")" != 1 ]]; then
        pg_psql -c "CREATE DATABASE contest_test OWNER contest"
    fi
}

pg_stop() {
    [[ -d "$PGDATA" ]] || { echo "postgres: not running"; return 0; }
    find_pg_bin
    if pg_running; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$TIMEOUT" >/dev/null 2>&1 \
            || die "PostgreSQL did not stop (log: $PG_LOG)"
        echo "postgres: stopped"
    else
        echo "postgres: not running"
    fi
}

# ---------------------------------------------------------------- Redis

redis_ping() {
    if command -v redis-cli >/dev/null 2>&1; then
        [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
    else
        # No redis-cli: speak the protocol by hand.
        local reply
        exec 9<>"/dev/tcp/127.0.0.1/$REDIS_PORT" 2>/dev/null || return 1
        printf 'PING\r\n' >&9
        read -r -t 2 reply <&9 || true
        exec 9<&- 9>&-
        [[ "$reply" == "+PONG"* ]]
    fi
}

redis_start() {
    if redis_ping; then
        echo "redis: already running (port $REDIS_PORT)"
    else
        command -v redis-server >/dev/null 2>&1 \
            || die "redis-server not found (install Debian's 'redis-server' package, or export TEST_REDIS_URL to your own server)"
        mkdir -p "$REDIS_DIR"
        rm -f "$REDIS_PID"
        redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
            --dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" \
            --appendonly yes --save "" --databases 64 >/dev/null 2>&1 \
            || { tail -n 20 "$REDIS_LOG" >&2 2>/dev/null; die "redis-server did not start (log: $REDIS_LOG)"; }
        local waited=0
        until redis_ping; do
            (( waited++ < TIMEOUT )) || {
                tail -n 20 "$REDIS_LOG" >&2 2>/dev/null
                die "Redis is not answering on 127.0.0.1:$REDIS_PORT after ${TIMEOUT}s"
            }
            sleep 1
        done
        echo "redis: started (port $REDIS_PORT)"
    fi
}

redis_stop() {
    local pid
    pid="$(cat "$REDIS_PID" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        local waited=0
        while kill -0 "$pid" 2>/dev/null; do
            (( waited++ < TIMEOUT * 10 )) || die "redis-server (pid $pid) did not stop"
            sleep 0.1
        done
        rm -f "$REDIS_PID"
        echo "redis: stopped"
    elif redis_ping; then
        echo "redis: running on port $REDIS_PORT but not started by this script; left alone"
    else
        echo "redis: not running"
    fi
}

# ---------------------------------------------------------------- main

action="${1:-}"
shift || true
want_pg=0 want_redis=0
if [[ $# -eq 0 ]]; then
    want_pg=1 want_redis=1
fi
for what in "$@"; do
    case "$what" in
        postgres|pg|postgresql) want_pg=1 ;;
        redis) want_redis=1 ;;
        *) die "unknown service '$what' (postgres, redis)" ;;
    esac
done

case "$action" in
    start)
        (( want_pg )) && pg_start
        (( want_redis )) && redis_start
        (( want_pg )) && echo "TEST_POSTGRES_URL=$PG_URL"
        (( want_redis )) && echo "TEST_REDIS_URL=$REDIS_URL"
        ;;
    stop)
        (( want_redis )) && redis_stop
        (( want_pg )) && pg_stop
        ;;
    status)
        rc=0
        if (( want_pg )); then
            find_pg_bin
            if pg_isready_now; then echo "postgres: running (port $PG_PORT)"; else echo "postgres: not running"; rc=1; fi
        fi
        if (( want_redis )); then
            if redis_ping; then echo "redis: running (port $REDIS_PORT)"; else echo "redis: not running"; rc=1; fi
        fi
        exit "$rc"
        ;;
    *)
        echo "usage: $0 start|stop|status [postgres] [redis]" >&2
        exit 2
        ;;
esac
exit 0
