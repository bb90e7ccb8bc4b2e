#!/usr/bin/env bash
# Installs the Debian packages the project runs on: ffmpeg (media pipeline), chromium and
# chromium-driver (browser tests, never a browser downloaded by a tool), fonts with
# Vietnamese glyphs (PDF reports), poppler-utils (pdftotext in tests), gettext (msgfmt
# compiles the Vietnamese catalogues in locale/ and newsroom/locale/), postgresql-client
# (pg_dump/pg_restore for `manage.py backup`/`restore`; same major version as the server),
# nginx and systemd-analyze (tests/deploy run the shipped deploy/nginx/hoitu.conf and
# verify the units of deploy/systemd), espeak-ng (the offline Vietnamese voice of
# "Nghe bài viết", docs/speech.md).
# `--bench` adds wrk, which the benchmarks in bench/ drive (never the tests).
set -euo pipefail
need=()
if [ "${1:-}" = "--bench" ]; then
    command -v wrk >/dev/null || need+=(wrk)
fi
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v chromium >/dev/null || need+=(chromium chromium-driver)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v msgfmt >/dev/null || need+=(gettext)
command -v pg_dump >/dev/null || need+=(postgresql-client)
# /usr/sbin is not on every user's PATH: look there too.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v systemd-analyze >/dev/null || need+=(systemd)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
