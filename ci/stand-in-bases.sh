#!/usr/bin/env bash
# Build local stand-ins for official base images that cannot be pulled here
# (no container registry is reachable; only the npm registry and Debian's
# apt mirrors are), one image per platform, tagged stand-in/<name>:<tag>-<arch>.
# Idempotent: an image that already exists locally is skipped.
# ci/provision.sh then pushes them into the local registry mirror and joins each
# tag's images into one multi-platform index under the official name; normally
# call that instead of this script.
#
# Usage: bash ci/stand-in-bases.sh [--platform=linux/<arch>]... IMAGE [IMAGE...]
#   --platform=                              linux/amd64 (default) or linux/arm64; repeatable.
#                                            A foreign architecture is built and run under
#                                            QEMU user emulation (ci/provision.sh registers it).
#   debian:<suite>[-slim]                    e.g. debian:trixie-slim
#   node:<ver>[-<suite>][-slim]              e.g. node:24-trixie-slim, node:24-slim,
#                                            node:24.3.0-bookworm-slim (suite defaults to trixie)
#   A trailing @sha256:<digest> is ignored: a stand-in cannot have the official digest.
# Env: DOCKER (default /usr/bin/docker: the 28.x client in /usr/local/bin
#      has no buildx, so its BuildKit builds fail), NPM_VERSION (npm spec
#      to bundle, default per Node major), STAND_IN_CACHE (rootfs cache
#      dir, default /var/cache/stand-in-bases; a rootfs is reused for 7 days),
#      STAND_IN_REFRESH=1 (rebuild the cached rootfs).
# debian:<suite> (non-slim) and node:<ver>-<suite> get the same slim content.
#
# Node images: node's own fetch() uses its bundled Mozilla CA list, not the
# system bundle, so behind this sandbox's TLS-intercepting proxy it needs
# NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt (or
# NODE_USE_SYSTEM_CA=1) at run time. npm is covered by /usr/local/etc/npmrc.
set -euo pipefail
shopt -s inherit_errexit  # else failures inside $(rootfs_tar) go unnoticed

DOCKER=${DOCKER:-/usr/bin/docker}
CACHE=${STAND_IN_CACHE:-/var/cache/stand-in-bases}
MIRROR=http://deb.debian.org/debian
HOST_CA=/etc/ssl/certs/ca-certificates.crt
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "[provision] $*"; }
die() { echo "[provision] ERROR: stand-in bases: $*" >&2; exit 1; }
usage="usage: $0 [--platform=linux/amd64|linux/arm64]... IMAGE [IMAGE...]  (debian:<suite>[-slim], node:<ver>[-<suite>][-slim])"
ARCHES=()
while [[ ${1:-} == --platform=* ]]; do
  case ${1#--platform=} in
    linux/amd64|linux/arm64) ARCHES+=("${1#--platform=linux/}") ;;
    *) die "$1: only linux/amd64 and linux/arm64 are supported" ;;
  esac
  shift
