#!/usr/bin/env bash
# Builds an image with this machine's Node.js (no internet needed): the node binary, the shared libraries
# ldd names for it, and busybox for a shell. Tests run in-cluster clients (@kubernetes/client-node) in it.
# usage: build-node-image.sh OUT_TAR [IMAGE_REF]   (default ref localhost/tutti-node:host)
set -euo pipefail
out=$1 ref=${2:-localhost/tutti-node:host}
here=$(cd "$(dirname "$0")" && pwd)
node=$(readlink -f "${NODE:-$(command -v node)}")
busybox=${BUSYBOX:-/bin/busybox}
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{bin,usr/bin,etc,root,tmp,proc,sys,dev}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in sh cat ls env; do ln -sf /bin/busybox "$rootfs/bin/$applet"; done
cp "$node" "$rootfs/usr/bin/node"
# Every library the binary loads, at the path the dynamic linker looks for it.
for lib in $(ldd "$node" | grep -o '/[^ ]*'); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"
echo 'hosts: files dns' > "$rootfs/etc/nsswitch.conf"

"$here/docker-archive.sh" "$rootfs" "$ref" "$out" '["node"]'
