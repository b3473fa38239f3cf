#!/usr/bin/env bash
# The part of the official postgres entrypoint Gatehouse relies on: on an empty PGDATA,
# initdb with POSTGRES_USER/POSTGRES_PASSWORD (or *_FILE), create POSTGRES_DB, run
# /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}, then exec postgres as the postgres user.
set -Eeuo pipefail

# VAR or VAR_FILE (Docker secrets), never both.
file_env() {
  local var=$1 file_var=${1}_FILE val=${2:-}
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo "error: both $var and $file_var are set" >&2
    exit 1
  fi
  if [[ -n ${!var:-} ]]; then
    val=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    val=$(<"${!file_var}")
  fi
  export "$var=$val"
  unset "$file_var"
}

if [[ ${1:0:1} == - ]]; then
  set -- postgres "$@"
fi

if [[ $1 == postgres && $(id -u) == 0 ]]; then
  # A fresh volume is root-owned; fix it up, then re-run this script as postgres.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ $1 == postgres && ! -s $PGDATA/PG_VERSION ]]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [[ -z $POSTGRES_PASSWORD && $auth != trust ]]; then
    echo "error: database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    echo "       (set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow any connection)" >&2
    exit 1
  fi

  # No locales package here; C.UTF-8 is built into glibc and gives UTF8 like the official image.
  initdb_args=(--username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8)
  # POSTGRES_INITDB_ARGS is split into words, as upstream does.
  # shellcheck disable=SC2086
  if [[ -n $POSTGRES_PASSWORD ]]; then
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  else
    initdb "${initdb_args[@]}" $POSTGRES_INITDB_ARGS
  fi
  # Local socket stays trust (pg_isready, init scripts); every remote host needs the password.
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  # Socket-only server while initialising, so clients can't connect to a half-made database.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  if [[ $POSTGRES_DB != postgres ]]; then
    "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  shopt -s nullglob
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sh) echo "running $f"; if [[ -x $f ]]; then "$f"; else . "$f"; fi ;;
      *.sql) echo "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *) echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset POSTGRES_PASSWORD
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
