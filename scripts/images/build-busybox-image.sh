#!/usr/bin/env bash
# Builds a busybox image from Debian's busybox-static (no internet needed): /bin/busybox, a symlink for
# every applet it lists, and the usual /etc files.
# usage: build-busybox-image.sh OUT_TAR [IMAGE_REF]   (default ref docker.io/library/busybox:1.35)
set -euo pipefail
out=$1 ref=${2:-docker.io/library/busybox:1.35}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
if ! "$busybox" --list-full >/dev/null 2>&1; then
  echo "build-busybox-image: $busybox is not a static busybox (apt-get install busybox-static)" >&2
  exit 1
fi
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,tmp,var/www,proc,sys,dev}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list-full); do
  [ "$applet" = bin/busybox ] && continue
  # Absolute target: valid from every directory depth.
  ln -sf /bin/busybox "$rootfs/$applet"
done
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
nogroup:x:65534:
GROUP
echo 'hosts: files dns' > "$rootfs/etc/nsswitch.conf"

"$here/docker-archive.sh" "$rootfs" "$ref" "$out" '["sh"]'
