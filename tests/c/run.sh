#!/usr/bin/env bash
# Compiles tests/c/test_capi.c against ffi/include/kestrun_rust.h and runs it against
# target/${PROFILE:-debug}/libkestrun_rust.so (or $KR_LIB). Last line: `N passed, N failed`.
#   bash tests/c/run.sh                 # debug build (built first when missing)
#   PROFILE=release bash tests/c/run.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
profile=${PROFILE:-${KR_PROFILE:-debug}}
lib=${KR_LIB:-$root/target/$profile/libkestrun_rust.so}
if [[ ! -f $lib ]]; then
  if [[ $profile == release ]]; then cargo build -p kestrun_rust --release; else cargo build -p kestrun_rust; fi
fi
command -v gcc >/dev/null || { echo "gcc not found"; echo "0 passed, 1 failed"; exit 1; }
command -v curl >/dev/null || { echo "curl not found"; echo "0 passed, 1 failed"; exit 1; }
libdir=$(cd "$(dirname "$lib")" && pwd)
out=$root/tests/c/build
mkdir -p "$out"
# -rpath: the test binary finds the library where it was built, without LD_LIBRARY_PATH.
gcc -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-unused-result \
  -I "$root/ffi/include" "$root/tests/c/test_capi.c" \
  -o "$out/test_capi" -L "$libdir" -lkestrun_rust -Wl,-rpath,"$libdir" -pthread
exec "$out/test_capi"
