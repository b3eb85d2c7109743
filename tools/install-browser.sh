#!/usr/bin/env bash
# Install Debian's Chromium (and chromium-driver) for tests/test_browser.py. Idempotent.
#
# Playwright drives this browser through executable_path=/usr/bin/chromium; its own browser
# download (`playwright install`) is never used (it fails on our machines).
# Also installs a small CJK font (fonts-wqy-microhei) when none is present, so the lesson's
# Chinese source title renders in the screenshots instead of empty boxes; that part is optional.
#
# Exit status: 0 when /usr/bin/chromium is present afterwards, 1 otherwise (the browser test
# then skips with the reason when not root, and fails when root).
set -uo pipefail

CHROMIUM=/usr/bin/chromium
say() { echo "install-browser: $*"; }

have_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]
}

packages=()
if [ -x "$CHROMIUM" ]; then
    say "$CHROMIUM already present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))."
else
    say "$CHROMIUM is missing."
    packages+=(chromium chromium-driver)
fi
if have_cjk_font; then
    say "a CJK font is already present."
else
    say "no CJK font (the lesson's Chinese title would render as boxes in screenshots)."
    packages+=(fonts-wqy-microhei)
fi

if [ "${#packages[@]}" -eq 0 ]; then
    say "nothing to do."
    exit 0
fi

if [ "$(id -u)" != "0" ]; then
    say "not root: not installing ${packages[*]}." >&2
    say "as root run: apt-get install -y --no-install-recommends ${packages[*]}" >&2
elif ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get is not available: not installing ${packages[*]}." >&2
else
    export DEBIAN_FRONTEND=noninteractive
    say "running: apt-get update"
    apt-get update -q || say "apt-get update failed; trying the install with the current package lists." >&2
    say "running: apt-get install -y --no-install-recommends ${packages[*]}"
    if ! apt-get install -y -q --no-install-recommends "${packages[@]}"; then
        # The font is a nicety: retry without it so a missing font package never blocks Chromium.
        if [ ! -x "$CHROMIUM" ] && [[ " ${packages[*]} " == *" fonts-wqy-microhei "* ]]; then
            say "install failed; retrying with chromium and chromium-driver only." >&2
            apt-get install -y -q --no-install-recommends chromium chromium-driver || true
        fi
    fi
fi

if [ -x "$CHROMIUM" ]; then
    say "ready: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")."
    exit 0
fi
say "$CHROMIUM is still missing." >&2
exit 1
