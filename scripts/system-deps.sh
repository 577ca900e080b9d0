#!/bin/sh
# Installs the Debian packages the app and its tests need, or says exactly what to install.
set -eu
PKGS="espeak-ng libespeak-ng1 chromium"
missing=""
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng libespeak-ng1"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "classroom needs these Debian packages:$missing" >&2
    echo "Install them as root with:  apt-get install -y $PKGS" >&2
    exit 1
fi
