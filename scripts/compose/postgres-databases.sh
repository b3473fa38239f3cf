#!/bin/sh
# One database per service (GATEHOUSE_DATABASES, space-separated), owned by
# POSTGRES_USER. Postgres runs it from /docker-entrypoint-initdb.d/ when it
# initialises an empty volume. It is idempotent: after adding a service to an
# existing deployment, run it again with
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-gatehouse-databases.sh
set -eu
for db in ${GATEHOUSE_DATABASES:-}; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --no-psqlrc --set db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
SQL
done
