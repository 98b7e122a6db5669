#!/usr/bin/env bash
# Sourced by the demo, test and CI scripts: makes sure that pnpm, the dependencies, (when
# asked with ENSURE_REDIS=1) a Redis server on 127.0.0.1:6379 and (when asked with
# ENSURE_CHROMIUM=1) Debian's Chromium at /usr/bin/chromium for the docs site test are there.
# A fresh machine needs only Node and npm.
set -euo pipefail
PNPM_VERSION=10.34.9

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "> installing pnpm@$PNPM_VERSION"
  if ! npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No write access to the global prefix: keep pnpm in a user cache folder instead.
    prefix="${XDG_CACHE_HOME:-$HOME/.cache}/cache-toolkit/pnpm-$PNPM_VERSION"
    npm install --prefix "$prefix" "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$prefix/node_modules/.bin:$PATH"
  fi
  hash -r
fi

if [ "${CI:-}" = "true" ] || [ ! -d node_modules/.pnpm ]; then
  pnpm install --frozen-lockfile
else
  pnpm install --frozen-lockfile --prefer-offline >/dev/null
fi

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
  else
    node -e "const s=require('net').connect(6379,'127.0.0.1');s.on('connect',()=>s.write('PING\r\n'));s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),2000)"
  fi
}

if [ "${ENSURE_REDIS:-0}" = "1" ]; then
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "> installing redis-server and redis-tools from Debian's packages"
    SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
  fi
  if ! redis_answers; then
    echo "> starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
    for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
    redis_answers || { echo "redis-server did not answer on 127.0.0.1:6379"; exit 1; }
  fi
fi

if [ "${ENSURE_CHROMIUM:-0}" = "1" ] && [ ! -x /usr/bin/chromium ]; then
  echo "> installing chromium from Debian's packages (for the docs site test)"
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } \
    >/tmp/cache-toolkit-chromium-install.log 2>&1 || [ ! -x /usr/bin/chromium ]; then
    tail -n 20 /tmp/cache-toolkit-chromium-install.log
    echo "could not install chromium (apt-get install -y chromium): the docs site test needs /usr/bin/chromium"
    exit 1
  fi
fi
