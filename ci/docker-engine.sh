#!/usr/bin/env bash
# Ensure the local registry (127.0.0.1:5000) and a Docker engine that uses it as
# its registry mirror are running. Exists only because this machine has no
# container registry and no Docker engine (see docs in ci/provision.sh).
# Idempotent: safe to call from every CI run / session start.
# Usage: bash ci/docker-engine.sh        (normally via bash ci/provision.sh)
#
# Why these choices:
# - Debian's docker.io (client+engine 20.10, API 1.41) ships the buildx-less
#   classic client that still speaks BuildKit natively; /usr/local/bin/docker
#   (28.x) on this machine has no buildx plugin, so its BuildKit builds fail.
#   Always call /usr/bin/docker.
# - No bridge/iptables/NAT: the sandbox forbids traffic to private ranges, and
#   the only reachable hosts (npm registry, Debian mirrors) are reached through
#   the host's own stack. Containers and builds must use --network host|none.
#   Never create a Docker network here.
# - Registry mirror: Debian's docker-registry (distribution 2.8) on 127.0.0.1:5000
#   holds the stand-in base images under their official names (library/node,
#   library/debian), and dockerd runs with --registry-mirror pointing at it, so
#   `docker pull node:24-trixie-slim` and digest-pinned FROM lines resolve.
set -euo pipefail

DOCKER=/usr/bin/docker
LOG=/var/log/dockerd-ci.log
PIDFILE=/var/run/docker.pid
REGISTRY_ADDR=127.0.0.1:5000
MIRROR=http://$REGISTRY_ADDR
REGISTRY_CONFIG=/etc/docker/registry/ci-mirror.yml
REGISTRY_DATA=/var/lib/docker-registry   # must persist: digests stay stable across runs
REGISTRY_LOG=/var/log/docker-registry-ci.log
DOCKERD_FLAGS=(--bridge=none --iptables=false --ip-masq=false --ip-forward=false
               --registry-mirror "$MIRROR")

log() { echo "[provision] $*"; }
die() { echo "[provision] ERROR: $*" >&2; exit 1; }

# ---- packages ------------------------------------------------------------------
# mmdebstrap builds the stand-in rootfs ~3x faster than debootstrap (kept as fallback).
missing=()
if [[ ! -x $DOCKER ]] || ! command -v dockerd >/dev/null; then missing+=(docker.io); fi
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
[[ -x /usr/bin/docker-registry ]] || missing+=(docker-registry)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  # No systemd here, so the packages' own service starts are no-ops; the
  # registry and dockerd are started below with our flags instead.
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || die "apt-get install ${missing[*]} failed"
fi

# Concurrent callers would both start a registry/dockerd; the loser dies on the port/pidfile.
# The daemons below get 9>&- so they do not hold this lock for their lifetime.
exec 9>/var/lock/ci-docker-engine.lock; flock 9

# Alive = process exists, is not a zombie, and (optionally) has that name.
# kill -0 is not enough: PID 1 here does not reap, so a killed dockerd
# lingers as <defunct> and kill -0 still succeeds.
alive() { # pid [name]
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -z ${2:-} || $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]] && [[ $(awk '{print $3}' <<<"$st") != Z ]]
}

# ---- local registry ------------------------------------------------------------
registry_up() { curl -fs -o /dev/null --max-time 2 "$MIRROR/v2/"; }

mkdir -p "$(dirname "$REGISTRY_CONFIG")" "$REGISTRY_DATA"
cat >"$REGISTRY_CONFIG.tmp" <<EOF
# Written by ci/docker-engine.sh: the registry mirror for this machine's dockerd.
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $REGISTRY_DATA
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
EOF
if cmp -s "$REGISTRY_CONFIG.tmp" "$REGISTRY_CONFIG"; then rm -f "$REGISTRY_CONFIG.tmp"
else mv "$REGISTRY_CONFIG.tmp" "$REGISTRY_CONFIG"; fi

if registry_up; then
  log "registry already answers on $REGISTRY_ADDR"
