#!/usr/bin/env bash
# Kestrun.Rust benchmark suite: builds the workspace in release mode, runs every scenario against
# servers on 127.0.0.1 with wrk, prints ONE table and rewrites bench/RESULTS.md with it.
#
#   bash bench/run.sh                      # from anywhere; about 3 minutes (plus the build) without pwsh
#
# Every figure is measured in this run next to the bare actix-web baseline (bench/src/bin/baseline.rs,
# same vendored crates): the "vs base" column is req/s divided by the baseline's req/s on the same
# scheme (HTTP or HTTPS). Peak RSS is VmHWM of the server process (one fresh process per row).
#
# Settings (environment):
#   KR_BENCH_DURATION      measured wrk run per row, seconds (default 5; "5s" accepted)
#   KR_BENCH_WARMUP        wrk warm-up before each measured run, seconds (default 1; 0 = none)
#   KR_BENCH_PS_WARMUP     warm-up of the PowerShell rows, seconds (default 10: .NET's tiered JIT keeps
#                          recompiling hot methods for several seconds after start; measured in a profile)
#   KR_BENCH_THREADS       wrk threads (default 2)
#   KR_BENCH_CONNECTIONS   wrk connections (default 32)
#   KR_BENCH_COOKIES       sessions in the "many sessions" rows (default 64)
#   KR_BENCH_SESSIONS      sessions created for the memory row (default 100000)
#   KR_BENCH_CREATE_LIMIT  time bound of the session creation run, seconds (default 120)
#   KR_BENCH_RESULTS       file rewritten with the table (default bench/RESULTS.md; "-" = none)
#   KR_BENCH_SKIP_BUILD=1  use the binaries already in target/release
# Logs of the last run (build, servers, wrk) are kept in target/bench/.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds() { # "5s" / "5" -> 5
  local v=${1%s}
  [[ $v =~ ^[0-9]+$ ]] || { echo "run.sh: '$1' is not a number of seconds" >&2; exit 2; }
  echo "$v"
}
DURATION=$(seconds "${KR_BENCH_DURATION:-5}")
WARMUP=$(seconds "${KR_BENCH_WARMUP:-1}")
PS_WARMUP=$(seconds "${KR_BENCH_PS_WARMUP:-10}")
THREADS=${KR_BENCH_THREADS:-2}
CONNS=${KR_BENCH_CONNECTIONS:-32}
COOKIES=${KR_BENCH_COOKIES:-64}
SESSIONS=${KR_BENCH_SESSIONS:-100000}
CREATE_LIMIT=$(seconds "${KR_BENCH_CREATE_LIMIT:-120}")
RESULTS=${KR_BENCH_RESULTS:-$root/bench/RESULTS.md}
(( DURATION > 0 && THREADS > 0 && CONNS >= THREADS && COOKIES > 0 && SESSIONS > 0 )) || {
  echo "run.sh: invalid settings" >&2; exit 2; }

logs=$root/target/bench
rm -rf "$logs"; mkdir -p "$logs"
rows=$logs/rows.tsv; : >"$rows"
notes=()

# ---------------------------------------------------------------------------------------------------
# Processes: everything started here (servers, wrk, pwsh) runs in a process group of its own: `setsid`
# execs it in place as the leader of a new session and group (its PID is the group id: a background job
# of this script is never a group leader, so setsid does not fork; -w would keep the exit code if it
# did). Stopping ends the whole group: `pwsh` may be a launcher (the dotnet tool) that runs the real
# PowerShell as a child, which a kill of the PID alone would leave running. Every group is recorded and
# ended on exit, whatever happens; a token in the environment of what is started tells the groups of
# this run from a later group that reuses the id. Without setsid (or /proc) processes are started and
# stopped by PID.
GROUP_TOKEN="$$-$(date +%s%N)"
export KR_BENCH_GROUP_TOKEN=$GROUP_TOKEN
SETSID=()
if command -v setsid >/dev/null 2>&1 && [[ -r /proc/self/stat ]]; then SETSID=(setsid -w); fi
groups=() # every group started (leader PIDs), ended again on exit

