#!/bin/sh
# Run once by the postgres image when it creates the primary's data (docker-entrypoint-initdb.d):
# lets the replica of `docker compose --profile scale` stream from it, with the same password.
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
