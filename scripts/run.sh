#!/usr/bin/env bash
# The main job of `make run`: BUILD_DIR is the build directory. Until the
# platform (eseald) exists this is the guided demo of the eseal command.
set -euo pipefail
build=${1:-build}
exec "$build/cli/eseal" demo
