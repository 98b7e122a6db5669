#!/usr/bin/env bash
# `npm test`: sets up what the tests need (pnpm, dependencies, a Redis server, Chromium) and runs every
# package's tests through Nx, then prints one `N passed, N failed` line.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENSURE_REDIS=1 ENSURE_CHROMIUM=1 source tools/scripts/ensure.sh
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
rm -f packages/*/.vitest-report.json tools/.vitest-report.json tools/*/.vitest-report.json
status=0
pnpm exec nx run-many -t test --parallel=2 --outputStyle=stream "$@" || status=$?
node tools/scripts/test-summary.mjs || status=1
exit $status
