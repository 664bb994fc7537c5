#!/usr/bin/env bash
# Runs the ctypes C API tests against $KR_LIB or target/${PROFILE:-debug}/libkestrun_rust.so:
# test_capi.py (the whole API) and test_redis.py (the Redis session store against a redis-server it starts;
# its Redis tests are reported as skipped, with the reason, when redis-server is not installed).
# Last line: `N passed, N failed[, N skipped]` (the sum of unittest's counts); exit status non-zero on failure.
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
rc=0 passed=0 failed=0 skipped=0
for t in test_capi.py test_redis.py; do
  echo "=== python3 tests/python/$t"
  out=$(mktemp)
  python3 -X faulthandler "$root/tests/python/$t" 2>&1 | tee "$out"
  trc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
  rm -f "$out"
  if [[ -z $line ]]; then
    echo "!!! $t printed no result line (exit $trc)"; failed=$((failed + 1)); rc=1; continue
  fi
  p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  s=0; [[ $line =~ ([0-9]+)\ skipped ]] && s=${BASH_REMATCH[1]}
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [[ $trc -ne 0 ]]; then rc=1; [[ $f -eq 0 ]] && failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
