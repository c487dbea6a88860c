"""Before/after: the same commands with two `chaingraph` commands (two checkouts), run in turn.

On a machine shared with other work a single run of each varies by a second or more; this runs
each command with each checkout alternately, `--runs` times, and prints the least wall time, the
least CPU time (user + system) and the largest peak RSS of each, and whether the two outputs are
byte-identical. Run it from a folder outside both checkouts (`python -m chaingraph` reads the
current folder first).

    cd /tmp && python /path/bench/compare.py --data DIR --before OLD.cg --after NEW.cg [--runs 3] \
        [--common "--backend falkordb --uri URI"] "balance --region R --format json ;; extend --region R"

Commands are separated by `;;`; `--common` options go to every command.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import subprocess
import sys
import tempfile
import time


def run(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and the SHA-256 of the output of one process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            sys.exit(f"failed: {shlex.join(argv)}")
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--before", required=True, help="the chaingraph command before")
    parser.add_argument("--after", required=True, help="the chaingraph command after")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--common", default="", help="options for every command (e.g. '--backend falkordb --uri U')")
    parser.add_argument("commands", help="commands separated by ';;'")
    args = parser.parse_args()
    print("| command | before: wall / CPU s, MB | after: wall / CPU s, MB | same output |")
    print("|---|---|---|---|")
    for command in (c.strip() for c in args.commands.split(";;") if c.strip()):
        best = {}
        for _ in range(args.runs):
            for who in ("before", "after"):
                argv = [getattr(args, who), "--data", args.data, *shlex.split(args.common), *shlex.split(command)]
                seconds, cpu, rss, digest = run(argv)
                wall0, cpu0, rss0, _ = best.get(who, (seconds, cpu, rss, digest))
                best[who] = (min(wall0, seconds), min(cpu0, cpu), max(rss0, rss), digest)
        (bw, bc, br, bd), (aw, ac, ar, ad) = best["before"], best["after"]
        print(f"| `{command}` | {bw:.2f} / {bc:.2f}, {br:.0f} | {aw:.2f} / {ac:.2f}, {ar:.0f} | "
              f"{'yes' if bd == ad else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
