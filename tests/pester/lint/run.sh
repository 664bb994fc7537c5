#!/usr/bin/env bash
# Static checks of the PowerShell sources without pwsh: syntax (tree-sitter-powershell), the structure of the
# public commands and their help, and the manifest's exports. Installs its two npm packages into a cache folder
# (KR_LINT_CACHE, default ~/.cache/kestrun-rust/powershell-lint). Last line: `N passed, N failed`.
# Exit status: 0 all passed, 1 a check failed, 3 the checker could not be set up (node/npm missing or no registry).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
cache=${KR_LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrun-rust/powershell-lint}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node/npm not found: PowerShell static checks skipped"
  exit 3
fi
mkdir -p "$cache"
if ! cmp -s "$here/package.json" "$cache/package.json" || [[ ! -d $cache/node_modules/web-tree-sitter || ! -d $cache/node_modules/tree-sitter-powershell ]]; then
  cp "$here/package.json" "$cache/package.json"
  if ! (cd "$cache" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >"$cache/npm-install.log" 2>&1); then
    echo "npm install of the checker failed (see $cache/npm-install.log): PowerShell static checks skipped"
    rm -f "$cache/package.json"
    exit 3
  fi
fi
cp "$here/check-powershell.mjs" "$cache/check-powershell.mjs"
seeds=${KR_SEEDS:-$root/../shared/seeds}
node "$cache/check-powershell.mjs" "$root" "$seeds/19.1-Sessions.ps1"
