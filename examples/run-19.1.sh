#!/usr/bin/env bash
# The first of the README's two commands: sets up whatever is missing (PowerShell as a .NET tool, the vendored
# crates where no crates registry answers), builds the module (release), then serves the 19.1 sessions sample
# (examples/19.1-Sessions.ps1, the tutorial's script unchanged) on https://127.0.0.1:8080 until Ctrl+C.
#   bash examples/run-19.1.sh              # port 8080, as in the tutorial's "Try it" transcript
#   bash examples/run-19.1.sh -Port 5000   # any argument goes to the script
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tools/prereqs.sh
source "$root/tools/prereqs.sh"

kr_need_cargo || exit 1
kr_need_pwsh || exit 1
"$KR_PWSH" -NoLogo -NoProfile -NonInteractive -File "$root/build.ps1" -Configuration Release

args=("$@")
((${#args[@]})) || args=(-Port 8080)
export PSModulePath=$root/out${PSModulePath:+:$PSModulePath}
echo
echo "Serving examples/19.1-Sessions.ps1 ${args[*]} — try: curl -k -c jar -b jar https://127.0.0.1:8080/session/counter"
echo "Ctrl+C stops the server."
exec "$KR_PWSH" -NoLogo -NoProfile -File "$root/examples/19.1-Sessions.ps1" "${args[@]}"
