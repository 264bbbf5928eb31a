#!/usr/bin/env bash
# Packs a root filesystem directory into a single-layer docker-archive tar that `ctr images import` and
# `docker load` accept. Reproducible: fixed mtimes, owners and file order, so equal inputs give equal digests.
# usage: docker-archive.sh ROOTFS_DIR IMAGE_REF OUT_TAR CMD_JSON
#   e.g. docker-archive.sh ./rootfs docker.io/library/busybox:1.35 busybox.tar '["sh"]'
set -euo pipefail
rootfs=$1 ref=$2 out=$3 cmd=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$rootfs" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/$diff_id"
mv "$work/layer.tar" "$work/$diff_id/layer.tar"

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$arch" "$cmd" "$diff_id" > "$work/config.json"
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_id" "$ref" "$diff_id" \
  > "$work/manifest.json"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.tmp" \
  manifest.json "$config_id.json" "$diff_id"
mv "$out.tmp" "$out"
