#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster on 127.0.0.1:$PGPORT; prints its URL.
# Usage: .ci/postgres.sh start DIR | .ci/postgres.sh stop DIR
set -euo pipefail
action=$1; dir=$2
# A free port unless PGPORT says otherwise (another cluster may hold the usual one).
port=${PGPORT:-$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "$action" = start ]; then
  if [ -z "$bin" ]; then
    apt-get install -y -q postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  mkdir -p "$dir"; chown postgres "$dir"
  su postgres -c "$bin/initdb -D $dir/data -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -c "$bin/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off' -l $dir/log -w start" >/dev/null
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
else
  su postgres -c "$bin/pg_ctl -D $dir/data -m fast stop" >/dev/null 2>&1 || true
fi
