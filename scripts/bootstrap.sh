#!/usr/bin/env bash
# Installs the pinned Deno from the npm package `deno` into ./.tools when it is missing,
# and exports DENO (its path). Sourced by scripts/start.sh and scripts/test.sh.
DENO_VERSION="2.9.6"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO="$repo_root/.tools/node_modules/.bin/deno"
if ! "$DENO" --version 2>/dev/null | grep -q "^deno $DENO_VERSION "; then
  echo "bootstrap: installing deno $DENO_VERSION from npm into .tools/ ..." >&2
  mkdir -p "$repo_root/.tools"
  npm install --prefix "$repo_root/.tools" --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >&2
  if ! "$DENO" --version >/dev/null 2>&1; then
    # The npm package normally ships the binary through a platform package; run its
    # installer when the package manager skipped install scripts.
    (cd "$repo_root/.tools/node_modules/deno" && node ./install.cjs) >&2
  fi
  "$DENO" --version >/dev/null || { echo "bootstrap: deno $DENO_VERSION did not install" >&2; exit 1; }
fi
export DENO
export PATH="$repo_root/.tools/node_modules/.bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1