# group_members PGID: PIDs of the live processes (zombies left out) of the group that carry this run's
# token (a process whose environment cannot be read, e.g. one that is exiting, counts).
group_members() {
  local g=$1 f p line env
  local -a st
  for f in /proc/[0-9]*/stat; do
    { IFS= read -r line <"$f"; } 2>/dev/null || continue
    read -r -a st <<<"${line##*) }" # fields from the state on: state ppid pgrp ...
    [[ ${st[2]} == "$g" && ${st[0]} != [ZXx] ]] || continue
    p=${f#/proc/}; p=${p%/stat}
    env=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ")
    [[ -z $env ]] || grep -qxF "KR_BENCH_GROUP_TOKEN=$GROUP_TOKEN" <<<"$env" || continue
    echo "$p"
  done
}
group_alive() { # pgid -> 0 while a process of the group lives
  if ((${#SETSID[@]})); then [[ -n $(group_members "$1") ]]; else kill -0 "$1" 2>/dev/null; fi
}
signal_group() { # signal pgid
  if ((${#SETSID[@]})); then kill -"$1" -- "-$2" 2>/dev/null; else kill -"$1" "$2" 2>/dev/null; fi
}

# spawn CMD...: starts CMD in the background in a group of its own (redirections of the call apply);
# sets SPAWN_PID (the group id) and records the group.
spawn() {
  "${SETSID[@]}" "$@" &
  SPAWN_PID=$!
  groups+=("$SPAWN_PID")
}

stop_group() { # pgid -> TERM to the whole group, up to 10 s, then KILL; sets STOP_STATUS (the leader's exit status)
  local pid=$1 i rc
  STOP_STATUS=0
  if group_alive "$pid"; then
    signal_group TERM "$pid"
    for ((i = 0; i < 100; i++)); do
      group_alive "$pid" || break
      sleep 0.1
    done
    if group_alive "$pid"; then
      signal_group KILL "$pid"
      STOP_STATUS=killed
      for ((i = 0; i < 50; i++)); do
        group_alive "$pid" || break
        sleep 0.1
      done
      group_alive "$pid" && echo "run.sh: process group $pid survived SIGKILL" >&2
    fi
  fi
  wait "$pid" 2>/dev/null; rc=$?
  [[ $STOP_STATUS == killed ]] || STOP_STATUS=$rc
}
cleanup() { # ends every group started by this run that still has a live process
  local p list=("${groups[@]}")
  for p in "${list[@]}"; do group_alive "$p" && stop_group "$p"; done
  return 0
}
# bounded CMD...: runs a bounded client (wrk, pwsh script) as a recorded group and waits for it, so a
# TERM / Ctrl+C reaches the traps at once and cleanup stops the client too.
bounded() {
  local rc
  spawn "$@"
  wait "$SPAWN_PID"; rc=$?
  stop_group "$SPAWN_PID"
  return "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'echo "run.sh: terminated" >&2; exit 143' TERM

# start_server NAME CMD... : starts a server that prints `http <port>` [`https <port>`] `ready`.
# Sets SRV_PID, HTTP_PORT, HTTPS_PORT. Returns 1 if it died or was not ready within 60 s.
start_server() {
  local name=$1; shift
  local out=$logs/$name.out err=$logs/$name.err i
  spawn "$@" >"$out" 2>"$err"
  SRV_PID=$SPAWN_PID
  for ((i = 0; i < 600; i++)); do
    grep -qx ready "$out" 2>/dev/null && break
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -qx ready "$out" 2>/dev/null; then
    echo "!!! $name did not start (log: ${err#"$root"/})" >&2
    tail -n 5 "$err" >&2
    stop_group "$SRV_PID"
    return 1
  fi
  HTTP_PORT=$(awk '$1 == "http" { print $2 }' "$out")
  HTTPS_PORT=$(awk '$1 == "https" { print $2 }' "$out")
}

# start_pwsh_server NAME ARGS... : pwsh bench/ps/server.ps1 on free ports (in a group of its own, so the
# real PowerShell under a launcher is stopped too); waits for GET /hello.
start_pwsh_server() {
  local name=$1; shift
  HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port "$HTTP_PORT")
  spawn pwsh -NoLogo -NoProfile -NonInteractive -File "$root/bench/ps/server.ps1" -ModulePath "$PS_MODULE" \
    -Port "$HTTP_PORT" -HttpsPort "$HTTPS_PORT" "$@" >"$logs/$name.out" 2>"$logs/$name.err"
  SRV_PID=$SPAWN_PID
  local i
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$SRV_PID" 2>/dev/null || break
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$HTTP_PORT/hello" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "!!! $name did not answer GET /hello (log: ${logs#"$root"/}/$name.out, .err)" >&2
  tail -n 5 "$logs/$name.err" "$logs/$name.out" >&2
  stop_group "$SRV_PID"
  return 1
}

free_port() { # a TCP port nothing listens on, different from $1
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    [[ $p == "${1:-}" ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

proc_kb() { # pid field -> kB (VmHWM / VmRSS)
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}
group_kb() { # pgid field -> the largest kB (VmHWM / VmRSS) of the group's processes: the server itself when
  # pwsh is a launcher running the real PowerShell as a child
  local p kb max=0
  if ((${#SETSID[@]})); then
    for p in $(group_members "$1"); do
      kb=$(proc_kb "$p" "$2")
      [[ -n $kb ]] && (( kb > max )) && max=$kb
    done
  fi
  (( max > 0 )) || max=$(proc_kb "$1" "$2")
  echo "$max"
}

# session_cookie URL -> `Kr.Session=...` taken from the Set-Cookie of one request (empty if none)
session_cookie() {
  curl -ksS -D - -o /dev/null --max-time 10 "$1" 2>/dev/null | tr -d '\r' |
    sed -nE 's/^[Ss]et-[Cc]ookie: *(Kr\.Session=[^;]*).*/\1/p' | head -n 1
}

# cookie_file URL N FILE -> N cookies of N new sessions, one per line; returns 1 if one is missing
cookie_file() {
  local url=$1 n=$2 file=$3 i c
  : >"$file"
  for ((i = 0; i < n; i++)); do
    c=$(session_cookie "$url")
    [[ -n $c ]] || return 1
    echo "$c" >>"$file"
  done
}

# ---------------------------------------------------------------------------------------------------
# wrk runs. run_wrk NAME URL [LUA] [wrk args...]: warm-up (discarded) then the measured run; sets
# R_REQ, R_RPS, R_P50, R_P99 (ms), R_ERR, R_ERR_DETAIL (W_REQ: answers of the warm-up). Returns 1 when
# wrk printed no result.
run_wrk() {
  local name=$1 url=$2 lua=${3:-}; shift 3
  local script=$logs/$name.lua
  cat "$root/bench/lua/report.lua" >"$script"
  [[ -n $lua ]] && cat "$root/bench/lua/$lua" >>"$script"
  W_REQ=0
  if (( WARMUP > 0 )); then
    bounded timeout -k 5 $((WARMUP + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$script" "$@" "$url" \
      >"$logs/$name.warmup.txt" 2>&1
    W_REQ=$(sed -nE 's/^KRBENCH requests=([0-9]+).*/\1/p' "$logs/$name.warmup.txt" | tail -n 1)
    W_REQ=${W_REQ:-0}
  fi
  bounded timeout -k 5 $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$script" "$@" "$url" \
    >"$logs/$name.wrk.txt" 2>&1
  parse_wrk "$logs/$name.wrk.txt"
}

parse_wrk() { # file -> R_* from the KRBENCH line
  local line
  line=$(grep '^KRBENCH ' "$1" | tail -n 1)
  [[ -n $line ]] || { echo "!!! no wrk result in ${1#"$root"/}" >&2; tail -n 5 "$1" >&2; return 1; }
  local K_requests=0 K_duration_us=0 K_p50_us=0 K_p99_us=0 K_max_us=0 K_err_connect=0 K_err_read=0 K_err_write=0 K_err_status=0 K_err_timeout=0
  eval "$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^[a-z0-9_]+$/ && kv[2] ~ /^[0-9.]+$/) printf "K_%s=%s\n", kv[1], kv[2] } }' <<<"$line")"
  R_REQ=$K_requests
  R_RPS=$(awk -v r="$K_requests" -v d="$K_duration_us" 'BEGIN { printf "%.0f", ((d > 0) ? r / (d / 1e6) : 0) }')
  R_P50=$(awk -v v="$K_p50_us" 'BEGIN { printf "%.2f", v / 1000 }')
  R_P99=$(awk -v v="$K_p99_us" 'BEGIN { printf "%.2f", v / 1000 }')
  R_ERR=$((K_err_connect + K_err_read + K_err_write + K_err_status + K_err_timeout))
  R_ERR_STATUS=$K_err_status
  R_ERR_DETAIL="connect $K_err_connect, read $K_err_read, write $K_err_write, status $K_err_status, timeout $K_err_timeout"
}

# ---------------------------------------------------------------------------------------------------
# Table rows: scenario, req/s, vs base, p50, p99, errors, peak RSS, target, result (tab-separated).
commas() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
add_row() { local IFS=$'\t'; echo "$*" >>"$rows"; }
skip_row() { add_row "$1" — — — — — — "$2" "$3"; }
ms() { echo "$1 ms"; }

# measured_row SCENARIO SCHEME TARGET RESULT (uses R_* and PEAK_KB). The ratio to the baseline is
# written as a placeholder `@R:<rps>:<scheme>` (and a ratio verdict as `@V:<rps>:<scheme>:<min>`),
# resolved when the table is printed, once both baseline runs are known.
measured_row() {
  add_row "$1" "$(commas "$R_RPS")" "@R:$R_RPS:$2" "$(ms "$R_P50")" "$(ms "$R_P99")" \
    "$(commas "$R_ERR")" "$(mb "${PEAK_KB:-0}")" "$3" "$4"
  [[ $R_ERR -gt 0 ]] && notes+=("$1: wrk errors: $R_ERR_DETAIL.")
  return 0
}

verdict_ratio() { echo "@V:$1:$2:$3"; } # rps scheme min_ratio -> placeholder (see measured_row)

# ---------------------------------------------------------------------------------------------------
echo "=== Kestrun.Rust benchmarks: wrk -t$THREADS -c$CONNS -d${DURATION}s (warm-up ${WARMUP}s), 127.0.0.1"

if ! command -v wrk >/dev/null 2>&1; then
  echo "=== installing wrk (apt-get install -y wrk)"
  apt-get install -y wrk >"$logs/apt.log" 2>&1 || { apt-get update >>"$logs/apt.log" 2>&1 && apt-get install -y wrk >>"$logs/apt.log" 2>&1; }
  command -v wrk >/dev/null 2>&1 || { echo "run.sh: wrk is missing and could not be installed (see target/bench/apt.log)" >&2; exit 1; }
fi
for tool in curl gcc cargo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is required" >&2; exit 1; }
done

lib_ok=1 baseline_ok=1
if [[ ${KR_BENCH_SKIP_BUILD:-0} != 1 ]]; then
  echo "=== build: cargo build --release --workspace (log: target/bench/build.log)"
  if ! nice -n 10 cargo build --release --workspace >"$logs/build.log" 2>&1; then
    lib_ok=0
    tail -n 20 "$logs/build.log" >&2
    echo "!!! the workspace does not build: building the baseline alone; native rows are marked failed" >&2
    notes+=("The workspace did not build in release mode (target/bench/build.log): only the baseline ran.")
    nice -n 10 cargo build --release -p kestrun_bench >>"$logs/build.log" 2>&1 || baseline_ok=0
  fi
fi
baseline_bin=$root/target/release/baseline
lib=$root/target/release/libkestrun_rust.so
server_bin=$root/target/release/bench_server
[[ -x $baseline_bin ]] || baseline_ok=0
[[ -f $lib ]] || lib_ok=0
if (( lib_ok )); then
  echo "=== build: gcc bench/c/bench_server.c -> target/release/bench_server"
  if ! gcc -std=c11 -O2 -Wall -Wextra -I "$root/ffi/include" "$root/bench/c/bench_server.c" \
      -o "$server_bin" -L "$root/target/release" -lkestrun_rust -Wl,-rpath,"$root/target/release" -pthread \
      >"$logs/gcc.log" 2>&1; then
    cat "$logs/gcc.log" >&2
    lib_ok=0
    notes+=("bench/c/bench_server.c did not compile against ffi/include/kestrun_rust.h (target/bench/gcc.log).")
  fi
fi

loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------
# 1. Baseline: bare actix-web hello world, HTTP and HTTPS; measured first and again last. The
# reference of the "vs base" column is the mean of the two runs of a scheme, so slow drift of the
# machine (other work) shows as the two baseline rows' ratios instead of skewing every row.
BASE_RUNS_http="" BASE_RUNS_https=""
baseline_rows() { # label prefix
  local scheme label port
  for scheme in http https; do
    label="$1 GET /hello, ${scheme^^}"
    if (( ! baseline_ok )); then skip_row "$label" — "failed: baseline did not build"; continue; fi
    echo "=== $label"
    if ! start_server "baseline-$scheme" "$baseline_bin" 0 0; then skip_row "$label" — "failed: did not start"; continue; fi
    port=$HTTP_PORT; [[ $scheme == https ]] && port=$HTTPS_PORT
    if run_wrk "baseline-$scheme" "$scheme://127.0.0.1:$port/hello" ""; then
      PEAK_KB=$(proc_kb "$SRV_PID" VmHWM)
      if [[ $scheme == http ]]; then BASE_RUNS_http+=" $R_RPS"; else BASE_RUNS_https+=" $R_RPS"; fi
      measured_row "$label" "$scheme" "(the baseline)" "—"
    else
      skip_row "$label" — "failed: no wrk result"
    fi
    stop_group "$SRV_PID"
  done
}
baseline_rows "1. baseline: bare actix-web,"

# ---------------------------------------------------------------------------------------------------
# 2. + 3. Native routes through the C API (function-pointer callbacks), HTTP and HTTPS.
SESSION_TARGET="≥ 0.60× base"
# Rows: what|scheme|callback threads ("" = the library's default, 2 × cores). The "tuned" rows give the
# server as many callback threads as wrk has connections, to show what the default costs.
NATIVE_ROWS=(
  "hello|http|" "hello|https|" "hello|http|$CONNS"
  "one|http|" "one|https|"
  "many|http|" "many|https|" "many|http|$CONNS"
  "new|http|"
)
# request_setup WHAT SCHEME TAG: sets url, lua, extra, cookie, ok for a row of the server on HTTP_PORT /
# HTTPS_PORT: hello -> /hello; one -> /session/counter with one session's cookie; many -> $COOKIES cookies
# rotated by cookies.lua; new -> /session/counter without a cookie.
request_setup() {
  local what=$1 scheme=$2 tag=$3 port=$HTTP_PORT
  [[ $scheme == https ]] && port=$HTTPS_PORT
  url="$scheme://127.0.0.1:$port"; lua=""; extra=(); cookie=""; ok=1
  case $what in
    hello) url+="/hello" ;;
    one)
      cookie=$(session_cookie "http://127.0.0.1:$HTTP_PORT/session/counter")
      [[ -n $cookie ]] || ok=0
      extra=(-H "Cookie: $cookie"); url+="/session/counter" ;;
    many)
      local cookies=$logs/$tag-cookies.txt
      cookie_file "http://127.0.0.1:$HTTP_PORT/session/counter" "$COOKIES" "$cookies" || ok=0
      export KR_BENCH_COOKIE_FILE=$cookies; lua=cookies.lua; url+="/session/counter" ;;
    new) url+="/session/counter" ;;
  esac
}

declare -A NATIVE_RPS=() # what|scheme -> req/s of the C route with the default callback threads
native_rows() {
  local entry scheme what threads label port url cookie lua result cookies target ok extra server_args tag
  for entry in "${NATIVE_ROWS[@]}"; do
    IFS='|' read -r what scheme threads <<<"$entry"
    case $what in
      hello) label="2. native C API: GET /hello, ${scheme^^}" ;;
      one) label="3. native C API: session counter, 1 session, ${scheme^^}" ;;
      many) label="3. native C API: session counter, $COOKIES sessions, ${scheme^^}" ;;
      new) label="3. native C API: session counter, new session per request, ${scheme^^}" ;;
    esac
    server_args=(--https); tag=$what
    if [[ -n $threads ]]; then
      label+=", $threads callback threads"; server_args+=(--callback-threads "$threads"); tag+="-t$threads"
    fi
    if (( ! lib_ok )); then skip_row "$label" — "failed: library did not build"; continue; fi
    echo "=== $label"
    if ! start_server "native-$scheme-$tag" "$server_bin" "${server_args[@]}"; then
      skip_row "$label" — "failed: bench_server did not start"; continue
    fi
    request_setup "$what" "$scheme" "native-$scheme-$tag"
    target="—"; [[ $what == many || $what == new ]] && target=$SESSION_TARGET
    if (( ! ok )); then
      skip_row "$label" — "failed: no session cookie from GET /session/counter"; stop_group "$SRV_PID"; continue
    fi
    if run_wrk "native-$scheme-$tag" "$url" "$lua" "${extra[@]}"; then
      PEAK_KB=$(proc_kb "$SRV_PID" VmHWM)
      result="—"
      [[ $target != "—" ]] && result=$(verdict_ratio "$R_RPS" "$scheme" 0.60)
      if [[ $what == one ]]; then
        # Integrity: every request of the run went to one session; the counter must equal the
        # number of counter requests the server served (no lost update under the session lock).
        # Every answered increment was committed before its answer, so the final counter is at least
        # the number of answers (cookie request + warm-up + run + this request); it is at most the
        # number of callbacks run (a request abandoned when wrk stops may run without committing).
        local final served answered
        final=$(curl -fsS --max-time 10 -H "Cookie: $cookie" "http://127.0.0.1:$HTTP_PORT/session/counter" |
          sed -nE 's/.*"counter":([0-9]+).*/\1/p')
        served=$(curl -fsS --max-time 10 "http://127.0.0.1:$HTTP_PORT/stats" | sed -nE 's/.*"counter":([0-9]+).*/\1/p')
        answered=$((1 + W_REQ + R_REQ + 1))
        if [[ -n $final && -n $served ]] && (( final >= answered && final <= served )); then
          result="no lost update (counter $(commas "$final"))"
        else
          result="LOST UPDATES (counter ${final:-?}, $answered answered)"
          notes+=("$label: the session counter is ${final:-?} after $answered answered increments (${served:-?} callbacks run): updates were lost.")
        fi
      fi
      measured_row "$label" "$scheme" "$target" "$result"
      [[ -z $threads ]] && NATIVE_RPS[$what|$scheme]=$R_RPS
    else
      skip_row "$label" — "failed: no wrk result"
    fi
    stop_group "$SRV_PID"
    [[ $STOP_STATUS != 0 ]] && notes+=("$label: bench_server did not exit cleanly on SIGTERM (status $STOP_STATUS).")
  done
}
native_rows

# ---------------------------------------------------------------------------------------------------
# 4., 5., 7. PowerShell (pwsh + the Kestrun.Rust module), when pwsh is installed.
PS_ROWS=(
  "4. PowerShell: GET /hello (Write-KrTextResponse), HTTP|hello|http"
  "5. PowerShell: /session/counter (19.1), 1 session, HTTP|one|http"
  "5. PowerShell: /session/counter (19.1), $COOKIES sessions, HTTP|many|http"
  "5. PowerShell: /session/counter (19.1), 1 session, HTTPS|one|https"
  "5. PowerShell: /session/counter (19.1), $COOKIES sessions, HTTPS|many|https"
)
PS_ONE_TARGET="≥ 0.50× C route, p99 ≤ 10 ms"
PS_MANY_TARGET="≥ 0.40× C route, p99 ≤ 10 ms"
ps_target() { case $1 in one) echo "$PS_ONE_TARGET" ;; many) echo "$PS_MANY_TARGET" ;; *) echo — ;; esac; }
IMPORT_LABEL="7. PowerShell: Import-Module Kestrun.Rust"
FIRST_LABEL="7. PowerShell: Start-KrServer -NoWait → first answer"
# PS_STATE: "ok" or the result text of every PowerShell row ("skipped: ..." / "failed: ...").
ps_prepare() {
  PS_STATE=ok
  # PowerShell as the tests get it (tools/prereqs.sh: the pwsh on PATH, or 7.6.9 as a .NET tool).
  # shellcheck source=../tools/prereqs.sh
  source "$root/tools/prereqs.sh"
  if ! kr_need_pwsh >"$logs/prereqs.log" 2>&1; then
    cat "$logs/prereqs.log" >&2
    PS_STATE="failed: PowerShell could not be had (target/bench/prereqs.log)"; return
  fi
  if (( ! lib_ok )); then PS_STATE="failed: library did not build"; return; fi
  # The staged module: pwsh ./build.ps1 -SkipNative compiles the C# interop and stages out/Kestrun.Rust/
  # with the release library built above.
  PS_MODULE=$logs/module/Kestrun.Rust/Kestrun.Rust.psd1
  echo "=== build: pwsh ./build.ps1 -SkipNative -OutputPath target/bench/module (log: target/bench/build-ps.log)"
  if ! bounded nice -n 10 pwsh -NoLogo -NoProfile -NonInteractive -File "$root/build.ps1" -SkipNative \
      -OutputPath "$logs/module" >"$logs/build-ps.log" 2>&1; then
    notes+=("pwsh ./build.ps1 failed (target/bench/build-ps.log).")
    PS_STATE="failed: pwsh ./build.ps1 failed"
  fi
  [[ -f $PS_MODULE ]] || PS_STATE="failed: module manifest not found"
}

powershell_rows() {
  local entry label what scheme port url cookie cookies lua target result extra ok
  if [[ $PS_STATE != ok ]]; then
    for entry in "${PS_ROWS[@]}"; do
      IFS='|' read -r label what scheme <<<"$entry"
      skip_row "$label" "$(ps_target "$what")" "$PS_STATE"
    done
    return
  fi
  for entry in "${PS_ROWS[@]}"; do
    IFS='|' read -r label what scheme <<<"$entry"
    target=$(ps_target "$what")
    echo "=== $label"
    if ! start_pwsh_server "ps-$scheme-$what"; then skip_row "$label" "$target" "failed: server did not start"; continue; fi
    request_setup "$what" "$scheme" "ps-$scheme"
    if (( ! ok )); then
      skip_row "$label" "$target" "failed: no session cookie from GET /session/counter"; stop_group "$SRV_PID"; continue
    fi
    if WARMUP=$PS_WARMUP run_wrk "ps-$scheme-$what" "$url" "$lua" "${extra[@]}"; then
      PEAK_KB=$(group_kb "$SRV_PID" VmHWM)
      result="—"
      if [[ $what != hello ]]; then
        # Against the same route written in C (rows 3), measured in this run on the same scheme.
        local c_rps=${NATIVE_RPS[$what|$scheme]:-0} min=0.40
        [[ $what == one ]] && min=0.50
        result=$(awk -v r="$R_RPS" -v c="$c_rps" -v p="$R_P99" -v e="$R_ERR" -v m="$min" 'BEGIN {
          if (c <= 0) { print "no C route figure"; exit }
          x = r / c; printf "%s (%.2f× C route)", ((x >= m && p <= 10 && e == 0) ? "pass" : "miss"), x }')
      fi
      measured_row "$label" "$scheme" "$target" "$result"
    else
      skip_row "$label" "$target" "failed: no wrk result"
    fi
    stop_group "$SRV_PID"
  done
}

startup_rows() {
  case $PS_STATE in
    ok) ;;
    *) skip_row "$IMPORT_LABEL" "≤ 1 s" "$PS_STATE"; skip_row "$FIRST_LABEL" "≤ 1.5 s" "$PS_STATE"; return ;;
  esac
  echo "=== $IMPORT_LABEL / $FIRST_LABEL"
  local sport out import first
  sport=$(free_port)
  out=$logs/ps-startup.out
  bounded timeout -k 5 120 pwsh -NoLogo -NoProfile -NonInteractive -File "$root/bench/ps/startup.ps1" \
    -ModulePath "$PS_MODULE" -Port "$sport" >"$out" 2>"$logs/ps-startup.err"
  import=$(sed -nE 's/^KRBENCH import_ms=([0-9.]+).*/\1/p' "$out")
  first=$(sed -nE 's/^KRBENCH .*first_answer_ms=([0-9.]+).*/\1/p' "$out")
  if [[ -n $import && -n $first ]]; then
    add_row "$IMPORT_LABEL" — — — — — — "≤ 1 s" \
      "$(awk -v v="$import" 'BEGIN { printf "%s: %.2f s", ((v <= 1000) ? "pass" : "miss"), v / 1000 }')"
    add_row "$FIRST_LABEL" — — — — — — "≤ 1.5 s" \
      "$(awk -v v="$first" 'BEGIN { printf "%s: %.2f s", ((v <= 1500) ? "pass" : "miss"), v / 1000 }')"
  else
    skip_row "$IMPORT_LABEL" "≤ 1 s" "failed: see target/bench/ps-startup.err"
    skip_row "$FIRST_LABEL" "≤ 1.5 s" "failed: see target/bench/ps-startup.err"
  fi
}
ps_prepare
powershell_rows

# ---------------------------------------------------------------------------------------------------
# 6. Memory: RSS of the C server with 0 and with $SESSIONS small sessions in the in-memory store.
memory_rows() {
  local label0="6. memory: C server idle, 0 sessions"
  local label1="6. memory: C server, $(commas "$SESSIONS") sessions (created by wrk, no cookie)"
  if (( ! lib_ok )); then
    skip_row "$label0" — "failed: library did not build"; skip_row "$label1" "≤ 1 KB/session" "failed: library did not build"
    return
  fi
  echo "=== $label0 / $label1"
  if ! start_server native-memory "$server_bin"; then
    skip_row "$label0" — "failed: bench_server did not start"; skip_row "$label1" "≤ 1 KB/session" "failed: did not start"
    return
  fi
  local url="http://127.0.0.1:$HTTP_PORT"
  # Warm the server up without creating any session, then let it settle.
  bounded timeout -k 5 60 wrk -t"$THREADS" -c"$CONNS" -d"$(( WARMUP > 0 ? WARMUP : 1 ))s" "$url/hello" >"$logs/memory-warmup.txt" 2>&1
  sleep 1
  local before rss0 hwm0
  before=$(curl -fsS --max-time 10 "$url/stats" | sed -nE 's/.*"new_sessions":([0-9]+).*/\1/p')
  rss0=$(proc_kb "$SRV_PID" VmRSS); hwm0=$(proc_kb "$SRV_PID" VmHWM)
  add_row "$label0" — — — — — "$(mb "$rss0") (RSS)" — "—"

  local script=$logs/memory-create.lua
  cat "$root/bench/lua/report.lua" "$root/bench/lua/create.lua" >"$script"
  # Each wrk thread stops after its share of responses, but wrk itself runs until -d: the server's own
  # count is polled and wrk is interrupted (SIGINT: it prints its summary) once every session exists.
  export KR_BENCH_CREATE_PER_THREAD=$(( (SESSIONS + THREADS - 1) / THREADS ))
  local t0 t1 now wrk_pid i
  t0=$(date +%s%N)
  spawn wrk -t"$THREADS" -c"$CONNS" -d"${CREATE_LIMIT}s" --latency -s "$script" "$url/session/counter" \
    >"$logs/memory-create.wrk.txt" 2>&1
  wrk_pid=$SPAWN_PID
  t1=""
  while kill -0 "$wrk_pid" 2>/dev/null; do
    now=$(curl -fsS --max-time 10 "$url/stats" | sed -nE 's/.*"new_sessions":([0-9]+).*/\1/p')
    if [[ -n $now ]] && (( now - ${before:-0} >= SESSIONS )); then
      t1=$(date +%s%N)
      sleep 0.5
      kill -INT "$wrk_pid" 2>/dev/null
      break
    fi
    sleep 0.1
  done
  for ((i = 0; i < 100; i++)); do kill -0 "$wrk_pid" 2>/dev/null || break; sleep 0.1; done
  stop_group "$wrk_pid"
  [[ -n $t1 ]] || t1=$(date +%s%N)
  sleep 1
  if ! parse_wrk "$logs/memory-create.wrk.txt"; then
    skip_row "$label1" "≤ 1 KB/session" "failed: no wrk result"; stop_group "$SRV_PID"; return
  fi
  local after created rss1
  after=$(curl -fsS --max-time 10 "$url/stats" | sed -nE 's/.*"new_sessions":([0-9]+).*/\1/p')
  # The creation rate: sessions per second until the count was reached (wrk's own figure includes the
  # wait for the interrupt).
  R_RPS=$(awk -v n="$(( ${after:-0} - ${before:-0} ))" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", ((b > a) ? n / ((b - a) / 1e9) : 0) }')
  rss1=$(proc_kb "$SRV_PID" VmRSS); PEAK_KB=$(proc_kb "$SRV_PID" VmHWM)
  created=$(( ${after:-0} - ${before:-0} ))
  local per result
  per=$(awk -v a="$rss1" -v b="$rss0" -v n="$created" 'BEGIN { printf "%.2f", ((n > 0) ? (a - b) / n : 0) }')
  if (( created < SESSIONS )); then
    result="miss: only $(commas "$created") of $(commas "$SESSIONS") sessions created within ${CREATE_LIMIT}s"
  elif (( created < R_REQ )); then
    result="failed: $(commas "$created") sessions for $(commas "$R_REQ") requests"
  else
    result=$(awk -v p="$per" 'BEGIN { print ((p <= 1.0) ? "pass" : "miss") }')
    result+=": $per KB/session ($(commas "$created") sessions, $(commas "$R_REQ") requests)"
  fi
  add_row "$label1" "$(commas "$R_RPS")" — "$(ms "$R_P50")" "$(ms "$R_P99")" "$(commas "$R_ERR")" \
    "$(mb "$rss1") (RSS; peak $(mb "$PEAK_KB"))" "≤ 1 KB/session" "$result"
  [[ $R_ERR -gt 0 ]] && notes+=("$label1: wrk errors: $R_ERR_DETAIL.")
  notes+=("Memory: RSS $(commas "$rss0") kB with 0 sessions, $(commas "$rss1") kB with $(commas "$created") sessions (server count; wrk counted $(commas "$R_REQ") responses): ($rss1 − $rss0) / $created = $per KB per session. The req/s of that row is the session creation rate.")
  stop_group "$SRV_PID"
}

# ---------------------------------------------------------------------------------------------------
# 2./4. HTTP/2 through ALPN (h2load, one stream per connection at a time, like wrk's keep-alive
# HTTP/1.1 rows), and 8. the first request on fresh TLS connections (curl, one connection each).
percentiles() { # DIVISOR: sorted numbers on stdin -> "p50 p99" (each divided by DIVISOR), "— —" when none
  awk -v d="$1" '{ v[NR] = $1 } END {
    if (NR == 0) { print "— —"; exit }
    i50 = int(NR * 0.50 + 0.5); i99 = int(NR * 0.99 + 0.5); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
    printf "%.2f %.2f\n", v[i50] / d, v[i99] / d }'
}
run_h2load() { # NAME URL -> R_* (p50/p99 from h2load's per-request log); 1 when no h2 result
  local name=$1 url=$2 log=$logs/$1.h2log out=$logs/$1.h2load.txt
  rm -f "$log"
  bounded timeout -k 5 $((DURATION + WARMUP + 60)) h2load -t"$THREADS" -c"$CONNS" -m1 -D "$DURATION" \
    --warm-up-time="$WARMUP" --log-file="$log" "$url" >"$out" 2>&1
  grep -q 'Application protocol: h2' "$out" || { echo "!!! $name: no HTTP/2 (see ${out#"$root"/})" >&2; return 1; }
  local line
  line=$(grep -E '^requests: ' "$out" | tail -n 1)
  [[ -n $line && -s $log ]] || return 1
  R_REQ=$(sed -nE 's/.* ([0-9]+) succeeded.*/\1/p' <<<"$line")
  R_ERR=$(awk '{ for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^(failed|errored|timeout)/) e += $i } END { print e + 0 }' <<<"${line//,/}")
  R_ERR_DETAIL=$line
  R_RPS=$(sed -nE 's/^finished in [^,]*, ([0-9.]+) req\/s.*/\1/p' "$out" | awk '{ printf "%.0f", $1 }')
  read -r R_P50 R_P99 < <(awk -F'\t' '{ print $3 }' "$log" | sort -n | percentiles 1000)
  [[ -n $R_RPS ]]
}
first_request_row() { # LABEL URL: N fresh TLS connections, one GET each; p50/p99 of the first request
  local label=$1 url=$2 n=${KR_BENCH_FRESH:-200} i file=$logs/fresh-${#label}.txt fails=0
  : >"$file"
  for ((i = 0; i < n; i++)); do
    curl -ks --http1.1 -o /dev/null --max-time 5 -w '%{http_code} %{time_appconnect} %{time_starttransfer}\n' "$url" >>"$file" 2>/dev/null || fails=$((fails + 1))
  done
  local p50 p99
  read -r p50 p99 < <(awk '$1 == 200 { printf "%.3f\n", ($3 - $2) * 1000 }' "$file" | sort -n | percentiles 1)
  fails=$((fails + $(awk '$1 != 200' "$file" | wc -l)))
  add_row "$label" — — "$(ms "$p50")" "$(ms "$p99")" "$fails" — "—" "first request after the handshake, $n fresh connections"
}
h2_and_fresh_rows() {
  local label
  if ! command -v h2load >/dev/null 2>&1; then
    echo "=== installing h2load (apt-get install -y nghttp2-client)"
    apt-get install -y nghttp2-client >>"$logs/apt.log" 2>&1 || { apt-get update >>"$logs/apt.log" 2>&1 && apt-get install -y nghttp2-client >>"$logs/apt.log" 2>&1; }
  fi
  if (( lib_ok )); then
    label="2. native C API: GET /hello, HTTPS, HTTP/2 (h2load)"
    echo "=== $label"
    if start_server native-h2 "$server_bin" --https; then
      if command -v h2load >/dev/null 2>&1 && run_h2load native-h2 "https://127.0.0.1:$HTTPS_PORT/hello"; then
        PEAK_KB=$(proc_kb "$SRV_PID" VmHWM); measured_row "$label" https — —
      else
        skip_row "$label" — "failed: no HTTP/2 result (target/bench/native-h2.h2load.txt)"
      fi
      echo "=== 8. fresh connections, native C API"
      first_request_row "8. fresh connections: native C API, GET /hello, HTTPS" "https://127.0.0.1:$HTTPS_PORT/hello"
      stop_group "$SRV_PID"
    else
      skip_row "$label" — "failed: bench_server did not start"
    fi
  fi
  if [[ $PS_STATE == ok ]]; then
    label="4. PowerShell: GET /hello (Write-KrTextResponse), HTTPS, HTTP/2 (h2load)"
    echo "=== $label"
    if start_pwsh_server ps-h2; then
      if command -v h2load >/dev/null 2>&1 && WARMUP=$PS_WARMUP run_h2load ps-h2 "https://127.0.0.1:$HTTPS_PORT/hello"; then
        PEAK_KB=$(group_kb "$SRV_PID" VmHWM); measured_row "$label" https — —
      else
        skip_row "$label" — "failed: no HTTP/2 result (target/bench/ps-h2.h2load.txt)"
      fi
      echo "=== 8. fresh connections, PowerShell"
      first_request_row "8. fresh connections: PowerShell, GET /hello, HTTPS" "https://127.0.0.1:$HTTPS_PORT/hello"
      stop_group "$SRV_PID"
    else
      skip_row "$label" — "failed: server did not start"
    fi
  fi
}
h2_and_fresh_rows

# ---------------------------------------------------------------------------------------------------
# 9. / 10. Sessions in Redis, PostgreSQL and SQLite, with the C route (so the figures are the store's, not
# PowerShell's): one session on one server; one session shared by two servers (wrk on both at once: the
# per-session lock across processes); $COOKIES sessions (compare with the in-memory row 3 "$COOKIES
# sessions, HTTP": the store's cost, its lock included). The one-session rows count lost updates: every
# increment answered 2xx must be in the final counter (answered ≤ final ≤ callbacks run).
counter_of() { # URL COOKIE -> the counter after one more increment
  curl -fsS --max-time 10 -H "Cookie: $2" "$1" | sed -nE 's/.*"counter":([0-9]+).*/\1/p'
}
served_of() { # PORT -> callbacks run by /session/counter on that bench server
  curl -fsS --max-time 10 "http://127.0.0.1:$1/stats" | sed -nE 's/.*"counter":([0-9]+).*/\1/p'
}
lost_result() { # FINAL ANSWERED SERVED LABEL -> sets result (and a note when updates were lost)
  if [[ -n $1 && -n $3 ]] && (( $1 >= $2 && $1 <= $3 )); then
    result="lost updates: 0 (counter $(commas "$1") after $(commas "$2") answered)"
  else
    result="LOST UPDATES: $(( $2 - ${1:-0} )) (counter ${1:-?} after $2 answered)"
    notes+=("$4: the session counter is ${1:-?} after $2 answered increments (${3:-?} callbacks run): updates were lost.")
  fi
}
store_labels() { # PREFIX -> the three row labels of a store, one per line
  printf '%s\n' "$1: session counter, 1 session, HTTP, one server" \
    "$1: session counter, 1 session shared by two servers, HTTP" "$1: session counter, $COOKIES sessions, HTTP"
}
store_rows() { # PREFIX TAG SERVER_ARGS... : the three rows of a store whose bench_server arguments are SERVER_ARGS
  local prefix=$1 tag=$2; shift 2
  local labels label cookie final served answered
  mapfile -t labels < <(store_labels "$prefix")

  label=${labels[0]}; echo "=== $label"
  if start_server "$tag-one" "$server_bin" "$@"; then
    cookie=$(session_cookie "http://127.0.0.1:$HTTP_PORT/session/counter")
    if [[ -n $cookie ]] && run_wrk "$tag-one" "http://127.0.0.1:$HTTP_PORT/session/counter" "" -H "Cookie: $cookie"; then
      PEAK_KB=$(proc_kb "$SRV_PID" VmHWM)
      final=$(counter_of "http://127.0.0.1:$HTTP_PORT/session/counter" "$cookie")
      served=$(served_of "$HTTP_PORT")
      answered=$((1 + W_REQ + R_REQ - R_ERR_STATUS + 1))
      lost_result "$final" "$answered" "$served" "$label"
      measured_row "$label" http — "$result"
    else
      skip_row "$label" — "failed: no session cookie or no wrk result"
    fi
    stop_group "$SRV_PID"
  else
    skip_row "$label" — "failed: bench_server did not start"
  fi

  label=${labels[1]}; echo "=== $label"
  local pid_a port_a pid_b port_b req_b=0 err_b=0 rps_b=0
  if start_server "$tag-two-a" "$server_bin" "$@"; then
    pid_a=$SRV_PID port_a=$HTTP_PORT
    if start_server "$tag-two-b" "$server_bin" "$@"; then
      pid_b=$SRV_PID port_b=$HTTP_PORT
      cookie=$(session_cookie "http://127.0.0.1:$port_a/session/counter")
      # Half the connections on each server, both measured over the same seconds (no warm-up).
      local half=$(( (CONNS + 1) / 2 )) script=$logs/$tag-two-b.lua
      cat "$root/bench/lua/report.lua" >"$script"
      spawn timeout -k 5 $((DURATION + 60)) wrk -t1 -c"$half" -d"${DURATION}s" --latency -s "$script" \
        -H "Cookie: $cookie" "http://127.0.0.1:$port_b/session/counter" >"$logs/$tag-two-b.wrk.txt" 2>&1
      local wrk_b=$SPAWN_PID
      if [[ -n $cookie ]] && CONNS=$half THREADS=1 WARMUP=0 run_wrk "$tag-two-a" "http://127.0.0.1:$port_a/session/counter" "" -H "Cookie: $cookie"; then
        local req_a=$R_REQ err_a=$R_ERR_STATUS rps_a=$R_RPS p50=$R_P50 p99=$R_P99 errs=$R_ERR detail=$R_ERR_DETAIL
        wait "$wrk_b" 2>/dev/null; stop_group "$wrk_b"
        if parse_wrk "$logs/$tag-two-b.wrk.txt"; then
          req_b=$R_REQ err_b=$R_ERR_STATUS rps_b=$R_RPS
          R_RPS=$((rps_a + rps_b)); R_REQ=$((req_a + req_b)); R_ERR=$((errs + R_ERR)); R_ERR_DETAIL="server A: $detail; server B: $R_ERR_DETAIL"
          (( $(awk -v a="$R_P99" -v b="$p99" 'BEGIN { print (a < b) }') )) && R_P99=$p99
          R_P50=$p50
          final=$(counter_of "http://127.0.0.1:$port_b/session/counter" "$cookie")
          served=$(( $(served_of "$port_a") + $(served_of "$port_b") ))
          answered=$((1 + req_a - err_a + req_b - err_b + 1))
          lost_result "$final" "$answered" "$served" "$label"
          PEAK_KB=$(proc_kb "$pid_a" VmHWM)
          measured_row "$label" http — "$result (A $(commas "$rps_a") + B $(commas "$rps_b") req/s)"
        else
          skip_row "$label" — "failed: no wrk result for server B"
        fi
      else
        stop_group "$wrk_b"
        skip_row "$label" — "failed: no session cookie or no wrk result"
      fi
      stop_group "$pid_b"
    else
      skip_row "$label" — "failed: the second bench_server did not start"
    fi
    stop_group "$pid_a"
  else
    skip_row "$label" — "failed: bench_server did not start"
  fi

  label=${labels[2]}; echo "=== $label"
  if start_server "$tag-many" "$server_bin" "$@"; then
    local cookies=$logs/$tag-many-cookies.txt
    if cookie_file "http://127.0.0.1:$HTTP_PORT/session/counter" "$COOKIES" "$cookies"; then
      export KR_BENCH_COOKIE_FILE=$cookies
      if run_wrk "$tag-many" "http://127.0.0.1:$HTTP_PORT/session/counter" cookies.lua; then
        PEAK_KB=$(proc_kb "$SRV_PID" VmHWM)
        result="—"
        [[ -n ${NATIVE_RPS[many|http]:-} && ${NATIVE_RPS[many|http]} -gt 0 ]] &&
          result=$(awk -v r="$R_RPS" -v m="${NATIVE_RPS[many|http]}" 'BEGIN { printf "%.2f× the in-memory store (row 3)", r / m }')
        measured_row "$label" http — "$result"
      else
        skip_row "$label" — "failed: no wrk result"
      fi
    else
      skip_row "$label" — "failed: no session cookies"
    fi
    stop_group "$SRV_PID"
  else
    skip_row "$label" — "failed: bench_server did not start"
  fi
}
skip_store_rows() { # PREFIX REASON
  local label
  while IFS= read -r label; do skip_row "$label" — "failed: $2"; done < <(store_labels "$1")
}
apt_install() { # PACKAGE: apt-get install (once more after apt-get update when the first attempt fails)
  apt-get install -y "$1" >>"$logs/apt.log" 2>&1 || { apt-get update >>"$logs/apt.log" 2>&1 && apt-get install -y "$1" >>"$logs/apt.log" 2>&1; }
}

redis_rows() {
  local prefix="9. Redis store" port pid i
  command -v redis-server >/dev/null 2>&1 || { echo "=== installing redis-server"; apt_install redis-server; }
  if (( ! lib_ok )) || ! command -v redis-server >/dev/null 2>&1; then
    skip_store_rows "$prefix" "no library or no redis-server (target/bench/apt.log)"; return 0
  fi
  port=$(free_port)
  spawn redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$logs/redis.out" 2>&1
  pid=$SPAWN_PID
  for ((i = 0; i < 100; i++)); do
    [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && break
    sleep 0.1
  done
  store_rows "$prefix" redis --redis "127.0.0.1:$port" --redis-prefix bench: --secret "bench secret shared by the servers, 32 bytes+"
  stop_group "$pid"
}
redis_rows

# PostgreSQL: a throw-away cluster (initdb in target/bench, trust authentication on loopback, as the
# postgres user when run as root), no secret (the servers share the key ring in the table). SQLite: one
# file in target/bench shared by the servers of a row.
pg_bin_dir() { # the newest /usr/lib/postgresql/<version>/bin with initdb, else empty
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d && -x $d/initdb ]] && echo "$d"
}
sql_rows() {
  local prefix="10. PostgreSQL store" bin data port pid i as=()
  bin=$(pg_bin_dir)
  [[ -n $bin ]] || { echo "=== installing postgresql"; apt_install postgresql; bin=$(pg_bin_dir); }
  if (( ! lib_ok )) || [[ -z $bin ]]; then
    skip_store_rows "$prefix" "no library or no PostgreSQL (target/bench/apt.log)"
  else
    data=$logs/pgdata; rm -rf "$data"; mkdir -p "$data"
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$data"; as=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
    if "${as[@]}" "$bin/initdb" -A trust -U postgres --no-sync -D "$data/db" >"$logs/initdb.log" 2>&1; then
      port=$(free_port)
      spawn "${as[@]}" "$bin/postgres" -D "$data/db" -p "$port" -k "$data" -c listen_addresses=127.0.0.1 \
        -c fsync=off >"$logs/postgres.log" 2>&1
      pid=$SPAWN_PID
      for ((i = 0; i < 300; i++)); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
        sleep 0.1
      done
      store_rows "$prefix" postgres --postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      stop_group "$pid"
    else
      skip_store_rows "$prefix" "initdb failed (target/bench/initdb.log)"
    fi
  fi
  prefix="10. SQLite store"
  if (( ! lib_ok )); then skip_store_rows "$prefix" "library did not build"; return 0; fi
  rm -f "$logs"/sessions.db*
  store_rows "$prefix" sqlite --sqlite "$logs/sessions.db"
}
sql_rows

# ---------------------------------------------------------------------------------------------------
# Profile: where the CPU of a PowerShell request goes (the 19.1 counter, one session, HTTPS), sampled with
# `perf record -e cpu-clock` on the real pwsh process (JIT'd frames named through DOTNET_PerfMapEnabled).
PROFILE_MD=""
ps_profile() {
  [[ $PS_STATE == ok ]] || return 0
  if ! command -v perf >/dev/null 2>&1; then
    apt-get install -y linux-perf >>"$logs/apt.log" 2>&1 || true
  fi
  command -v perf >/dev/null 2>&1 || { notes+=("No profile: perf is not installed (apt-get install linux-perf)."); return 0; }
  echo "=== profile: perf record on the pwsh server, /session/counter, 1 session, HTTPS"
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
  start_pwsh_server ps-profile || { unset DOTNET_PerfMapEnabled DOTNET_EnableWriteXorExecute; return 0; }
  unset DOTNET_PerfMapEnabled DOTNET_EnableWriteXorExecute
  local cookie url pid
  cookie=$(session_cookie "http://127.0.0.1:$HTTP_PORT/session/counter")
  url="https://127.0.0.1:$HTTPS_PORT/session/counter"
  bounded timeout -k 5 90 wrk -t"$THREADS" -c"$CONNS" -d"$((PS_WARMUP + 2))s" -H "Cookie: $cookie" "$url" >/dev/null 2>&1
  pid=$(for p in $(pgrep -g "$SRV_PID"); do echo "$(awk '/^VmRSS/ { print $2 }' /proc/$p/status 2>/dev/null || echo 0) $p"; done | sort -n | tail -n 1 | cut -d' ' -f2)
  spawn wrk -t"$THREADS" -c"$CONNS" -d"$((DURATION + 2))s" -H "Cookie: $cookie" "$url"
  local wrk_pid=$SPAWN_PID
  sleep 1
  bounded timeout -k 5 $((DURATION + 30)) perf record -e cpu-clock -F 999 -g -p "$pid" -o "$logs/perf.data" -- sleep "$DURATION" >"$logs/perf-record.log" 2>&1
  stop_group "$wrk_pid"
  stop_group "$SRV_PID"
  perf report -i "$logs/perf.data" --no-children --sort dso,sym -g none >"$logs/perf-report.txt" 2>/dev/null
  if [[ -s $logs/perf-report.txt ]]; then
    PROFILE_MD=$(python3 "$root/bench/profile_summary.py" "$logs/perf-report.txt")
  fi
}
ps_profile

memory_rows
startup_rows
baseline_rows "1. baseline again (last run):"
BASE_HTTP=$(awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.0f", (NF ? s / NF : 0) }' <<<"$BASE_RUNS_http")
BASE_HTTPS=$(awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.0f", (NF ? s / NF : 0) }' <<<"$BASE_RUNS_https")
notes=("Baseline reference (mean of its runs): HTTP $(commas "$BASE_HTTP") req/s (runs:$BASE_RUNS_http), HTTPS $(commas "$BASE_HTTPS") req/s (runs:$BASE_RUNS_https)." "${notes[@]}")
# Resolve the placeholders: @R:<rps>:<scheme> -> ratio, @V:<rps>:<scheme>:<min> -> pass / miss.
awk -F'\t' -v OFS='\t' -v http="$BASE_HTTP" -v https="$BASE_HTTPS" '
  { for (i = 1; i <= NF; i++) {
      if ($i ~ /^@[RV]:/) {
        split($i, a, ":"); b = (a[3] == "https") ? https : http
        if (a[1] == "@R") $i = (b > 0) ? sprintf("%.2f×", a[2] / b) : "—"
        else $i = (b > 0) ? (((a[2] / b >= a[4]) ? "pass" : "miss") sprintf(" (%.2f×)", a[2] / b)) : "no baseline"
      } }
    print }' "$rows" | sort -s -n >"$rows.resolved" && mv "$rows.resolved" "$rows"

# ---------------------------------------------------------------------------------------------------
# The table: printed, and written to bench/RESULTS.md with the date, machine and commit.
table() {
  LC_ALL=C awk -F'\t' '
    BEGIN { split("scenario\treq/s\tvs base\tp50\tp99\terrors\tpeak RSS\ttarget\tresult", h, "\t"); n = 9
            for (i = 1; i <= n; i++) { cell[0, i] = h[i]; w[i] = ulen(h[i]) } r = 0 }
    function ulen(s,   t) { t = s; gsub(/[\200-\277]/, "", t); return length(t) }
    { r++; for (i = 1; i <= n; i++) { cell[r, i] = $i; if (ulen($i) > w[i]) w[i] = ulen($i) } }
    function pad(s, k,   o) { o = s; while (ulen(o) < k) o = o " "; return o }
    function rpad(s, k,   o) { o = s; while (ulen(o) < k) o = " " o; return o }
    function line(j,   i, s) { s = "|"; for (i = 1; i <= n; i++) s = s " " ((i >= 2 && i <= 7 && j > 0) ? rpad(cell[j, i], w[i]) : pad(cell[j, i], w[i])) " |"; print s }
    END { line(0); s = "|"; for (i = 1; i <= n; i++) { d = ""; while (length(d) < w[i]) d = d "-"; s = s ((i >= 2 && i <= 7) ? "-" d ":|" : " " d " |") } print s
          for (j = 1; j <= r; j++) line(j) }' "$rows"
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain 2>/dev/null | grep -v '^??' | head -n 1) ]]; then commit+=" (with uncommitted changes)"; fi
cpu=$(sed -nE 's/^model name\s*:\s*//p' /proc/cpuinfo | head -n 1)
mem=$(free -m | awk '/^Mem:/ { printf "%.1f GiB", $2 / 1024 }')
when=$(date -u +"%Y-%m-%d %H:%M UTC")
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)
settings="wrk -t$THREADS -c$CONNS -d${DURATION}s --latency (after a ${WARMUP}s warm-up; ${PS_WARMUP}s for PowerShell servers), keep-alive, 127.0.0.1; $COOKIES cookies for \"many sessions\"; $(commas "$SESSIONS") sessions for the memory row"

{
  echo
  echo "Kestrun.Rust benchmarks — $when — commit $commit"
  echo "machine: $(nproc) cores ($cpu), $mem memory, load average $loadavg_start before / $loadavg_end after the runs"
  echo "load: $settings"
  echo
  table
  echo
  for n in "${notes[@]}"; do echo "- $n"; done
} | tee "$logs/table.txt"

if [[ $RESULTS != - ]]; then
  {
    echo "# Kestrun.Rust benchmark results"
    echo
    echo "Rewritten by \`bash bench/run.sh\` at each run (logs of the run: \`target/bench/\`)."
    echo
    echo "- date: $when"
    echo "- machine: $(nproc) cores (\`nproc\`), $mem memory (\`free\`), $cpu; load average $loadavg_start before the runs, $loadavg_end after (other work on the machine shows here)"
    echo "- commit: \`$commit\` (\`git rev-parse --short HEAD\`)"
    echo "- load: $settings"
    echo
    table
    echo
    echo "How to read it:"
    echo
    echo "- *vs base*: req/s of the row divided by req/s of the bare actix-web baseline (rows 1) on the same scheme, measured in the same run on the same machine: the reference is the mean of the baseline's first and last runs, so the two baseline rows show how much the machine drifted during the run. *pass (0.72×)* in *result* is that ratio against the target."
    echo "- *p50 / p99*: wrk latency percentiles; *errors*: wrk socket errors, timeouts and non-2xx/3xx answers; *peak RSS*: VmHWM of the server process (one fresh process per row)."
    echo "- *1 session* rows send every request with one cookie: requests of one session are processed one at a time (the exclusive session lock of docs/DESIGN.md), so they measure the serialized path; the row checks that no answered increment was lost (the final counter is at least the number of answered requests of that session, and at most the number of callbacks run). *$COOKIES sessions* rows rotate $COOKIES cookies obtained beforehand with curl; *new session per request* rows send no cookie, so each request creates and stores a session."
    echo "- PowerShell counter rows (5) are compared with the same route written in C (rows 3, same scheme, same run): *pass (0.45× C route)* needs the ratio (≥ 0.50× with one session, ≥ 0.40× with $COOKIES) and p99 ≤ 10 ms without errors. The PowerShell server runs \`examples/19.1-Sessions.ps1\` unchanged (its console logging at Debug included), with a plain HTTP listener added by \`bench/ps/server.ps1\`."
    echo "- *HTTP/2* rows: h2load -t$THREADS -c$CONNS -m1 (one stream at a time per connection, like wrk's keep-alive rows) over ALPN h2; p50/p99 from h2load's per-request log."
    echo "- *fresh connections* rows (8): curl opens a new TLS connection for each of ${KR_BENCH_FRESH:-200} requests; p50/p99 are the time from the end of the handshake to the first response byte (Nagle + delayed ACK would show as ~40 ms)."
    echo "- Rows marked *skipped* or *failed* were not measured on this machine (no figure is made up)."
    if [[ -n $PROFILE_MD ]]; then
      echo
      echo "## Where a PowerShell request's time goes"
      echo
      echo "CPU samples of the pwsh server process (\`perf record -e cpu-clock -F 999 -g\` for ${DURATION}s, \`DOTNET_PerfMapEnabled=1\`) while wrk drives the 19.1 counter route over HTTPS with one session (-t$THREADS -c$CONNS); grouped by \`bench/profile_summary.py\`. Raw report: \`target/bench/perf-report.txt\`."
      echo
      echo "$PROFILE_MD"
      echo
      echo "One-session requests run one at a time (the session lock), so most samples are the kernel handing each request from thread to thread; the stages of that path in microseconds (lock, queue, callback, wake-ups), and what each command of the route costs, are in docs/DESIGN.md (\"Where a one-session PowerShell request's time goes\")."
    fi
    if ((${#notes[@]})); then
      echo
      echo "Notes of this run:"
      echo
      for n in "${notes[@]}"; do echo "- $n"; done
    fi
  } >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
  echo "=== table written to ${RESULTS#"$root"/}"
fi
