#!/usr/bin/env bash
# The release path on this machine, end to end: lock the base images against
# the local registry mirror, build and verify the image, publish it to the
# local registry, pull it back by the printed digest, and expect the verified
# image id. Usage (after ci/provision.sh and `source ci/env.sh`):
#   bash ci/round-trip.sh
# It relocks: the committed container.lock.json pins the public digests,
# which this machine's stand-in bases cannot have. Run it after the drift check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[round-trip] %s\n' "$*" >&2; }
docker=${DOCKER:-docker}
spec() { npx ts-node --transpile-only --project projenrc/tsconfig.json projenrc/container/spec-cli.ts "$1"; }
image=$(spec imageName)
version=${VERSION:-$(spec version)}
registry=127.0.0.1:5000/ci/$image

log "lock: the stand-ins' digests through the mirror"
npx projen docker:lock

PG=(psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
db="verify_ci_$(date +%s)_$$"
"${PG[@]}" -c "CREATE DATABASE \"$db\""
trap '"${PG[@]}" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true' EXIT

log "build and verify (the README's main job), migrations against a throwaway database"
VERIFY_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" npx projen docker:verify
# docker:publish pushes this image only if the verify report names its id.
verified=$("$docker" image inspect -f '{{.Id}}' "$image:$version")

log "publish to $registry"
out=$(REGISTRY=$registry npx projen docker:publish)
echo "$out"
digest=$(sed -n 's/^digest: \(sha256:[a-f0-9]\{64\}\)$/\1/p' <<<"$out")
[[ -n $digest ]] || { log "ERROR: docker:publish printed no digest line"; exit 1; }

log "pull $registry@$digest"
"$docker" rmi "$registry:$version" >/dev/null
"$docker" pull "$registry@$digest" >/dev/null
pulled=$("$docker" image inspect -f '{{.Id}}' "$registry@$digest")
if [[ $pulled != "$verified" ]]; then
  log "ERROR: pulled $pulled by digest, but verify checked $verified"
  exit 1
fi
log "OK: $registry@$digest is the verified image $verified"
