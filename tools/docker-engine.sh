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

if [[ ! -x $DOCKER ]] || ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "docker-engine: installing docker.io debootstrap (apt)"
  # policy-rc.d-less install: the postinst may try to start the service and
  # fail without systemd; that is harmless, we start dockerd ourselves below.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null \
    || die "apt-get install docker.io debootstrap failed"
fi

if $DOCKER info >/dev/null 2>&1; then
  echo "docker-engine: already running"
  exit 0
fi

# A killed dockerd leaves its pidfile, and the next dockerd refuses to start
# ("pid file found, ensure docker is not running or delete /var/run/docker.pid").
if [[ -f $PIDFILE ]] && ! kill -0 "$(cat "$PIDFILE" 2>/dev/null)" 2>/dev/null; then
  rm -f "$PIDFILE"
fi
# Same for a managed containerd killed together with dockerd.
if [[ -f /var/run/docker/containerd/containerd.pid ]] \
   && ! kill -0 "$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null)" 2>/dev/null; then
  rm -f /var/run/docker/containerd/containerd.pid
fi

# setsid+nohup: dockerd must outlive the calling shell/session job.
setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
  >>"$LOG" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if $DOCKER info >/dev/null 2>&1; then
    echo "docker-engine: started (log: $LOG)"
    exit 0
  fi
  sleep 0.5
done
die "dockerd did not answer within 30 s; last log lines: $(tail -n 3 "$LOG" | tr '\n' ' ')"
