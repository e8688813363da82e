# shellcheck shell=bash
# The local tag of one platform's stand-in for an official base image:
#   stand_in_tag node:24-trixie-slim linux/arm64   → stand-in/node:24-trixie-slim-arm64
# (an arch alone, arm64, gives the same). Sourced by ci/stand-in-bases.sh, which
# builds the image, and ci/provision.sh, which pushes it: the format lives here only.
stand_in_tag() { echo "stand-in/$1-${2#linux/}"; }
