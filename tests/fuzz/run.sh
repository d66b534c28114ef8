#!/bin/sh
# tests/fuzz/run.sh - build a libFuzzer target for the host-side kit and run it.
#
#   tests/fuzz/run.sh SECONDS            fuzz for SECONDS (nice'd), from the target's seeds
#   tests/fuzz/run.sh replay PATH...     run each file (or every file of each directory) once
#   tests/fuzz/run.sh build              only build; prints the binary's path
#
# Environment:
#   FUZZ_TARGET kit (default): fuzz_remote_fw.c on the kit's units, seeds corpus/;
#               openamp: fuzz_remote_fw_openamp.c, the OpenAMP image store's
#               open + load path through real OpenAMP (libmetal and open-amp
#               from OPENAMP_PREFIX, else built once by
#               tests/support/openamp.py from OPENAMP_SRC/LIBMETAL_SRC or
#               ../shared/third_party), seeds corpus/;
#               fit: fuzz_fit.c, remote_fw_fit_load (the FIT units), seeds corpus_fit/;
#               fitsig: fuzz_fit_sig.c, remote_fw_fit_load_opts with an RSA key
#               (the signature path), seeds corpus_fit_sig/;
#               auth: fuzz_auth.c, remote_fw_load_authenticated's reading of
#               the signed manifest (remote_fw_auth.c and the crypto units;
#               remote_fw_ed25519_verify wrapped, -Wl,--wrap), seeds corpus_auth/;
#               inflate: fuzz_inflate.c, remote_fw_inflate/remote_fw_gunzip
#               (remote_fw_inflate.c, remote_fw_inffast.c, remote_fw_crc32.c alone)
#               checked against zlib (-lz), seeds corpus_inflate/
#   FUZZ_WORK   where the binary, the growing working corpus and crash
#               artifacts go (default tests/fuzz/build, git-ignored)
#   CC          a clang with libFuzzer (default clang)
#   FUZZ_ARGS   extra libFuzzer flags, e.g. "-jobs=1 -max_len=65536"
#
# A crash, leak, timeout or UBSan report makes libFuzzer exit non-zero and
# writes the input to $FUZZ_WORK/artifacts/; once the bug is fixed, keep that
# input in tests/fuzz/regressions/ (test_fuzz.py replays it forever).
# The seeds are written by make_seeds.py, make_fit_seeds.py, make_fit_sig_seeds.py and
# make_auth_seeds.py. The machine
# is shared: one fuzzer at a time, and it runs under nice.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$here/build}
target=${FUZZ_TARGET:-kit}
seeds=$here/corpus
max_len=
case $target in
kit)     bin=$work/fuzz_remote_fw ;;
openamp) bin=$work/fuzz_remote_fw_openamp ;;
fit)     bin=$work/fuzz_fit; seeds=$here/corpus_fit; max_len=-max_len=262144 ;;
inflate) bin=$work/fuzz_inflate; seeds=$here/corpus_inflate; max_len=-max_len=65536 ;;
fitsig)  bin=$work/fuzz_fit_sig; seeds=$here/corpus_fit_sig; max_len=-max_len=16384 ;;
auth)    bin=$work/fuzz_auth; seeds=$here/corpus_auth; max_len=-max_len=32768 ;;
*)       echo "$0: FUZZ_TARGET is kit, openamp, fit, fitsig, auth or inflate, not '$target'" >&2; exit 2 ;;
esac

usage() {
        echo "usage: $0 SECONDS | replay PATH... | build" >&2
        exit 2
}

build() {
        mkdir -p "$work"
        flags="-g -O1 -std=gnu99 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined
               -fno-sanitize-recover=all -fno-omit-frame-pointer -I$root/linker"
        # the FIT targets take arm64 FITs, as the bootstrap of samples/aarch64-linux does
        fit_arch='-DREMOTE_FW_FIT_ARCH="arm64"'
        # the kit's units, as linker/bundle.mk lists them (REMOTE_FW_SOURCES, REMOTE_FW_FIT_SOURCES)
        k=$root/linker
        kit_src="$k/remote_fw.c $k/remote_fw_crc32.c $k/remote_fw_elf.c $k/remote_fw_rsc.c"
        fit_src="$k/remote_fw_fit.c $k/remote_fw_fdt.c $k/remote_fw_inflate.c $k/remote_fw_inffast.c
                 $k/remote_fw_sha256.c $k/remote_fw_sha1.c $k/remote_fw_boot.c $k/remote_fw_fit_sig.c $k/remote_fw_rsa.c"
        case $target in
        kit)
                # shellcheck disable=SC2086 # word splitting wanted
                ${CC:-clang} $flags "$here/fuzz_remote_fw.c" $kit_src -o "$bin.tmp"
                ;;
        fit)
                # shellcheck disable=SC2086
                ${CC:-clang} $flags "$fit_arch" "$here/fuzz_fit.c" $kit_src $fit_src -o "$bin.tmp"
                ;;
        fitsig)
                # shellcheck disable=SC2086
                ${CC:-clang} $flags "$fit_arch" "$here/fuzz_fit_sig.c" $kit_src $fit_src -o "$bin.tmp"
                ;;
        auth)
                # REMOTE_FW_AUTH_SOURCES of linker/bundle.mk
                auth_src="$k/remote_fw_auth.c $k/remote_fw_ed25519.c $k/remote_fw_sha512.c $k/remote_fw_sha256.c"
                # shellcheck disable=SC2086
                ${CC:-clang} $flags "$here/fuzz_auth.c" $kit_src $auth_src \
                        -Wl,--wrap=remote_fw_ed25519_verify -o "$bin.tmp"
                ;;
        inflate)
                # shellcheck disable=SC2086
                ${CC:-clang} $flags "$here/fuzz_inflate.c" "$k/remote_fw_inflate.c" \
                        "$k/remote_fw_inffast.c" "$k/remote_fw_crc32.c" -lz -o "$bin.tmp"
                ;;
        openamp)
                prefix=${OPENAMP_PREFIX:-}
                if [ -z "$prefix" ]; then
                        prefix=$(cd "$root" && ${PYTHON:-python3} -m tests.support.openamp) || exit 2
                fi
                # shellcheck disable=SC2086
                ${CC:-clang} $flags -I"$prefix/include" "$here/fuzz_remote_fw_openamp.c" \
                        "$k/remote_fw_openamp.c" $kit_src \
                        "$prefix/lib/libopen_amp.a" "$prefix/lib/libmetal.a" -o "$bin.tmp"
                ;;
        esac
        mv "$bin.tmp" "$bin"
}

[ $# -ge 1 ] || usage
case $1 in
build)
        build
        echo "$bin"
        ;;
replay)
        shift
        [ $# -ge 1 ] || usage
        build
        files=
        for p in "$@"; do
                if [ -d "$p" ]; then
                        for f in "$p"/*; do [ -f "$f" ] && files="$files $f"; done
                else
                        files="$files $p"
                fi
        done
        # shellcheck disable=SC2086 # word splitting wanted: file names have no spaces
        exec "$bin" -runs=1 $files
        ;;
*[!0-9]*|'')
        usage
        ;;
*)
        build
        mkdir -p "$work/corpus-$target" "$work/artifacts"
        # shellcheck disable=SC2086
        exec nice -n 10 "$bin" -max_total_time="$1" -print_final_stats=1 \
                -use_value_profile=1 -timeout=10 -rss_limit_mb=2048 $max_len \
                -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
                "$work/corpus-$target" "$seeds"
        ;;
esac
