#!/usr/bin/env python3
"""Groups a `perf report --no-children --sort dso,sym -g none` listing of a pwsh server into the parts of a
PowerShell request: prints a markdown table (share of CPU samples per part, largest first) and the top symbols.
    python3 bench/profile_summary.py perf-report.txt
"""
import re
import sys

LINE = re.compile(r"\s*([\d.]+)%\s+(\[[^\]]+\]|\S+(?: tid \d+)?)\s+\[(.)\]\s+(.*)")


def part(dso, sym):
    if "kernel" in dso:
        if "sched_yield" in sym:
            return "kernel: sched_yield (idle callback threads spinning)"
        if any(k in sym for k in ("switch", "schedule", "futex", "spin_unlock", "irq")):
            return "kernel: scheduler, context switches, futex (thread hand-offs, wake-ups)"
        return "kernel: TCP, epoll, syscalls"
    if "JIT" in dso or dso.endswith(".dll"):
        if "System.Management.Automation" in sym:
            return "PowerShell engine (System.Management.Automation: pipeline, command processors, binding)"
        if "Newtonsoft" in sym:
            return "JSON serialization (Newtonsoft.Json through JsonObject.ConvertToJson)"
        if "KestrunRust" in sym:
            return "Kestrun.Rust C# (cmdlets, runspace host, P/Invoke wrappers)"
        if "dynamicClass" in sym or "Closure" in sym:
            return "the route script blocks, compiled by PowerShell"
        return ".NET libraries (CoreLib, collections, text)"
    if "libcoreclr" in dso:
        return "CoreCLR runtime (GC, casts, stubs, type system)"
    if "libclrjit" in dso:
        return "JIT compiler (tiering, dynamic methods)"
    if "kestrun_rust" in dso:
        return "Rust engine (actix-web, rustls, sessions, callback pool)"
    if dso.startswith("libc") or "ld-linux" in dso:
        return "libc (malloc/free, memcpy, locks)"
    return "other (" + dso + ")"


def main(path):
    parts, top = {}, []
    for line in open(path, encoding="utf-8", errors="replace"):
        m = LINE.match(line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(4).strip()
        p = part(dso, sym)
        parts[p] = parts.get(p, 0.0) + pct
        top.append((pct, p, sym[:110]))
    print("| part of the process | share of CPU samples |")
    print("|---|---:|")
    for p, v in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"| {p} | {v:.1f}% |")
    print()
    print("Top symbols:")
    print()
    for pct, p, sym in sorted(top, reverse=True)[:12]:
        print(f"- {pct:.1f}% `{sym}`")


if __name__ == "__main__":
    main(sys.argv[1])
