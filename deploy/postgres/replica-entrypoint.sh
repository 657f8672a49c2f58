#!/bin/sh
# The streaming replica of `docker compose --profile scale`: the first start copies the primary
# with pg_basebackup -R (which writes standby.signal and primary_conninfo), every start runs it
# as a hot standby. No replication slot: a replica far behind breaks instead of filling the
# primary's disk; remove its volume and it copies afresh.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres "$PGDATA"
    chmod 700 "$PGDATA"
    until gosu postgres pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast; do
        echo "replica: waiting for the primary"; sleep 2
    done
fi
exec gosu postgres postgres -c hot_standby=on
