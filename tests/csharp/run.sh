#!/usr/bin/env bash
# C# tests of the PowerShell module's interop layer.
#   bash tests/csharp/run.sh
# 1. The binary module (module/Kestrun.Rust.csproj: interop, runspace host, cmdlets) builds with dotnet build, warnings
#    as errors. Counts as one test.
# 2. xunit: the PowerShell-independent interop (module/Interop/Core) drives libkestrun_rust for real.
# 3. Static checks of the module's PowerShell sources that need no pwsh (tests/pester/lint: syntax through
#    tree-sitter-powershell, one documented function per Public file, a help file per compiled cmdlet, manifest
#    exports); a failure when node/npm or the npm registry is not available.
# The library is taken from KR_LIB, else target/debug, else target/release (this script does not build it).
# Ends with one line: `N passed, N failed`; exits non-zero when anything failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

case "$(uname -s)" in
  Darwin) libname=libkestrun_rust.dylib ;;
  MINGW* | MSYS* | CYGWIN*) libname=kestrun_rust.dll ;;
  *) libname=libkestrun_rust.so ;;
esac
lib=${KR_LIB:-}
if [[ -z $lib ]]; then
  for profile in debug release; do
    if [[ -f $root/target/$profile/$libname ]]; then lib=$root/target/$profile/$libname; break; fi
  done
fi
if [[ -z $lib || ! -f $lib ]]; then
  echo "libkestrun_rust not found (KR_LIB='${KR_LIB:-}'); build it first: cargo build -p kestrun_rust"
  echo "0 passed, 1 failed"
  exit 1
fi
export KR_LIB=$lib
echo "library: $KR_LIB"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet not found"
  echo "0 passed, 1 failed"
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Packages come from the configured NuGet feed; a local offline package folder is added when present.
restore_args=()
offline=${KR_NUGET_OFFLINE:-/opt/nuget/packages}
if [[ -d $offline ]]; then
  restore_args+=("-p:RestoreAdditionalProjectSources=$offline")
fi

passed=0 failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "=== the binary module: dotnet build module/Kestrun.Rust.csproj (net8.0, warnings are errors)"
if dotnet build "$root/module/Kestrun.Rust.csproj" -c Debug -nologo -v:q -o "$out/module" "${restore_args[@]}" 2>&1 | tee "$out/compile.log" | grep -E 'error|warn' ; [[ ${PIPESTATUS[0]} -eq 0 ]]; then
  echo "ok - module/Kestrun.Rust.csproj builds"
  passed=$((passed + 1))
else
  echo "not ok - interop compile check failed:"
  tail -n 30 "$out/compile.log"
  failed=$((failed + 1))
fi

echo "=== xunit: module/Interop/Core against $KR_LIB"
results="$out/results"
dotnet test "$here/InteropTests/Kestrun.Rust.Interop.Tests.csproj" -nologo "${restore_args[@]}" \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$out/test.log"
rc=${PIPESTATUS[0]}
trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [[ -n $trx ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  n=$(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")
  [[ $p =~ ^[0-9]+$ ]] || p=0
  [[ $f =~ ^[0-9]+$ ]] || f=0
  [[ $n =~ ^[0-9]+$ ]] || n=0
  if ((n)); then echo "!!! $n xunit tests were not executed (skipped): counted as failed"; f=$((f + n)); fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ $rc -ne 0 && $f -eq 0 ]]; then
    echo "!!! dotnet test exited $rc without failed tests"
    failed=$((failed + 1))
  fi
else
  echo "!!! dotnet test produced no results (exit $rc)"
  failed=$((failed + 1))
fi

echo "=== PowerShell static checks (no pwsh needed): tests/pester/lint/run.sh"
bash "$root/tests/pester/lint/run.sh" 2>&1 | tee "$out/lint.log"
rc=${PIPESTATUS[0]}
if [[ $rc -eq 3 ]]; then
  echo "!!! the PowerShell static checks could not be set up (see above): counted as failed"
  failed=$((failed + 1))
else
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/lint.log" | tail -n 1)
  if [[ -n $line ]]; then
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    passed=$((passed + p))
    failed=$((failed + f))
    if [[ $rc -ne 0 && $f -eq 0 ]]; then failed=$((failed + 1)); fi
  else
    echo "!!! the PowerShell static checks printed no result (exit $rc)"
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
