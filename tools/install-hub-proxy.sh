#!/usr/bin/env bash
# Install JupyterHub's proxy, configurable-http-proxy (npm), into the repository: .venv/hub-proxy/.
# Idempotent and offline-safe: when the pinned version is already there it does nothing and needs no
# network. Never installs globally (no -g, nothing outside the prefix).
#
# Used by tests/test_jupyterhub.py and by deploy/jupyterhub/jupyterhub_config.py, which point
# JupyterHub at .venv/hub-proxy/node_modules/.bin/configurable-http-proxy.
# Needs Node.js >= 18 and npm (Debian: apt-get install nodejs npm).
#
# Usage: tools/install-hub-proxy.sh [PREFIX]     (default PREFIX: .venv/hub-proxy, or $LSTMLAB_HUB_PROXY_PREFIX)
# Exit status: 0 when the proxy is present afterwards, 1 otherwise.
set -uo pipefail

VERSION=5.3.0   # configurable-http-proxy, the 5.x line JupyterHub 6 is tested with
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${1:-${LSTMLAB_HUB_PROXY_PREFIX:-$ROOT/.venv/hub-proxy}}
BIN="$PREFIX/node_modules/.bin/configurable-http-proxy"
PKG="$PREFIX/node_modules/configurable-http-proxy/package.json"
say() { echo "install-hub-proxy: $*"; }

installed_version() {
    [ -f "$PKG" ] && node -e 'console.log(require(process.argv[1]).version)' "$PKG" 2>/dev/null
}

if [ -x "$BIN" ] && [ "$(installed_version)" = "$VERSION" ]; then
    say "configurable-http-proxy $VERSION already present: $BIN"
    exit 0
fi
for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        say "$tool is missing: install Node.js >= 18 and npm (Debian: apt-get install nodejs npm)." >&2
        exit 1
    fi
done
mkdir -p "$PREFIX"
say "running: npm install --prefix $PREFIX configurable-http-proxy@$VERSION"
if ! npm install --prefix "$PREFIX" --no-audit --no-fund --no-save --loglevel=error \
        "configurable-http-proxy@$VERSION"; then
    say "npm install failed (no network?)." >&2
fi
if [ -x "$BIN" ] && [ "$(installed_version)" = "$VERSION" ]; then
    say "ready: $BIN ($("$BIN" --version 2>/dev/null || echo "version unknown"))"
    exit 0
fi
say "configurable-http-proxy $VERSION is still missing at $BIN" >&2
exit 1
