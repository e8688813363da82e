#!/usr/bin/env bash
# The package as a user gets it: packed and published to a registry on 127.0.0.1
# (verdaccio, the twin of the npm release; it proxies every other package to the
# registry npm is configured with), then installed from there into two fresh
# `projen new typescript-app` projects, one with npm and one with pnpm. Each is a
# tiny node:http app with no database and no metrics, its own port, user and
# health path, and adds at most MAX_ADDED lines to its .projenrc.ts. `npx projen`,
# `npx projen build`, `npx projen docker:lock` and `npx projen docker:verify`
# (the engine's own platform) must pass, and the verify report must be that
# declaration's plan. Usage (after ci/provision.sh and `source ci/env.sh`):
#   bash ci/consumers.sh
# It prints one line per consumer, or the failing step with its log.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERDACCIO_VERSION=6.8.0   # 6.10 and later need Node 22, and the host's own node is 20
MAX_ADDED=15              # the package README's promise: a quickstart of 15 lines or fewer
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/ci-consumers   # verdaccio, its proxied packages and pnpm, kept across runs
PACKAGE=packages/projen-container
ROOT=$PWD
docker=${DOCKER:-docker}
T0=$SECONDS

log() { printf '[consumers] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The projen that this repository builds with, so the consumers meet the one the package is tested against.
projen_version=$(node -p 'require("./package-lock.json").packages["node_modules/projen"].version')
version=0.0.0-ci.$(git rev-parse --short HEAD)
native=linux/$($docker version --format '{{.Server.Arch}}')
upstream=$(npm config get registry)
work=$(mktemp -d /tmp/ci-consumers.XXXXXX)
verdaccio_pid=
images=()
cleanup() {
  if [[ -n $verdaccio_pid ]]; then kill "$verdaccio_pid" 2>/dev/null || true; fi
  if ((${#images[@]})); then "$docker" rmi "${images[@]}" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Runs one named step of a consumer in its folder, its output in a log; on failure names the step.
# Each step's time is added to `timings`, for the summary line.
timings=
step() { # consumer name command...
  local consumer=$1 name=$2 logfile t=$SECONDS
  shift 2
  logfile="$work/$consumer-${name//[^a-z0-9]/-}.log"
  if ! (cd "$work/$consumer" && "$@") >"$logfile" 2>&1; then
    cat "$logfile" >&2   # all of it: verify's table alone would push the build's error out of a tail
    die "$consumer: step \"$name\" failed (its log above)"
  fi
  timings+="${timings:+, }$name $((SECONDS - t)) s"
}

# ---- the registry -------------------------------------------------------------------
# Its storage keeps the proxied packages across runs (verdaccio revalidates them upstream), so one run
# at a time; the package itself starts afresh, so that rerunning a commit publishes its version again.
mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9
rm -rf "$CACHE/storage/projen-container"
verdaccio=$CACHE/verdaccio-$VERDACCIO_VERSION/node_modules/.bin/verdaccio
if [[ ! -x $verdaccio ]]; then
  log "installing verdaccio $VERDACCIO_VERSION into $CACHE"
  npm install --prefix "$CACHE/verdaccio-$VERDACCIO_VERSION" --no-audit --no-fund --loglevel=error \
    "verdaccio@$VERDACCIO_VERSION" >"$work/verdaccio-install.log" 2>&1 \
    || die "npm install verdaccio@$VERDACCIO_VERSION failed: $(tail -n 2 "$work/verdaccio-install.log" | tr '\n' ' ')"
fi
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
registry=http://127.0.0.1:$port/
cat >"$work/verdaccio.yaml" <<EOF
storage: $CACHE/storage
uplinks:
  upstream:
    url: $upstream
packages:
  projen-container:
    access: \$all
    publish: \$anonymous
  '**':
    access: \$all
    proxy: upstream
log: { type: stdout, format: pretty, level: warn }
EOF
"$verdaccio" --config "$work/verdaccio.yaml" --listen "127.0.0.1:$port" >"$work/verdaccio.log" 2>&1 &
verdaccio_pid=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "$registry-/ping" && break
  kill -0 "$verdaccio_pid" 2>/dev/null || die "verdaccio exited: $(tail -n 2 "$work/verdaccio.log" | tr '\n' ' ')"
  sleep 0.5
done
curl -fs -o /dev/null "$registry-/ping" || die "verdaccio did not answer on $registry within 30 s"
log "verdaccio $VERDACCIO_VERSION on $registry, proxying $upstream"

# ---- the package, as the release publishes it -------------------------------------------
mkdir "$work/pack"
(cd "$PACKAGE" && npm pack --silent --pack-destination "$work/pack") >"$work/pack.log" 2>&1 \
  || die "npm pack $PACKAGE failed: $(tail -n 2 "$work/pack.log" | tr '\n' ' ')"
tar -xzf "$work"/pack/*.tgz -C "$work/pack"
# The release bumps the version before it packs; the tarball's own files are published unchanged.
(cd "$work/pack/package" && npm pkg set "version=$version" && npm publish --ignore-scripts --tag ci \
  --registry "$registry" "--//127.0.0.1:$port/:_authToken=anonymous") >"$work/publish.log" 2>&1 \
  || die "npm publish to $registry failed: $(tail -n 2 "$work/publish.log" | tr '\n' ' ')"
log "published projen-container@$version to $registry"

# ---- a consumer ---------------------------------------------------------------------------
# The app: it answers 200 on its health path, and stops on SIGTERM.
app() { # health path
  cat <<EOF
import { createServer } from 'http';

const server = createServer((req, res) => {
  const ok = req.url === '$1';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(ok ? 'ok\n' : 'not found\n');
});
server.listen(Number(process.env.PORT), '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
EOF
}

# What the consumer adds to the .projenrc.ts that projen new wrote: the package README's quickstart, taken from
# there by bench/quickstart.ts with the consumer's own facts, and the package in devDeps at the version published.
declare_image() { # file image port user health
  # node runs the TypeScript as it is (it would warn that the repository's package.json names no module type).
  node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --input-type=module - "$@" "$version" "$native" "$ROOT" <<'EOF'
import * as fs from 'node:fs';
const [file, image, port, user, health, version, platform, root] = process.argv.slice(2);
const { withQuickstart } = await import(`${root}/bench/quickstart.ts`);
const readme = fs.readFileSync(`${root}/packages/projen-container/README.md`, 'utf8');
let text = withQuickstart(fs.readFileSync(file, 'utf8'), readme, {
  imageName: image, port: Number(port), user, healthPath: health, shutdownTimeoutMs: 2000, platforms: [platform],
});
// projen new writes double quotes, the project's eslint --fix makes them single: either may be there.
const devDeps = /devDeps: \[(["'])@types\/node@\^24\1/;
if (!devDeps.test(text)) throw new Error(`${file} has no ${devDeps} to add to`);
text = text.replace(devDeps, `$&, 'projen-container@${version}'`);
fs.writeFileSync(file, text);
EOF
}

# The verify report is this declaration's plan with every check passed, and no file projen wrote names a
# database, migrations or metrics. Prints the number of checks.
check_consumer() { # image port user health
  node - "$@" "$native" <<'EOF'
const fs = require('fs');
const [image, port, user, health, platform] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync('test-reports/verify-report.json', 'utf8'));
const undeclared = /DATABASE_URL|postgres|migrat|prometheus\.io|\/metrics/i;
const row = (id) => report.rows.find((r) => r.id === id) ?? {};
const pkg = 'node_modules/projen-container';
const shipped = new Set(fs.readdirSync(pkg, { recursive: true }).filter((f) => !f.split('/').includes('node_modules'))
  .map((f) => `${pkg}/${f}`).filter((f) => fs.statSync(f).isFile()).map((f) => fs.readFileSync(f, 'utf8')));
const unmarked = (f) => fs.readFileSync(f, 'utf8').replace(/^\/\/ ~~ Generated by projen[^\n]*\n/, '');
const failures = [
  ...report.rows.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.measured}`),
  row('commands/whoami').measured === JSON.stringify(user) ? '' : `whoami measured ${row('commands/whoami').measured}, not "${user}"`,
  `${row('metadata/exposed-port').measured}`.includes(`${port}/tcp`) ? '' : `exposed port ${row('metadata/exposed-port').measured}, not ${port}`,
  `${row('runtime/pod').measured}`.includes(`readiness ${health} → 200`) ? '' : `the pod check measured "${row('runtime/pod').measured}", not readiness ${health} → 200`,
  JSON.stringify(report.images.map((i) => [i.platform, i.image.split(':')[0]])) === JSON.stringify([[platform, image]]) ? '' : `verified ${JSON.stringify(report.images)}, not ${image} on ${platform}`,
  // A file the package ships and projen copies verbatim under its marker (its bundled publish tool) is the package's code, the
  // same in every project, not written from this declaration: only the rendered files must say nothing undeclared.
  ...JSON.parse(fs.readFileSync('.projen/files.json', 'utf8')).files
    .filter((f) => fs.statSync(f).isFile() && !shipped.has(unmarked(f)) && undeclared.test(fs.readFileSync(f, 'utf8')))
    .map((f) => `${f} names ${fs.readFileSync(f, 'utf8').match(undeclared)[0]}, which the app does not declare`),
].filter(Boolean);
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(report.rows.length);
EOF
}

# pnpm at the version projen wrote into packageManager: pnpm refuses to run under another one, and
# corepack cannot fetch it here. Kept in the cache, first on PATH.
use_pnpm() { # version
  local prefix=$CACHE/pnpm-$1
  if [[ ! -x $prefix/node_modules/.bin/pnpm ]]; then
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "pnpm@$1" >"$work/pnpm-install.log" 2>&1 \
      || die "npm install pnpm@$1 failed: $(tail -n 2 "$work/pnpm-install.log" | tr '\n' ' ')"
  fi
  PATH=$prefix/node_modules/.bin:$PATH
}

consumer() { # manager port user health
  local manager=$1 port=$2 user=$3 health=$4 t=$SECONDS
  local name=hello-$manager dir=$work/$1 image=ci-consumer-$manager checks added
  local tag=$version-$$   # apart from another run's tags on the same engine
  images+=("$image:$tag" "$image:$tag-${native#*/}" "$image:latest")
  mkdir "$dir"
  # The consumer's registry is the local one. Its lock names each tarball's URL (npm: `resolved`, which
  # this machine's user config omits; pnpm: `tarball`): the image's frozen install sees no .npmrc.
  printf 'registry=%s\nomit-lockfile-registry-resolved=false\nlockfile-include-tarball-url=true\n' "$registry" >"$dir/.npmrc"
  step "$manager" "projen new" npx --yes "projen@$projen_version" new typescript-app --no-git --no-post \
    --name "$name" --package-manager "$manager" --repository "https://github.com/example/$name" \
    --min-node-version 24.0.0 --entrypoint lib/index.js --typescript-version '~6.0.3' --dev-deps '@types/node@^24'
  app "$health" >"$dir/src/index.ts"
  cp "$dir/.projenrc.ts" "$work/$manager.projenrc.ts"
  step "$manager" "declare" declare_image .projenrc.ts "$image" "$port" "$user" "$health"
  added=$(diff "$work/$manager.projenrc.ts" "$dir/.projenrc.ts" | grep -c '^>' || true)
  ((added <= MAX_ADDED)) || die "$manager: the declaration added $added lines to .projenrc.ts, more than $MAX_ADDED"
  case $manager in
    npm) step npm "install projen-container" npm install --save-dev --no-audit --no-fund "projen-container@$version" ;;
    pnpm)
      use_pnpm "$(cd "$dir" && node -p 'require("./package.json").packageManager.replace(/^pnpm@/, "")')"
      step pnpm "install projen-container" pnpm add --save-dev "projen-container@$version" ;;
  esac
  # The first synthesis after adding the package is the developer's, on their machine: it adds the
  # package's own devDependencies (esbuild) and installs them, which a CI run's frozen install refuses.
  step "$manager" "npx projen" env -u CI npx projen
  step "$manager" "npx projen build" npx projen build
  step "$manager" "npx projen docker:lock" npx projen docker:lock
  step "$manager" "npx projen docker:verify" env VERSION="$tag" npx projen docker:verify
  checks=$(cd "$dir" && check_consumer "$image" "$port" "$user" "$health") \
    || die "$manager: step \"check the report and the generated files\" failed (above)"
  log "OK $manager: $name adds $added lines to .projenrc.ts; npx projen, build, docker:lock and docker:verify pass, $checks checks of its own plan on $native (user $user, port $port, readiness $health → 200), in $((SECONDS - t)) s ($timings)"
  timings=
}

consumer npm 9090 hellonpm /ready
consumer pnpm 9191 hellopnpm /healthz
log "done in $((SECONDS - T0)) s"
