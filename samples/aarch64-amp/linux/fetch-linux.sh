#!/bin/sh
# fetch-linux.sh OUT - Debian's arm64 kernel and what it takes to build modules
# for it, into the directory OUT:
#
#   OUT/Image       the kernel (linux-image-arm64 -> linux-image-<abi>-arm64)
#   OUT/version     "<package> <version>", e.g. "linux-image-6.1.0-57-arm64 6.1.192-3"
#   OUT/kbuild/     linux-headers-<abi>-arm64 + -common + linux-kbuild-<series>:amd64,
#                   unpacked into one root (make -C OUT/kbuild M=...)
#   OUT/rpmsg/      drivers/rpmsg of linux-source-<series> at the kernel's version
#   OUT/rpmsg_core.ko  the image's own rpmsg core module (CONFIG_RPMSG=m)
#   OUT/busybox     busybox from busybox-static:arm64
#
# Versions are resolved at run time through a private apt state (the ABI is
# never pinned: old ones leave the archive), so dpkg's own architectures and
# lists are never touched. Everything is unpacked once into a cache directory
# named by the exact version and renamed into place when complete; the next
# run copies from there without any network access.
#
#   KERNEL_CACHE    cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/rproc-bundle);
#                   this script keeps to its own subdirectory, linux-host/
#   KERNEL_REFRESH  1: ask the archive again even if a kernel is cached
#   KERNEL_META     the meta-package (default linux-image-arm64: the 6.1 series on bookworm)
set -eu

out=${1:?usage: fetch-linux.sh OUT}
root=${KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rproc-bundle}
cache=$root/linux-host
meta=${KERNEL_META:-linux-image-arm64}
current=$cache/current                 # names the last complete version directory

mkdir -p "$cache"
exec 9>"$cache/.lock"                  # one fetch at a time (parallel builds, tests)
flock 9

log() { echo "fetch-linux: $*" >&2; }

if [ "${KERNEL_REFRESH:-0}" = 1 ] || [ ! -s "$current" ] || [ ! -d "$cache/$(cat "$current")" ]; then
        apt="$cache/apt"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
        set -- -q -o APT::Architecture=amd64 -o APT::Architectures::=amd64 \
                -o APT::Architectures::=arm64 \
                -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
                -o Dir::State::status=/dev/null -o APT::Sandbox::User="$(id -un)"
        log "apt-get update (amd64 + arm64 lists in $apt)"
        apt-get "$@" update >&2
        # "Depends: linux-image-6.1.0-NN-arm64:arm64"
        pkg=$(apt-cache "$@" depends "$meta:arm64" |
              sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' | head -n 1)
        [ -n "$pkg" ] || { log "error: $meta depends on no linux-image-*-arm64"; exit 1; }
        ver=$(apt-cache "$@" show "$pkg:arm64" | sed -n 's/^Version: //p' | head -n 1)
        abi=${pkg#linux-image-}                        # 6.1.0-57-arm64
        series=$(echo "$abi" | sed 's/^\([0-9]*\.[0-9]*\)\..*/\1/')   # 6.1
        name="$abi-$ver"
        log "$meta -> $pkg $ver (series $series)"
        # a version directory, once renamed into place, is never rewritten
        if [ ! -d "$cache/$name" ]; then
                tmp=$(mktemp -d "$cache/x.XXXXXX")
                trap 'rm -rf "$tmp"' EXIT
                mkdir "$tmp/debs" "$tmp/new" "$tmp/new/kbuild"
                # the headers' own version is the image's; kbuild's and the source's too
                (cd "$tmp/debs" && apt-get "$@" download "$pkg:arm64=$ver" \
                        "linux-headers-$abi:arm64=$ver" "linux-headers-${abi%-arm64}-common=$ver" \
                        "linux-kbuild-$series:amd64=$ver" "linux-source-$series=$ver" \
                        "busybox-static:arm64" >&2)
                x=$tmp/x; mkdir "$x"
                dpkg-deb -x "$tmp/debs/${pkg}_"*.deb "$x/image"
                img=$(ls "$x"/image/boot/vmlinuz-* | head -n 1)
                # Debian's arm64 vmlinuz is a raw Image: "ARM\x64" at offset 56
                if [ "$(dd if="$img" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 41524d64 ]; then
                        log "error: $img is not a raw arm64 Image (no ARM\\x64 magic at 56)"; exit 1
                fi
                mv "$img" "$tmp/new/Image"
                cp "$x"/image/boot/config-* "$tmp/new/config"
                cp "$x"/image/lib/modules/*/kernel/drivers/rpmsg/rpmsg_core.ko "$tmp/new/"
                rm -rf "$x/image"
                for d in "$tmp"/debs/linux-headers-*.deb "$tmp"/debs/linux-kbuild-*.deb; do
                        dpkg-deb -x "$d" "$tmp/new/kbuild"
                done
                hdr=$tmp/new/kbuild/usr/src/linux-headers-$abi
                # its Makefile includes the -common tree by absolute path: point it here
                sed -i "s|/usr/src/|$cache/$name/kbuild/usr/src/|g" "$hdr/Makefile"
                # only drivers/rpmsg from the source tarball (xz still reads it all once)
                dpkg-deb -x "$tmp"/debs/linux-source-*.deb "$x/src"
                tar -xJf "$x"/src/usr/src/linux-source-"$series".tar.xz -C "$x" \
                        "linux-source-$series/drivers/rpmsg"
                mv "$x/linux-source-$series/drivers/rpmsg" "$tmp/new/rpmsg"
                dpkg-deb -x "$tmp"/debs/busybox-static_*.deb "$x/bb"
                mv "$x/bb/bin/busybox" "$tmp/new/busybox"
                echo "$pkg $ver" >"$tmp/new/version"
                mv "$tmp/new" "$cache/$name"
                rm -rf "$tmp"
                trap - EXIT
        fi
        echo "$name" >"$current.tmp"
        mv "$current.tmp" "$current"
        # older versions are no use any more (a build directory made from one
        # is brought to this one at its next run: OUT/version differs)
        for d in "$cache"/*-arm64-*; do
                [ "$d" = "$cache/$name" ] || rm -rf "$d"
        done
fi

src=$cache/$(cat "$current")
# OUT: copies of the small parts, a link to the headers (their Makefile names
# the cache path). Untouched when it already holds this version, so that the
# Makefile can run this script every time and rebuild only after a change;
# version is written last.
if cmp -s "$src/version" "$out/version" 2>/dev/null && [ -d "$out/kbuild/" ]; then
        exit 0
fi
log "$(cat "$src/version") from $src"
mkdir -p "$out"
rm -f "$out/version"
cp "$src/Image" "$out/Image.tmp" && mv "$out/Image.tmp" "$out/Image"
cp "$src/busybox" "$src/config" "$src/rpmsg_core.ko" "$out/"
ln -sfn "$src/kbuild/usr/src/linux-headers-$(sed 's/^linux-image-\([^ ]*\) .*/\1/' "$src/version")" "$out/kbuild"
rm -rf "$out/rpmsg" && cp -r "$src/rpmsg" "$out/rpmsg"
cp "$src/version" "$out/version"
