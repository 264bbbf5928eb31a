#!/usr/bin/env bash
# Builds the pod sandbox image: pause.c compiled statically with gcc, alone in the image.
# usage: build-pause-image.sh OUT_TAR [IMAGE_REF]   (default ref localhost/tutti/pause:1.0)
set -euo pipefail
out=$1 ref=${2:-localhost/tutti/pause:1.0}
here=$(cd "$(dirname "$0")" && pwd)
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"
${CC:-gcc} -static -Os -Wall -Werror -o "$rootfs/pause" "$here/pause.c"
strip "$rootfs/pause" 2>/dev/null || true
"$here/docker-archive.sh" "$rootfs" "$ref" "$out" '["/pause"]'
