#!/usr/bin/env bash
# Build the local stand-ins for the official base images (no container registry is reachable
# here): gatehouse-local/{debian:bookworm,node:24,postgres:17,redis:7,nginx:1.27}.
#
# Needs root, debootstrap, and a Docker engine at DOCKER_HOST (see dockerd.sh).
# Only images that are missing, or whose build context changed, are built; a warm run takes
# seconds. GATEHOUSE_BASE_REBUILD=1 forces a fresh debootstrap and rebuilds everything.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
contexts=$here/base-images
# Outside the clone: survives fresh checkouts and keeps the repo free of a 100 MB root fs.
cache=${GATEHOUSE_DOCKER_CACHE:-/var/cache/gatehouse-docker}
mirror=${GATEHOUSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
rootfs_tar=$cache/debian-bookworm-rootfs.tar
debian=gatehouse-local/debian:bookworm

log() { echo "[base-images] $*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

if ! docker info >/dev/null 2>&1; then
  log "no Docker engine answers at ${DOCKER_HOST:-the default socket}"
  log "start one with: eval \"\$($here/dockerd.sh start)\""
  exit 1
fi
mkdir -p "$cache/logs" "$cache/debs"

if [[ ${GATEHOUSE_BASE_REBUILD:-} == 1 ]]; then
  log "GATEHOUSE_BASE_REBUILD=1: dropping cached root fs and images"
  rm -f "$rootfs_tar"
  for img in node:24 postgres:17 redis:7 nginx:1.27 debian:bookworm; do
    docker image rm "gatehouse-local/$img" >/dev/null 2>&1 || true
  done
fi

# Apt set-up the official debian image has and our Dockerfiles rely on.
configure_rootfs() {
  local root=$1
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Package installs in `docker build` must not try to start services (there is no init).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  # Keep layers small: no .deb cache, no translations.
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  # Machines whose egress goes through a TLS-inspecting proxy trust its CA locally; without it
  # npm (https) fails inside builds with SELF_SIGNED_CERT_IN_CHAIN. Certificates only, no keys.
  local crt
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [[ -f $crt ]] || continue
    log "debian: trusting host CA $(basename "$crt")"
    cp "$crt" "$root/usr/local/share/ca-certificates/"
  done
  chroot "$root" update-ca-certificates >/dev/null 2>&1
  # debootstrap copies these from the host; Docker provides its own per container.
  : >"$root/etc/resolv.conf"
  rm -f "$root/etc/hostname"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
}

build_debian() {
  if have_image "$debian"; then
    log "debian: $debian present"
    return
  fi
  if [[ ! -s $rootfs_tar ]]; then
    command -v debootstrap >/dev/null || { log "debootstrap missing (apt-get install debootstrap)"; exit 1; }
    local root
    root=$(mktemp -d "$cache/rootfs.XXXXXX")
    log "debian: debootstrap --variant=minbase bookworm (log $cache/logs/debootstrap.log)"
    if ! debootstrap --variant=minbase --include=ca-certificates --cache-dir="$cache/debs" \
        bookworm "$root" "$mirror" >"$cache/logs/debootstrap.log" 2>&1; then
      tail -n 30 "$cache/logs/debootstrap.log" >&2
      rm -rf "$root"
      exit 1
    fi
    configure_rootfs "$root"
    log "debian: packing root fs to $rootfs_tar"
    # /dev is left empty: Docker mounts its own, and device nodes in layers buy nothing.
    tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
      -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$root"
  fi
  log "debian: docker import -> $debian"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$rootfs_tar" "$debian" >/dev/null
}

# Rebuild when the context files or the debian base changed, not only when the tag is missing.
context_hash() {
  { docker image inspect -f '{{.Id}}' "$debian"
    (cd "$contexts/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

build_image() { # context-dir tag
  local name=$1 tag=gatehouse-local/$1:$2 hash current
  hash=$(context_hash "$name")
  current=$(docker image inspect -f '{{index .Config.Labels "gatehouse.context-hash"}}' "$tag" 2>/dev/null || true)
  if [[ $current == "$hash" ]]; then
    log "$name: $tag up to date"
    return
  fi
  log "$name: docker build -> $tag (log $cache/logs/$name.log)"
  local start=$SECONDS
  if ! docker build --label "gatehouse.context-hash=$hash" -t "$tag" "$contexts/$name" \
      >"$cache/logs/$name.log" 2>&1; then
    log "$name: build FAILED; last lines:"
    tail -n 40 "$cache/logs/$name.log" >&2
    exit 1
  fi
  log "$name: built in $((SECONDS - start))s"
}

build_debian
build_image node 24
build_image postgres 17
build_image redis 7
build_image nginx 1.27
log "all base images ready"
