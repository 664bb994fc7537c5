#!/usr/bin/env bash
# Runs every test suite of Kestrun.Rust and ends with one line: `N passed, N failed[, N skipped]`.
#   bash tests/run-all.sh            # from the repository root
# Suites: Rust (cargo test --workspace), header freshness, C API (gcc), C API (Python ctypes),
# C API (C# / .NET, when dotnet is installed), PowerShell module (Pester 5, when pwsh is installed).
# Exit status is non-zero when any test failed or a suite could not run.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export KR_PROFILE=${KR_PROFILE:-debug}
export KR_LIB=${KR_LIB:-$root/target/$KR_PROFILE/libkestrun_rust.so}
logdir=${KR_TEST_LOGS:-$root/target/test-logs}
mkdir -p "$logdir"

total_pass=0 total_fail=0 total_skip=0
summary=()

record() { # suite passed failed [skipped]
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3)); total_skip=$((total_skip + ${4:-0}))
  summary+=("$(printf '%-12s %4s passed, %4s failed, %4s skipped' "$1" "$2" "$3" "${4:-0}")")
}

# A suite that prints `N passed, N failed` as its last such line. A suite that exits non-zero without
# reporting failures counts as one failure, so a crash is never read as success.
run_counted() { # name log command...
  local name=$1 log=$2; shift 2
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line p f s
  line=$(grep -E '^([A-Za-z#]+:? )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [[ -z $line ]]; then
    echo "!!! $name printed no 'N passed, N failed' line (exit $rc)"
    record "$name" 0 1; return
  fi
  p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
  s=0; [[ $line =~ ([0-9]+)\ skipped ]] && s=${BASH_REMATCH[1]}
  if [[ $rc -ne 0 && $f -eq 0 ]]; then echo "!!! $name exited $rc"; f=1; fi
  record "$name" "$p" "$f" "$s"
}

# 1. Rust
echo "=== build: cargo build --workspace"
if ! cargo build --workspace 2>&1 | tee "$logdir/build.log"; then
  record build 0 1
else
  echo "=== rust: cargo test --workspace"
  cargo test --workspace --no-fail-fast 2>&1 | tee "$logdir/rust.log"
  rc=${PIPESTATUS[0]}
  read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p + 0, f + 0 }' "$logdir/rust.log")
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  # Tests that need a missing tool (redis-server) print `SKIPPED <test>: <reason>` and return: not passes.
  sk=$(grep -c '^SKIPPED ' "$logdir/rust.log")
  p=$((p - sk))
  record rust "$p" "$f" "$sk"

  # 2. The committed header is what cbindgen generates from the sources.
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git ls-files --error-unmatch ffi/include/kestrun_rust.h >/dev/null 2>&1; then
    if git diff --exit-code -- ffi/include/kestrun_rust.h >/dev/null; then
      echo "ok - committed header is fresh"; record header 1 0
    else
      echo "not ok - ffi/include/kestrun_rust.h differs from the generated header:"; git diff --stat -- ffi/include
      record header 0 1
    fi
  fi

  # 3-4. The C API from C and from Python.
  run_counted c "$logdir/c.log" bash tests/c/run.sh
  run_counted python "$logdir/python.log" bash tests/python/run.sh

  # 5. The C API from C# (the module's interop layer), where a .NET SDK is installed.
  if [[ -f tests/csharp/run.sh ]]; then
    if command -v dotnet >/dev/null 2>&1; then
      run_counted csharp "$logdir/csharp.log" bash tests/csharp/run.sh
    else
      echo "=== csharp: skipped (no dotnet SDK on this machine)"; record csharp 0 0 1
    fi
  fi
fi

# 6. The PowerShell module.
pwsh_bin=${KR_PWSH:-$(command -v pwsh || true)}
if [[ -n $pwsh_bin ]]; then
  echo "=== module build: pwsh ./build.ps1 -Configuration ${KR_PROFILE^}"
  if "$pwsh_bin" -NoProfile -File ./build.ps1 -Configuration "${KR_PROFILE^}" 2>&1 | tee "$logdir/build-ps.log"; [[ ${PIPESTATUS[0]} -eq 0 ]]; then
    run_counted pester "$logdir/pester.log" "$pwsh_bin" -NoProfile -File tests/pester/Invoke-Tests.ps1
  else
    record pester 0 1
  fi
else
  echo "=== pester: skipped (pwsh not found; install PowerShell 7.4+ to run the module's tests)"
  record pester 0 0 1
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 ]]
