#!/usr/bin/env bash
# Installs the Debian packages Tutti uses, only those that are missing. Needs root for apt-get;
# without root it says what is missing and goes on (the process runtime needs none of them).
set -euo pipefail
PKGS=(iproute2 iptables nftables containerd runc containernetworking-plugins busybox-static docker-registry skopeo apache2-utils dnsmasq-base dnsutils conntrack python3-kubernetes)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "not root: cannot install ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
