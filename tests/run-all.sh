#!/usr/bin/env bash
# The second of the README's two commands: installs what the suites need, runs every suite of Kestrun.Rust and ends
# with one line: `N passed, N failed`.
#   bash tests/run-all.sh            # from anywhere
# Installs (each step idempotent, quick when already there; see tools/prereqs.sh): the vendored crates where no
# crates registry answers, PowerShell 7.6.9 as a .NET tool unless a pwsh >= 7.4 is on PATH, Pester 5.7.1 from
# NuGet, and Debian's gcc, python3, curl, redis-server, postgresql, openssl, nodejs and npm when missing.
# Suites: Rust (cargo test --workspace, with the header and C# bindings checks), C API (gcc), C API (Python
# ctypes), C API and interop (C# / .NET), PowerShell module (Pester 5). A prerequisite that cannot be had, and any test reported as skipped,
# count as failures with the reason printed: nothing is ever skipped silently.
# Exit status is non-zero when any test failed or a suite could not run.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export KR_PROFILE=${KR_PROFILE:-debug}
export KR_LIB=${KR_LIB:-$root/target/$KR_PROFILE/libkestrun_rust.so}
logdir=${KR_TEST_LOGS:-$root/target/test-logs}
mkdir -p "$logdir"
# shellcheck source=../tools/prereqs.sh
source "$root/tools/prereqs.sh"

total_pass=0 total_fail=0
summary=()

record() { # suite passed failed
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  summary+=("$(printf '%-22s %4s passed, %4s failed' "$1" "$2" "$3")")
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
  if ((s)); then echo "!!! $name reported $s skipped tests (counted as failed)"; f=$((f + s)); fi
  if [[ $rc -ne 0 && $f -eq 0 ]]; then echo "!!! $name exited $rc"; f=1; fi
  record "$name" "$p" "$f"
}

# 0. Prerequisites.
echo "=== prerequisites"
prereq_failed=0
need() { # name command...
  if ! "${@:2}"; then echo "!!! prerequisite not available: $1"; record "prereq:$1" 0 1; prereq_failed=1; return 1; fi
}
# PostgreSQL's server programs live in /usr/lib/postgresql/<version>/bin (the tests find them there);
# pg_ctlcluster (on PATH) tells that the package is installed.
need debian-packages kr_need_commands gcc:gcc python3:python3 curl:curl redis-server:redis-server \
  redis-cli:redis-server node:nodejs npm:npm pg_ctlcluster:postgresql openssl:openssl setpriv:util-linux pgrep:procps \
  sqlite3:sqlite3
need cargo kr_need_cargo
need dotnet command -v dotnet
have_pwsh=0
if need pwsh kr_need_pwsh; then
  have_pwsh=1
  need pester kr_need_pester || have_pwsh=0
fi

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
  if ((sk)); then echo "!!! $sk Rust tests were skipped (counted as failed):"; grep '^SKIPPED ' "$logdir/rust.log"; fi
  record rust "$((p - sk))" "$((f + sk))"

  # 2. (The committed header is checked against the sources by `cargo test -p kestrun_rust`: tests/header_fresh.rs.)

  # 3-4. The C API from C and from Python.
  run_counted c "$logdir/c.log" bash tests/c/run.sh
  run_counted python "$logdir/python.log" bash tests/python/run.sh

  # 5. The C API from C# (the module's interop layer).
  run_counted csharp "$logdir/csharp.log" bash tests/csharp/run.sh
fi

# 6. The PowerShell module: built with build.ps1, tested with Pester 5.
if ((have_pwsh)); then
  echo "=== module build: pwsh ./build.ps1 -Configuration ${KR_PROFILE^}"
  if "$KR_PWSH" -NoProfile -File ./build.ps1 -Configuration "${KR_PROFILE^}" -SkipNative 2>&1 | tee "$logdir/build-ps.log"; [[ ${PIPESTATUS[0]} -eq 0 ]]; then
    run_counted pester "$logdir/pester.log" "$KR_PWSH" -NoProfile -File tests/pester/Invoke-Tests.ps1
  else
    record pester 0 1
  fi
else
  echo "!!! pester: not run (PowerShell or Pester could not be had; see the prerequisites above)"
  record pester 0 1
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
