#!/bin/sh
# Installs what velo needs to build and test on Debian/Ubuntu: the HDF5 C
# library with its LZF plugin (velo reads and writes HDF5 through libhdf5),
# libdeflate (faster decompression, used when present), and Python's
# anndata, which the tests use to prove that velo's h5ad output opens in
# the Python ecosystem. Go 1.26 or newer must already be installed.
set -eu
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PKGS="libhdf5-dev hdf5-plugin-lzf liblzf-dev libdeflate0 pkg-config gcc python3 python3-h5py python3-anndata python3-scipy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# apt's own temporary files can vanish under a shared /tmp; /var/tmp is safer.
	export TMPDIR=/var/tmp
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq $missing >/dev/null
fi
if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		echo "setup: Go is at /usr/local/go/bin; add it to PATH" >&2
	else
		echo "setup: Go 1.26 or newer is required (https://go.dev/dl/)" >&2
		exit 1
	fi
fi
