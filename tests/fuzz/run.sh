#!/bin/sh
# tests/fuzz/run.sh - build the libFuzzer target for the host-side kit and run it.
#
#   tests/fuzz/run.sh SECONDS            fuzz for SECONDS (nice'd), seeds from tests/fuzz/corpus
#   tests/fuzz/run.sh replay PATH...     run each file (or every file of each directory) once
#   tests/fuzz/run.sh build              only build; prints the binary's path
#
# Environment:
#   FUZZ_WORK   where the binary, the growing working corpus and crash
#               artifacts go (default tests/fuzz/build, git-ignored)
#   CC          a clang with libFuzzer (default clang)
#   FUZZ_ARGS   extra libFuzzer flags, e.g. "-jobs=1 -max_len=65536"
#
# A crash, leak, timeout or UBSan report makes libFuzzer exit non-zero and
# writes the input to $FUZZ_WORK/artifacts/; once the bug is fixed, keep that
# input in tests/fuzz/regressions/ (test_fuzz.py replays it forever).
# The seeds are written by make_seeds.py. The machine is shared: one fuzzer at
# a time, and it runs under nice.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$here/build}
bin=$work/fuzz_remote_fw

usage() {
        echo "usage: $0 SECONDS | replay PATH... | build" >&2
        exit 2
}

build() {
        mkdir -p "$work"
        ${CC:-clang} -g -O1 -std=gnu99 -Wall -Wextra -Werror \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer -I"$root/linker" \
                "$here/fuzz_remote_fw.c" "$root/linker/remote_fw.c" -o "$bin.tmp"
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
        mkdir -p "$work/corpus" "$work/artifacts"
        # shellcheck disable=SC2086
        exec nice -n 10 "$bin" -max_total_time="$1" -print_final_stats=1 \
                -use_value_profile=1 -timeout=10 -rss_limit_mb=2048 \
                -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
                "$work/corpus" "$here/corpus"
        ;;
esac
