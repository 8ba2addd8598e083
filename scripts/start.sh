#!/usr/bin/env bash
# The README's main command: installs the pinned Deno when missing, then runs the
# standalone platform (controller, scheduler and invoker in one process). Extra
# arguments go to `deno task standalone`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec "$DENO" task standalone "$@"
