#!/usr/bin/env bash
# Lint as a test: banned functions, comment style, dependency rules.
exec bash "$(dirname "$0")/../../scripts/checksrc.sh"
