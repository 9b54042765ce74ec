#!/bin/sh
# deps.sh - install the Debian packages jolt needs, only those missing
# (python3-toml, -xmltodict and -blinker are the code the swe suite is
# generated from, for `make suites` and its reproducibility test).
# openssl makes the certificates of the TLS test; zlib packs the HTML
# report's traces; chromium opens that report headless in
# tests/integration/report_html.sh and `make bench`.
# Quiet when everything is there. Called by `make deps`; `deps.sh bench`
# (make bench-deps) adds what only `make bench` uses: wrk, the HTTP load
# generator the throughput figures are measured against.
set -eu
PKGS="gcc make pkg-config git bubblewrap libyaml-dev libjansson-dev \
libgit2-dev libpcre2-dev libsqlite3-dev libcurl4-openssl-dev \
libmicrohttpd-dev libcmocka-dev zlib1g-dev sqlite3 curl python3 \
python3-toml python3-xmltodict python3-blinker openssl chromium"
[ "${1:-}" = bench ] && PKGS="$PKGS wrk"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "deps: missing packages:$missing; run 'make deps' as root" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# an old package list may not know a package: update once, then install
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
	$SUDO apt-get update -qq >/dev/null
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