else
  # setsid+nohup: the registry must outlive the calling shell/session job.
  setsid nohup /usr/bin/docker-registry serve "$REGISTRY_CONFIG" >>"$REGISTRY_LOG" 2>&1 </dev/null 9>&- &
  rpid=$!
  for _ in $(seq 1 40); do registry_up && break; alive "$rpid" || break; sleep 0.25; done
  registry_up || die "registry did not come up on $REGISTRY_ADDR; last log lines: $(tail -n 3 "$REGISTRY_LOG" | tr '\n' ' ')"
  log "registry pid $rpid up on $REGISTRY_ADDR (data: $REGISTRY_DATA, log: $REGISTRY_LOG)"
fi

# ---- dockerd -------------------------------------------------------------------
# No pipe into grep -q here: under pipefail, grep's early exit can SIGPIPE docker and
# read as "no mirror", which would restart dockerd for nothing.
has_mirror() {
  local mirrors
  mirrors=$($DOCKER info --format '{{range .RegistryConfig.Mirrors}}{{println .}}{{end}}' 2>/dev/null) || return 1
  [[ $'\n'$mirrors$'\n' == *$'\n'"$MIRROR/"$'\n'* ]]
}
wait_gone() { # pid seconds
  local i; for ((i = 0; i < $2 * 4; i++)); do alive "$1" || return 0; sleep 0.25; done; return 1
}

if $DOCKER info >/dev/null 2>&1; then
  if has_mirror; then
    log "dockerd already running with --registry-mirror $MIRROR"
    exit 0
  fi
  pid=$(cat "$PIDFILE" 2>/dev/null || pgrep -xo dockerd || true)
  if [[ -z $pid ]] || ! alive "$pid" dockerd; then die "dockerd answers but its pid is unknown; stop it and rerun"; fi
  # Second opinion from its command line before anything as disruptive as a restart.
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  if [[ " $cmdline" == *" --registry-mirror $MIRROR "* || " $cmdline" == *" --registry-mirror=$MIRROR "* ]]; then
    log "dockerd pid $pid already has --registry-mirror $MIRROR"
    exit 0
  fi
  # Started without the mirror (e.g. by the old tools/docker-engine.sh): one graceful
  # restart. Running containers get dockerd's normal shutdown (SIGTERM, 10 s, SIGKILL).
  log "restarting dockerd (pid $pid) once to add --registry-mirror $MIRROR ($($DOCKER ps -q | wc -l) running containers will stop)"
  kill -TERM "$pid"
  wait_gone "$pid" 60 || die "dockerd pid $pid did not exit within 60 s of SIGTERM"
fi

# A killed dockerd leaves its pidfile, and the next dockerd refuses to start
# ("pid file found, ensure docker is not running or delete /var/run/docker.pid");
# same for the containerd that dockerd manages.
for pf in "$PIDFILE:dockerd" /var/run/docker/containerd/containerd.pid:containerd; do
  f=${pf%:*}
  if [[ -f $f ]] && ! alive "$(cat "$f" 2>/dev/null)" "${pf##*:}"; then rm -f "$f"; fi
done
if [[ -f $PIDFILE ]]; then
  pid=$(cat "$PIDFILE")   # a live dockerd that is still starting up: just wait for it
  started=0
else
  setsid nohup dockerd "${DOCKERD_FLAGS[@]}" >>"$LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  started=1
fi

for _ in $(seq 1 120); do
  if $DOCKER info >/dev/null 2>&1; then
    has_mirror || die "dockerd pid $pid runs without --registry-mirror $MIRROR; stop it and rerun"
    ((started)) && log "dockerd pid $pid up with --registry-mirror $MIRROR (log: $LOG)"
    ((started)) || log "dockerd pid $pid finished starting"
    exit 0
  fi
  alive "$pid" || break   # fail fast; no name check: it may still be setsid/nohup
  sleep 0.5
done
die "dockerd did not come up (60 s max); last log lines: $(tail -n 3 "$LOG" | tr '\n' ' ')"
