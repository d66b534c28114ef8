#!/bin/sh
# fetch-kernel.sh OUT - put Debian's current arm64 cloud kernel Image at OUT.
#
# The package is resolved at run time (linux-image-cloud-arm64 -> whatever
# linux-image-<abi>-cloud-arm64 it depends on today: the ABI is never pinned,
# old ones leave the archive) through a private apt state, so dpkg's own
# architectures and lists are never touched. The .deb and the Image are kept in
# the cache directory; the next run copies the Image from there without any
# network access.
#
#   KERNEL_CACHE    cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/rproc-bundle)
#   KERNEL_REFRESH  1: ask the archive again even if an Image is cached
#
# Debian's /boot/vmlinuz-*-arm64 is already a raw arm64 Image (not gzip).
set -eu

out=${1:?usage: fetch-kernel.sh OUT}
cache=${KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rproc-bundle}
meta=linux-image-cloud-arm64
record=$cache/$meta.Image          # the Image last fetched (a copy, not a link)

mkdir -p "$cache"
exec 9>"$cache/.lock"              # one fetch at a time (parallel builds, tests)
flock 9

if [ "${KERNEL_REFRESH:-0}" = 1 ] || [ ! -s "$record" ]; then
        apt="$cache/apt"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
        set -- -q -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
                -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
                -o Dir::State::status=/dev/null -o APT::Sandbox::User="$(id -un)"
        echo "fetch-kernel: apt-get update (arm64 lists in $apt)" >&2
        apt-get "$@" update >&2
        # "Depends: linux-image-6.1.0-NN-cloud-arm64" (the first such line)
        pkg=$(apt-cache "$@" depends "$meta" |
              sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-arm64\)$/\1/p' | head -n 1)
        if [ -z "$pkg" ]; then
                echo "fetch-kernel: error: $meta depends on no linux-image-*-cloud-arm64" >&2
                exit 1
        fi
        echo "fetch-kernel: $meta -> $pkg" >&2
        (cd "$cache" && apt-get "$@" download "$pkg" >&2)
        deb=$(ls -t "$cache/${pkg}"_*_arm64.deb | head -n 1)
        tmp=$(mktemp -d "$cache/x.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        dpkg-deb -x "$deb" "$tmp"
        img=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
        # the arm64 Image magic "ARM\x64" at offset 56
        if [ "$(dd if="$img" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 41524d64 ]; then
                echo "fetch-kernel: error: $img is not a raw arm64 Image (no ARM\\x64 magic at 56)" >&2
                exit 1
        fi
        cp "$img" "$record.tmp"
        basename "$img" >"$record.name.tmp"
        mv "$record.tmp" "$record"
        mv "$record.name.tmp" "$record.name"
        # older .debs of the same meta-package are no use any more
        for d in "$cache"/linux-image-*-cloud-arm64_*_arm64.deb; do
                [ "$d" = "$deb" ] || rm -f "$d"
        done
fi

echo "fetch-kernel: $(cat "$record.name" 2>/dev/null || echo Image) from $cache" >&2
mkdir -p "$(dirname "$out")"
cp "$record" "$out.tmp"
mv "$out.tmp" "$out"