done
((${#ARCHES[@]})) || ARCHES=(amd64)
(($#)) || die "$usage"
$DOCKER info >/dev/null 2>&1 || die "docker engine not answering via $DOCKER (run ci/docker-engine.sh)"
command -v mmdebstrap >/dev/null || command -v debootstrap >/dev/null \
  || die "mmdebstrap/debootstrap missing (run ci/docker-engine.sh)"
[[ -s $HOST_CA ]] || die "host CA bundle $HOST_CA missing"

# tmpfs makes debootstrap ~25% faster (dpkg fsyncs every file); fall back to disk.
# It must allow exec and device nodes (debootstrap chroots and mknods there).
TMPBASE=/tmp
if [[ -w /dev/shm ]] && ! findmnt -no OPTIONS /dev/shm | grep -qE 'noexec|nodev' \
   && (( $(df -Pk /dev/shm | awk 'NR==2{print $4}') > 2000000 )); then TMPBASE=/dev/shm; fi
WORK=$(mktemp -d "$TMPBASE/stand-in-bases.XXXXXX")
cleanup() {
  # A failed debootstrap can leave proc/sys mounted in the chroot: unmount first,
  # and --one-file-system so rm never walks into a stray mount.
  findmnt -rno TARGET | grep "^$WORK/" | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

mkdir -p "$CACHE"
# Serialise concurrent runs: they would race on the rootfs cache and tags.
exec 9>"$CACHE/.lock"; flock 9

# ---- parse tags -------------------------------------------------------------
declare -a TODO=()
declare -A NODE_SPECS=() SUITE_OF=() VER_OF=()
# shellcheck source=ci/stand-in-tag.sh
source "$(dirname "${BASH_SOURCE[0]}")/stand-in-tag.sh"
for tag in "$@"; do
  tag=${tag%@sha256:*}
  [[ -n ${SUITE_OF[$tag]:-} ]] && continue   # given twice
  case $tag in
    debian:*) rest=${tag#debian:}; suite=${rest%-slim} ;;
    node:*)
      rest=${tag#node:}; rest=${rest%-slim}; ver=${rest%%-*}
      suite=trixie; [[ $rest == *-* ]] && suite=${rest#*-}
      [[ $ver =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || die "$tag: only numeric Node versions are supported (got '$ver')"
      NODE_SPECS[$ver]=1; VER_OF[$tag]=$ver ;;
    *) die "$tag: unsupported image (only debian:* and node:*)" ;;
  esac
  [[ -e /usr/share/debootstrap/scripts/$suite ]] || die "$tag: unknown Debian suite '$suite'"
  SUITE_OF[$tag]=$suite
  for arch in "${ARCHES[@]}"; do
    if $DOCKER image inspect "$(stand_in_tag "$tag" "$arch")" >/dev/null 2>&1; then
      log "$tag ($arch) stand-in present locally, not rebuilt"
    else
      TODO+=("$tag $arch")
    fi
  done
done
((${#TODO[@]})) || exit 0

# ---- fetch Node + npm in the background while debootstrap runs ---------------
npm_for() {  # npm major that the official image of this Node major ships
  local major=${1%%.*}
  if [[ -n ${NPM_VERSION:-} ]]; then echo "$NPM_VERSION"
  elif ((major >= 24)); then echo 11
  elif ((major >= 18)); then echo 10
  else die "no default npm for Node $1; set NPM_VERSION"; fi
}
node_arch() { case $1 in amd64) echo x64 ;; arm64) echo arm64 ;; esac; }
declare -A FETCH_PID=()
for ver in "${!NODE_SPECS[@]}"; do
  for arch in "${ARCHES[@]}"; do
    d=$WORK/pkg-$ver-$arch; mkdir -p "$d"
    ( cd "$d" && npm pack --silent "node-linux-$(node_arch "$arch")@$ver" >node.name 2>node.err \
        && npm pack --silent "npm@$(npm_for "$ver")" >npm.name 2>npm.err ) &
    FETCH_PID[$ver-$arch]=$!
  done
done

# ---- Debian rootfs, once per suite, cached as a tarball ----------------------
rootfs_tar() {  # prints path of the trimmed rootfs tarball for suite $1 and Debian architecture $2
  local suite=$1 arch=$2 out=$CACHE/$1-$2-minbase.tar t0=$SECONDS
  if [[ -s $out && -z ${STAND_IN_REFRESH:-} ]] && [[ -n $(find "$out" -mtime -7) ]]; then
    echo "$out"; return
  fi
  local r=$WORK/rootfs-$suite-$arch
  # mmdebstrap first: it lets apt download in parallel and unpacks in one dpkg run, so a cold
  # minbase takes ~50 s where debootstrap's serial wget+dpkg took ~190 s on a loaded 2-CPU box
  # (the cold run must stay under 2 minutes). debootstrap remains the fallback.
  # A foreign architecture's maintainer scripts run under the binfmt_misc emulator.
  local tool=debootstrap; command -v mmdebstrap >/dev/null && tool=mmdebstrap
  local log_file=$WORK/$tool-$suite-$arch.log
  if [[ $tool == mmdebstrap ]]; then
    mmdebstrap --quiet --variant=minbase --mode=root --arch="$arch" "$suite" "$r" "$MIRROR" >"$log_file" 2>&1
  else
    debootstrap --variant=minbase --arch="$arch" "$suite" "$r" "$MIRROR" >"$log_file" 2>&1
  fi || die "$tool $suite ($arch) failed: $(tail -n 2 "$log_file" | tr '\n' ' ')"
  # Trim like debuerreotype's slim images, and keep future apt installs slim.
  rm -rf --one-file-system "${r:?}"/dev/* "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* \
    "$r"/var/log/bootstrap.log "$r"/var/log/apt/* "$r"/usr/share/{man,info,locale,lintian,linda}/*
  find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  : >"$r/var/log/dpkg.log"; : >"$r/var/log/alternatives.log"
  : >"$r/etc/resolv.conf"; echo localhost >"$r/etc/hostname"   # Docker bind-mounts both
  cat >"$r/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
force-unsafe-io
EOF
  cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
APT::AutoRemove::SuggestsImportant "false";
EOF
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"
  rm -f "$r/etc/apt/sources.list"
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n\nTypes: deb\nURIs: %s-security\nSuites: %s-security\nComponents: main\n' \
    "$MIRROR" "$suite" "$suite" "$MIRROR" "$suite" >"$r/etc/apt/sources.list.d/debian.sources"
  # minbase has no ca-certificates; the host bundle also carries the sandbox proxy's CA.
  install -D -m 644 "$HOST_CA" "$r/etc/ssl/certs/ca-certificates.crt"
  # ...and the local CAs themselves, so a derived image that installs the
  # ca-certificates package (update-ca-certificates rewrites the bundle) keeps them.
  mkdir -p "$r/usr/local/share/ca-certificates"
  for c in /usr/local/share/ca-certificates/*.crt; do
    if [[ -e $c ]]; then cp "$c" "$r/usr/local/share/ca-certificates/"; fi
  done
  tar --numeric-owner -C "$r" -cf "$out.tmp" . && mv "$out.tmp" "$out"
  rm -rf --one-file-system "$r"
  log "debian $suite $arch rootfs ($tool) built in $((SECONDS - t0)) s (cached at $out)" >&2
  echo "$out"
}

report() { # tag t0
  local mb; mb=$(( $($DOCKER image inspect -f '{{.Size}}' "$1") / 1000000 ))
  log "built stand-in $1 ($mb MB) in $((SECONDS - $2)) s"
}

# An image of one platform from a root filesystem tarball plus Dockerfile instructions.
# Not `docker import`: its --platform leaves the image labelled amd64 in 20.10, while a
# BuildKit build from scratch records the platform it was asked for.
import_rootfs() { # tar arch tag instruction...
  local tar=$1 arch=$2 tag=$3 ctx=$WORK/context-$2; shift 3
  mkdir -p "$ctx"
  mv "$tar" "$ctx/rootfs.tar"
  { echo 'FROM scratch'; echo 'ADD rootfs.tar /'; printf '%s\n' "$@"; } >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=1 $DOCKER build --quiet --platform "linux/$arch" --tag "$tag" "$ctx" >"$WORK/build.log" 2>&1 \
    || die "$tag: build from the rootfs failed: $(tail -n 2 "$WORK/build.log" | tr '\n' ' ')"
  rm -rf "$ctx"
}

declare -A ROOTFS=()
for item in "${TODO[@]}"; do
  read -r tag arch <<<"$item"
  t0=$SECONDS; suite=${SUITE_OF[$tag]}; out=$(stand_in_tag "$tag" "$arch")
  [[ -n ${ROOTFS[$suite-$arch]:-} ]] || ROOTFS[$suite-$arch]=$(rootfs_tar "$suite" "$arch")
  if [[ $tag == debian:* ]]; then
    cp "${ROOTFS[$suite-$arch]}" "$WORK/debian.tar"
    import_rootfs "$WORK/debian.tar" "$arch" "$out" "ENV PATH=$STD_PATH" 'CMD ["bash"]'
    report "$out" "$t0"; continue
  fi

  ver=${VER_OF[$tag]}; d=$WORK/pkg-$ver-$arch
  if [[ ${FETCH_PID[$ver-$arch]} != "done" ]]; then   # a pid can be waited for only once
    wait "${FETCH_PID[$ver-$arch]}" || die "$tag ($arch): npm pack failed: $(cat "$d"/*.err | tail -n 2 | tr '\n' ' ')"
    FETCH_PID[$ver-$arch]="done"
  fi
  node_tgz=$d/$(tail -n1 "$d/node.name"); npm_tgz=$d/$(tail -n1 "$d/npm.name")
  node_version=${node_tgz##*/node-linux-"$(node_arch "$arch")"-}; node_version=${node_version%.tgz}
  openssl_arch=linux-x86_64; [[ $arch == arm64 ]] && openssl_arch=linux-aarch64

  r=$WORK/node-$ver-$suite-$arch; mkdir -p "$r"
  tar -C "$r" -xf "${ROOTFS[$suite-$arch]}"
  tar -C "$r/usr/local" -xzf "$node_tgz" --strip-components=1 --no-same-owner package/bin package/include package/share
  # The npm package ships OpenSSL headers for ~20 platforms (60+ MB); node-gyp needs only ours.
  find "$r/usr/local/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name "$openssl_arch" -exec rm -rf {} +
  mkdir -p "$r/usr/local/lib/node_modules/npm" "$r/usr/local/etc"
  tar -C "$r/usr/local/lib/node_modules/npm" -xzf "$npm_tgz" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
  ln -s node "$r/usr/local/bin/nodejs"
  echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$r/usr/local/etc/npmrc"
  # Same entrypoint as the official image, so `docker run IMG script.js` / `-e ...` work.
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
  chmod 755 "$r/usr/local/bin/docker-entrypoint.sh"
  # In a foreign root these run under the binfmt_misc emulator (its F flag makes that work in a chroot).
  chroot "$r" groupadd --gid 1000 node
  chroot "$r" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  tar --numeric-owner -C "$r" -cf "$WORK/node.tar" .
  rm -rf --one-file-system "$r"
  import_rootfs "$WORK/node.tar" "$arch" "$out" "ENV NODE_VERSION=$node_version" "ENV PATH=$STD_PATH" \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["node"]'
  # Cheap smoke test: a broken stand-in should fail here, not in a later build.
  got=$($DOCKER run --rm --network none --platform "linux/$arch" "$out" sh -c 'node --version && npm --version' 2>&1 | tr '\n' ' ') \
    || { $DOCKER rmi "$out" >/dev/null; die "$out: smoke test failed: $got"; }
  report "$out" "$t0"
done
