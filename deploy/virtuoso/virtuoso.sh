#!/usr/bin/env bash
# Start or stop a Virtuoso server for policykg on the loopback interface.
#   deploy/virtuoso/virtuoso.sh start DIR [HTTP_PORT] [SQL_PORT]   (waits until SPARQL answers)
#   deploy/virtuoso/virtuoso.sh stop DIR
# The dba password is set from $VIRTUOSO_DBA_PASSWORD (default: a fresh random one, written to DIR/dba-password).
# The server's process id is kept in DIR/virtuoso.pid: stop ends that process and no other.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command="${1:?start|stop}"; dir="${2:?data directory}"
http_port="${3:-8890}"; sql_port="${4:-1111}"
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"

# True when URL answers 2xx (curl when installed, else Python's standard library).
answers() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null
    else
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null
    fi
}

case "$command" in
start)
    sed -e "s#@DATA_DIR@#$dir#g" -e "s#@HTTP_PORT@#$http_port#g" -e "s#@SQL_PORT@#$sql_port#g" \
        "$here/virtuoso.ini.template" > "$dir/virtuoso.ini"
    virtuoso-t +configfile "$dir/virtuoso.ini" +wait >"$dir/start.log" 2>&1 || { cat "$dir/start.log" "$dir/virtuoso.log" >&2 2>/dev/null; exit 1; }
    sed -n 's/^VIRT_PID=\([0-9]*\).*/\1/p' "$dir/virtuoso.lck" > "$dir/virtuoso.pid"
    url="http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D"
    for _ in $(seq 1 120); do
        if answers "$url"; then break; fi
        sleep 1
    done
    answers "$url" || { cat "$dir/virtuoso.log" >&2; exit 1; }
    # A fresh database has the documented default password: replace it at once (dba may update; anonymous may not).
    # isql exits 0 even when a statement fails, so the new password is checked by logging in with it.
    # Every isql call is bounded: a server that stopped answering must not hang this script.
    sql() { timeout 30 isql-vt "127.0.0.1:$sql_port" dba "$1" exec="$2" >/dev/null 2>&1; }
    if ! { [ -f "$dir/dba-password" ] && sql "$(cat "$dir/dba-password")" "select 1;"; }; then
        password="${VIRTUOSO_DBA_PASSWORD:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
        case "$password" in
            *[!A-Za-z0-9._-]*|"") echo "VIRTUOSO_DBA_PASSWORD: use letters, digits, '.', '_' and '-' only" >&2
                                  sql dba "shutdown;" || true; exit 1 ;;
        esac
        sql dba "USER_SET_PASSWORD('dba', '$password');" || true
        if ! sql "$password" "select 1;"; then
            echo "virtuoso: could not replace the default dba password; server stopped" >&2
            sql dba "shutdown;" || true; exit 1
        fi
        printf '%s' "$password" > "$dir/dba-password"; chmod 600 "$dir/dba-password"
    fi
    echo "virtuoso: http://127.0.0.1:$http_port/sparql (dba password in $dir/dba-password)"
    ;;
stop)
    if [ -f "$dir/dba-password" ] && [ -f "$dir/virtuoso.ini" ]; then
        port="$(sed -n 's/^ServerPort *= *127.0.0.1:\([0-9]*\).*/\1/p' "$dir/virtuoso.ini" | head -1)"
        # bounded: a server that no longer answers is stopped by its process id below
        timeout 30 isql-vt "127.0.0.1:$port" dba "$(cat "$dir/dba-password")" exec="shutdown;" >/dev/null 2>&1 || true
    fi
    pid="$(cat "$dir/virtuoso.pid" 2>/dev/null || true)"
    if [ -n "$pid" ]; then
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        if kill -0 "$pid" 2>/dev/null; then kill "$pid"; sleep 2; fi
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
        rm -f "$dir/virtuoso.pid"
    fi
    ;;
*) echo "usage: $0 start|stop DIR [HTTP_PORT] [SQL_PORT]" >&2; exit 2 ;;
esac
