#!/usr/bin/env bash
# Instructions per point read by primary key under valgrind's callgrind: deterministic, unlike wall-clock
# time on a shared machine. Raw C and each CroftSQL read path (Row, RowView, each) are counted alone
# (--toggle-collect on the function that runs the 100,000 reads). Needs valgrind (apt-get install valgrind)
# and the release build: swift build -c release --scratch-path .build-bench   (about 2 minutes to run)
set -euo pipefail
cd "$(dirname "$0")"
bin=.build-bench/release/SQLBenchmark
[ -x "$bin" ] || { echo "build first: swift build -c release --scratch-path .build-bench" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "needs valgrind: apt-get install valgrind" >&2; exit 1; }
out=$(mktemp /tmp/croft-callgrind.XXXXXX)
# Valgrind 3.19 (Debian 12) gives up on the DWARF of a binary that links swift-crypto ("possibly corrupted
# debuginfo"): measure a copy without debug info (the symbol table, which --toggle-collect needs, stays).
stripped=$(mktemp /tmp/croft-sqlbench.XXXXXX)
trap 'rm -f "$out" "$stripped"' EXIT
strip --strip-debug -o "$stripped" "$bin"
chmod +x "$stripped"
count() {  # libraries, function to count
  BENCH_ROUNDS=1 BENCH_READS_ONLY=1 BENCH_POINT_ONLY=1 BENCH_LIBS=$1 valgrind --tool=callgrind \
    --callgrind-out-file="$out" "--toggle-collect=$2" "$stripped" > /dev/null 2>&1
  grep -m1 '^summary:\|^totals:' "$out" | awk '{print $2}'
}
symbol() { nm "$bin" | awk '{print $3}' | grep -E "$1" | head -1; }
raw=$(count raw,croft "$(symbol 'RawLibraryC10pointReadsySiSays5Int64VGKF$')")
echo "raw C: $((raw / 100000)) instructions per read"
for path in Row View Each; do
  libraries=croft; [ $path = View ] && libraries=croft,croft-view; [ $path = Each ] && libraries=croft,croft-each
  n=$(count $libraries "$(symbol "pointReadsThrough${path}ySi0B3SQL10ConnectionC_Says5Int64VGtKFZ(Tf4nnd_n)?$")")
  echo "CroftSQL $path: $((n / 100000)) instructions per read, $((raw * 100 / n))% of raw C"
done
