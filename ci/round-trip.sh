#!/usr/bin/env bash
# The release path on this machine, end to end, for every declared platform:
# lock the base images against the local registry mirror, build and verify the
# images, publish one index to the local registry, pull each platform back by
# the printed index digest and run it, then rebuild with the build cache pruned
# and expect the same file tree. Usage (after ci/provision.sh and `source ci/env.sh`):
#   bash ci/round-trip.sh
# It relocks: the committed container.lock.json pins the public digests, which
# this machine's stand-in bases cannot have. The committed lock and the files
# synthesized from it are restored on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[round-trip] %s\n' "$*" >&2; }
docker=${DOCKER:-docker}
spec() { npx projen-container-spec "$1"; }
image=$(spec imageName)
version=${VERSION:-$(spec version)}
port=$(spec port)
liveness=$(spec livenessPath)
user=$(spec user)
mapfile -t platforms < <(spec platforms)
registry=127.0.0.1:5000/ci/$image
work=$(mktemp -d)

PG=(psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
db="verify_ci_$(date +%s)_$$"
cp container.lock.json "$work/container.lock.json"
cleanup() {
  "${PG[@]}" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
  if ! cmp -s "$work/container.lock.json" container.lock.json; then
    log "restoring the committed lock and re-synthesizing from it"
    cp "$work/container.lock.json" container.lock.json
    npx projen >/dev/null || log "WARNING: npx projen failed; run it to re-render the Dockerfile from the restored lock"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

log "lock: the stand-ins' digests through the mirror, for ${platforms[*]}"
npx projen docker:lock

"${PG[@]}" -c "CREATE DATABASE \"$db\""
log "build and verify (the README's main job), migrations against a throwaway database"
VERIFY_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" npx projen docker:verify

# What verify checked, per platform: the image id docker:publish must push.
verified() { node -e 'const r = require(process.argv[1]); const i = r.images.find((x) => x.platform === process.argv[2]); if (!i?.imageId) process.exit(1); console.log(i.imageId)' \
  "$PWD/test-reports/verify-report.json" "$1"; }
arch() { echo "${1#*/}"; }
# What `node -p process.arch` prints on a platform: the expectation of the spec's own arch check.
node_arch() { node -e 'const s = require(process.argv[1]); const c = s.checks.commands.find((x) => x.name === "arch-" + process.argv[2]); if (!c) process.exit(1); console.log(c.expectedOutput)' \
  "$PWD/.projen/container.json" "$(arch "$1")"; }

log "publish to $registry"
out=$(REGISTRY=$registry npx projen docker:publish)
echo "$out"
digest=$(sed -n 's/^digest: \(sha256:[a-f0-9]\{64\}\)$/\1/p' <<<"$out")
[[ -n $digest ]] || { log "ERROR: docker:publish printed no digest line"; exit 1; }

# The file tree of an image: path, type, mode, owner, link target and content hash of every entry.
file_tree() {
  local id=$1 dir cid
  dir=$(mktemp -d "$work/tree.XXXX")
  cid=$("$docker" create "$id")
  "$docker" export "$cid" | tar -x --numeric-owner -p -C "$dir"
  "$docker" rm "$cid" >/dev/null
  (cd "$dir" && find . -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  rm -rf "$dir"
}

ref="$registry@$digest"
for platform in "${platforms[@]}"; do
  want=$(verified "$platform")
  log "$platform: pull $ref"
  # 20.10 keeps one image per digest reference: drop the previous platform's before pulling the next.
  "$docker" rmi "$ref" >/dev/null 2>&1 || true
  "$docker" pull --platform "$platform" "$ref" >/dev/null
  pulled=$("$docker" image inspect -f '{{.Id}}' "$ref")
  [[ $pulled == "$want" ]] || { log "ERROR: $platform pulled $pulled by digest, but verify checked $want"; exit 1; }

  got=$("$docker" run --rm --network none --platform "$platform" "$ref" whoami)
  [[ $got == "$user" ]] || { log "ERROR: $platform whoami printed '$got', not '$user'"; exit 1; }
  node_arch=$(node_arch "$platform")
  got=$("$docker" run --rm --network none --platform "$platform" "$ref" node -p process.arch)
  [[ $got == "$node_arch" ]] || { log "ERROR: $platform node -p process.arch printed '$got', not '$node_arch'"; exit 1; }

  cid=$("$docker" run -d --rm --network host --platform "$platform" "$ref")
  answered=
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port$liveness"; then answered=yes; break; fi
    sleep 0.5
  done
  "$docker" stop "$cid" >/dev/null
  [[ -n $answered ]] || { log "ERROR: $platform did not answer $liveness on port $port within 60 s"; exit 1; }
  log "OK: $platform is the verified image $want: whoami → $user, process.arch → $node_arch, $liveness answers"
  file_tree "$want" > "$work/first-$(arch "$platform").tree"
done

log "rebuild the same commit with the build cache pruned"
"$docker" builder prune -af >/dev/null
npx projen docker:build
for platform in "${platforms[@]}"; do
  rebuilt=$("$docker" image inspect -f '{{.Id}}' "$image:$version-$(arch "$platform")")
  file_tree "$rebuilt" > "$work/second-$(arch "$platform").tree"
  if ! diff -u "$work/first-$(arch "$platform").tree" "$work/second-$(arch "$platform").tree" >&2; then
    log "ERROR: $platform: two builds of one commit differ in the file tree (diff above)"
    exit 1
  fi
  created=$("$docker" image inspect -f '{{index .Config.Labels "org.opencontainers.image.created"}}' "$rebuilt")
  commit_time=$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd)
  [[ $created == "$commit_time" ]] || { log "ERROR: $platform created label $created is not the commit's time $commit_time"; exit 1; }
  log "OK: $platform rebuilt with the same $(wc -l < "$work/second-$(arch "$platform").tree") file-tree lines; created = commit time $created"
done
