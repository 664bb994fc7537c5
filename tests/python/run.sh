#!/usr/bin/env bash
# Runs the ctypes C API test against $KR_LIB or target/${PROFILE:-debug}/libkestrun_rust.so.
# Last line: `N passed, N failed` (unittest's counts); exit status non-zero on failure.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
profile=${PROFILE:-${KR_PROFILE:-debug}}
export KR_PROFILE=$profile
export KR_LIB=${KR_LIB:-$root/target/$profile/libkestrun_rust.so}
if [[ ! -f $KR_LIB ]]; then
  if [[ $profile == release ]]; then cargo build -p kestrun_rust --release; else cargo build -p kestrun_rust; fi
fi
command -v python3 >/dev/null || { echo "python3 not found"; echo "0 passed, 1 failed"; exit 1; }
python3 -X faulthandler "$root/tests/python/test_capi.py" 2>&1
rc=$?
exit $rc
