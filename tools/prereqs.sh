#!/usr/bin/env bash
# Prerequisites of Kestrun.Rust, found or installed: sourced by examples/run-19.1.sh and tests/run-all.sh.
#   source tools/prereqs.sh; kr_need_cargo && kr_need_pwsh && kr_need_pester
# Every kr_need_* function is idempotent and quick when the thing is already there; it returns non-zero after
# printing why the thing could not be had (never a silent skip). Installs go to KR_TOOLS
# (default ~/.kestrun-rust-tools), or to the system through apt-get for Debian's packages.
#
#   KR_TOOLS         where PowerShell (a .NET tool) and Pester go
#   KR_PWSH_VERSION  the PowerShell version installed when no pwsh >= 7.4 is on PATH (default 7.6.9, the tested one)
#   KR_PESTER_VERSION  the Pester version installed when no Pester 5 is available (default 5.7.1)

KR_ROOT=${KR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KR_TOOLS=${KR_TOOLS:-$HOME/.kestrun-rust-tools}
KR_PWSH_VERSION=${KR_PWSH_VERSION:-7.6.9}
KR_PESTER_VERSION=${KR_PESTER_VERSION:-5.7.1}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

kr_say() { echo "prereqs: $*"; }

# kr_need_cargo: cargo on PATH, and a crate source it can reach. Where the crates registry is out of reach and
# ../shared/crates/offline-cargo.sh exists (this project's machines), cargo is pointed at the vendored crates.
kr_need_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    kr_say "cargo is not installed: install Rust 1.89 or newer (rustup or your distribution's package)"
    return 1
  fi
  local offline=$KR_ROOT/../shared/crates/offline-cargo.sh
  local config=${CARGO_HOME:-$HOME/.cargo}/config.toml
  if [[ -f $offline ]] && ! grep -q '^# kr-vendored-crates begin' "$config" 2>/dev/null; then
    bash "$offline" || { kr_say "$offline failed"; return 1; }
  fi
  return 0
}

# kr_pwsh_ok PATH: true when PATH runs PowerShell 7.4 or newer.
kr_pwsh_ok() {
  local v
  v=$("$1" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null) || return 1
  [[ $(printf '%s\n7.4\n' "${v%%-*}" | sort -V | head -n 1) == 7.4 ]]
}

# kr_need_pwsh: exports KR_PWSH (a pwsh >= 7.4) and puts it on PATH. Uses the pwsh on PATH when it is new enough,
# else the one in KR_TOOLS, else installs PowerShell as a .NET tool pinned to KR_PWSH_VERSION.
kr_need_pwsh() {
  local found
  found=$(command -v pwsh 2>/dev/null || true)
  if [[ -n $found ]] && kr_pwsh_ok "$found"; then
    export KR_PWSH=$found; return 0
  fi
  if [[ ! -x $KR_TOOLS/pwsh ]]; then
    if ! command -v dotnet >/dev/null 2>&1; then
      kr_say "PowerShell 7.4+ is not installed and there is no .NET SDK to install it with: install the .NET SDK (8 or newer) or PowerShell 7.4+"
      return 1
    fi
    kr_say "installing PowerShell $KR_PWSH_VERSION: dotnet tool install --tool-path $KR_TOOLS PowerShell --version $KR_PWSH_VERSION"
    mkdir -p "$KR_TOOLS"
    local out
    if ! out=$(dotnet tool install --tool-path "$KR_TOOLS" PowerShell --version "$KR_PWSH_VERSION" 2>&1); then
      kr_say "PowerShell could not be installed:"; sed 's/^/  | /' <<<"$out"
      return 1
    fi
  fi
  if ! kr_pwsh_ok "$KR_TOOLS/pwsh"; then
    kr_say "$KR_TOOLS/pwsh does not run PowerShell 7.4+ (delete $KR_TOOLS to reinstall)"
    return 1
  fi
  export PATH=$KR_TOOLS:$PATH KR_PWSH=$KR_TOOLS/pwsh
}

# kr_need_pester: Pester 5 importable by KR_PWSH. Installs Pester KR_PESTER_VERSION from NuGet by restoring a tiny
# project with a PackageDownload (no URL: the machine's configured NuGet sources) into KR_TOOLS/Modules.
kr_need_pester() {
  local modules=$KR_TOOLS/Modules
  export PSModulePath=$modules${PSModulePath:+:$PSModulePath}
  local probe='if (Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -eq 5 }) { exit 0 } else { exit 1 }'
  if "$KR_PWSH" -NoLogo -NoProfile -NonInteractive -Command "$probe" 2>/dev/null; then
    return 0
  fi
  kr_say "installing Pester $KR_PESTER_VERSION from NuGet into $modules"
  local work=$KR_TOOLS/pester-restore
  mkdir -p "$work"
  cat >"$work/pester-restore.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <!-- Downloads the Pester package only; nothing is built. Written by tools/prereqs.sh. -->
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$KR_PESTER_VERSION]" /></ItemGroup>
</Project>
EOF
  local out
  if ! out=$(dotnet restore "$work/pester-restore.csproj" --packages "$work/packages" 2>&1); then
    kr_say "Pester $KR_PESTER_VERSION could not be restored from NuGet:"; sed 's/^/  | /' <<<"$out"
    return 1
  fi
  local tools=$work/packages/pester/$KR_PESTER_VERSION/tools
  if [[ ! -f $tools/Pester.psd1 ]]; then
    kr_say "the Pester package has no tools/Pester.psd1 (looked in $tools)"
    return 1
  fi
  rm -rf "$modules/Pester/$KR_PESTER_VERSION" && mkdir -p "$modules/Pester"
  cp -r "$tools" "$modules/Pester/$KR_PESTER_VERSION"
  if ! "$KR_PWSH" -NoLogo -NoProfile -NonInteractive -Command "$probe"; then
    kr_say "Pester was installed into $modules but PowerShell does not find it"
    return 1
  fi
}

# kr_need_commands CMD:PACKAGE...: each command on PATH, else its Debian package installed with apt-get (as root,
# or through sudo without a password). Prints what is missing and returns 1 when it cannot be installed.
kr_need_commands() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
  done
  ((${#need[@]})) || return 0
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      kr_say "missing: ${need[*]}; install them (apt-get install ${need[*]}) or run as root"
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    kr_say "missing: ${need[*]} (no apt-get here: install them with your package manager)"
    return 1
  fi
  kr_say "installing Debian packages: ${need[*]}"
  local out
  export DEBIAN_FRONTEND=noninteractive
  if ! out=$("${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" 2>&1); then
    "${sudo[@]}" apt-get update -qq >/dev/null 2>&1
    if ! out=$("${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" 2>&1); then
      kr_say "apt-get install ${need[*]} failed:"; tail -n 5 <<<"$out" | sed 's/^/  | /'
      return 1
    fi
  fi
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || { kr_say "${pair%%:*} still missing after installing ${pair#*:}"; return 1; }
  done
}
