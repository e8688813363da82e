#!/usr/bin/env bash
# The container part of CI (.ci/run appends `bash tools/ci-container.sh`):
# start the engine, build the offline stand-in base images, run the verify
# engine tests now that an engine and the bases exist (inside `npx projen
# build` they may have been skipped, visibly), then build the image and
# verify it against a throwaway database that is dropped afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian's 20.10 client: /usr/local/bin/docker (28.x) has no buildx, its BuildKit builds fail.
export DOCKER=${DOCKER:-/usr/bin/docker}
# No bridge network on this engine: builds reach the npm registry through the host's stack.
export DOCKER_BUILD_FLAGS=${DOCKER_BUILD_FLAGS:---network host}
PG=(psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)

npx projen docker:engine
npx projen docker:offline-base

npx jest test/projenrc/verify --coverage=false --reporters=default

db="verify_ci_$(date +%s)_$$"
"${PG[@]}" -c "CREATE DATABASE \"$db\""
trap '"${PG[@]}" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true' EXIT
VERIFY_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" npx projen docker:verify
