#!/usr/bin/env bash
# Ensures PostgreSQL answers on 127.0.0.1:5432 with trust auth for user
# "postgres", as the integration tests expect. Installs Debian's packages when
# nothing answers. Run as root; safe to run again. Usable on its own or sourced;
# ci/provision.sh runs it. Usage: bash ci/postgres.sh
set -euo pipefail

ci_postgres_log() { printf '[provision] postgres: %s\n' "$*"; }
ci_postgres_error() { printf '[provision] ERROR: postgres: %s\n' "$*" >&2; }

ci_postgres_ready() {
  pg_isready -q -h 127.0.0.1 -p 5432
}

ci_ensure_postgres() {
  export DEBIAN_FRONTEND=noninteractive
  if ! command -v pg_isready >/dev/null 2>&1; then
    ci_postgres_log "installing postgresql-client for pg_isready"
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql-client >/dev/null
  fi
  if ci_postgres_ready; then
    ci_postgres_log "already answers on 127.0.0.1:5432"
  else
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
      ci_postgres_log "installing PostgreSQL from Debian's packages"
      apt-get update -qq >/dev/null
      apt-get install -y -qq postgresql >/dev/null
    fi
    local version
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
    ci_postgres_log "starting cluster ${version}/main"
    pg_ctlcluster --skip-systemctl-redirect "${version}" main start || true
  fi

  for _ in $(seq 1 30); do
    ci_postgres_ready && break
    sleep 1
  done
  ci_postgres_ready || { ci_postgres_error "PostgreSQL does not answer on 127.0.0.1:5432"; return 1; }

  if ! ci_postgres_login; then
    # Debian's default asks for a password over TCP; the tests connect as
    # postgres on loopback without one. The rule goes first so it wins.
    local hba
    hba="$(ci_postgres_hba_file)"
    ci_postgres_log "enabling trust auth for postgres on 127.0.0.1 in ${hba}"
    sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    su postgres -s /bin/sh -c "psql -w -Atc 'SELECT pg_reload_conf()'" >/dev/null
    sleep 1
  fi
  ci_postgres_login || { ci_postgres_error "cannot log in as postgres on 127.0.0.1 without a password"; return 1; }
  ci_postgres_log "ready (trust auth for postgres on 127.0.0.1:5432)"
}

ci_postgres_login() {
  psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1
}

# The hba file of the cluster actually serving, asked over the local socket
# (Debian's default is peer auth there for the postgres OS user).
ci_postgres_hba_file() {
  su postgres -s /bin/sh -c "psql -w -Atc 'SHOW hba_file'"
}

# Executed directly rather than sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ci_ensure_postgres
fi
