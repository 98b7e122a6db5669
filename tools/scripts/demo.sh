#!/usr/bin/env bash
# `npm run demo`: installs what is needed and runs the demo on the memory backend (no server).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/ensure.sh
pnpm exec nx run-many -t build -p @cache/core @cache/backend-memory @cache/namespaced --outputStyle=static >/dev/null
pnpm --filter @cache/tools exec tsx demo/demo.ts
