# shellcheck shell=bash
# The CI overrides for this machine, and the only place they live.
# Source it after `bash ci/provision.sh`:   source ci/env.sh
# (a script cannot change its caller's PATH, so provision cannot do this itself).
#
# - Node 24 (unpacked by ci/provision.sh) first on PATH, when installed: the image
#   runs Node 24, the host has Node 20. Host npm/npx are JS scripts and run on it.
# - DOCKER: Debian's 20.10 client; /usr/local/bin/docker (28.x) has no buildx,
#   so its BuildKit builds fail.
# - DOCKER_BUILD_FLAGS: the engine has no bridge network; builds reach the npm
#   registry through the host's own stack.

ci_node_bin=/opt/node-24/bin   # keep in step with NODE_HOME in ci/provision.sh
if [ -x "$ci_node_bin/node" ]; then
  ci_path=":$PATH:"
  ci_path=${ci_path//:$ci_node_bin:/:}
  ci_path=${ci_path#:}
  PATH="$ci_node_bin:${ci_path%:}"
  export PATH
  unset ci_path
fi
unset ci_node_bin

export DOCKER=/usr/bin/docker
export DOCKER_BUILD_FLAGS="--network host"
