#!/usr/bin/env bash
# Start or stop a Virtuoso server for policykg on the loopback interface.
#   deploy/virtuoso/virtuoso.sh start DIR [HTTP_PORT] [SQL_PORT]   (waits until SPARQL answers)
#   deploy/virtuoso/virtuoso.sh stop DIR
# The dba password is set from $VIRTUOSO_DBA_PASSWORD (default: a fresh random one, written to DIR/dba-password).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command="${1:?start|stop}"; dir="${2:?data directory}"
http_port="${3:-8890}"; sql_port="${4:-1111}"
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"

case "$command" in
start)
    sed -e "s#@DATA_DIR@#$dir#g" -e "s#@HTTP_PORT@#$http_port#g" -e "s#@SQL_PORT@#$sql_port#g" \
        "$here/virtuoso.ini.template" > "$dir/virtuoso.ini"
    virtuoso-t +configfile "$dir/virtuoso.ini" +wait >"$dir/start.log" 2>&1
    for _ in $(seq 1 120); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D"; then break; fi
        sleep 1
    done
    curl -fsS -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D" || { cat "$dir/virtuoso.log" >&2; exit 1; }
    password="${VIRTUOSO_DBA_PASSWORD:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
    # A fresh database has the documented default password: replace it at once (dba may update; anonymous may not).
    if isql-vt "127.0.0.1:$sql_port" dba dba exec="set password dba $password;" >/dev/null 2>&1; then
        printf '%s' "$password" > "$dir/dba-password"; chmod 600 "$dir/dba-password"
    fi
    echo "virtuoso: http://127.0.0.1:$http_port/sparql (dba password in $dir/dba-password)"
    ;;
stop)
    if [ -f "$dir/dba-password" ] && [ -f "$dir/virtuoso.ini" ]; then
        port="$(sed -n 's/^ServerPort *= *127.0.0.1:\([0-9]*\).*/\1/p' "$dir/virtuoso.ini" | head -1)"
        isql-vt "127.0.0.1:$port" dba "$(cat "$dir/dba-password")" exec="shutdown;" >/dev/null 2>&1 || true
    fi
    sleep 1; pkill -f "virtuoso-t .*$dir/virtuoso.ini" 2>/dev/null || true
    ;;
*) echo "usage: $0 start|stop DIR [HTTP_PORT] [SQL_PORT]" >&2; exit 2 ;;
esac
