#!/usr/bin/env bash
# Ensure a local Docker engine is running. Idempotent: safe to call from every
# CI run / session start.  Usage: bash tools/docker-engine.sh
#
# Why these choices:
# - Debian's docker.io (client+engine 20.10, API 1.41) ships the buildx-less
#   classic client that still speaks BuildKit natively; /usr/local/bin/docker
#   (28.x) on this machine has no buildx plugin, so its BuildKit builds fail.
#   Always call /usr/bin/docker.
# - No bridge/iptables/NAT: the sandbox forbids traffic to private ranges, and
#   the only reachable hosts (npm registry, Debian mirrors) are reached through
#   the host's own stack. Containers and builds must use --network host|none.
set -euo pipefail

DOCKER=/usr/bin/docker
LOG=/var/log/dockerd-tools.log
PIDFILE=/var/run/docker.pid

die() { echo "docker-engine: ERROR: $*" >&2; exit 1; }

# mmdebstrap builds the offline base rootfs ~3x faster than debootstrap (kept as fallback).
if [[ ! -x $DOCKER ]] || ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null \
   || ! command -v mmdebstrap >/dev/null; then
  echo "docker-engine: installing docker.io debootstrap mmdebstrap (apt)"
  # No systemd here, so the package's own service start is a no-op; dockerd is
  # started below with our flags instead.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap mmdebstrap >/dev/null \
    || die "apt-get install docker.io debootstrap mmdebstrap failed"
fi

# Concurrent callers would both start a dockerd; the loser dies on the pidfile.
exec 9>/var/lock/docker-engine-tools.lock; flock 9

if $DOCKER info >/dev/null 2>&1; then
  echo "docker-engine: already running"
  exit 0
fi

# Alive = process exists, is not a zombie, and is what the pidfile claims.
# kill -0 is not enough: PID 1 here does not reap, so a killed dockerd
# lingers as <defunct> and kill -0 still succeeds.
alive() { # pid [name]
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -z ${2:-} || $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]] && [[ $(awk '{print $3}' <<<"$st") != Z ]]
}
# A killed dockerd leaves its pidfile, and the next dockerd refuses to start
# ("pid file found, ensure docker is not running or delete /var/run/docker.pid");
# same for the containerd that dockerd manages.
for pf in "$PIDFILE:dockerd" /var/run/docker/containerd/containerd.pid:containerd; do
  f=${pf%:*}
  if [[ -f $f ]] && ! alive "$(cat "$f" 2>/dev/null)" "${pf##*:}"; then rm -f "$f"; fi
done
if [[ -f $PIDFILE ]]; then
  pid=$(cat "$PIDFILE")   # a live dockerd that is still starting up: just wait for it
else
  # setsid+nohup: dockerd must outlive the calling shell/session job.
  setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
    >>"$LOG" 2>&1 </dev/null &
  pid=$!
fi

for _ in $(seq 1 60); do
  if $DOCKER info >/dev/null 2>&1; then
    echo "docker-engine: dockerd pid $pid is up (log: $LOG)"
    exit 0
  fi
  alive "$pid" || break   # fail fast; no name check: it may still be setsid/nohup
  sleep 0.5
done
die "dockerd did not come up (30 s max); last log lines: $(tail -n 3 "$LOG" | tr '\n' ' ')"
