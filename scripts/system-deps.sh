#!/usr/bin/env bash
# Installs the Debian tools the app and its tests run: ffmpeg/ffprobe (audio
# transcoding), sox and espeak-ng (test audio: music-like signals and real speech),
# chromium and firefox-esr (the editor's browser tests: Playwright and WebDriver BiDi;
# no browser download).
# Does nothing when they are all present, so `make run` / `make test` stay fast.
set -euo pipefail

declare -A need=([ffmpeg]=ffmpeg [ffprobe]=ffmpeg [sox]=sox [espeak-ng]=espeak-ng [chromium]=chromium [firefox-esr]=firefox-esr)
missing=()
for tool in "${!need[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${need[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "system-deps: please install these Debian packages: $pkgs" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: no apt-get here; install these with your package manager: $pkgs" >&2
    exit 1
fi
echo "system-deps: installing $pkgs"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
