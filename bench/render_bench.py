"""The text side of one-city answers, before and after: the rows `balance`, `extend` and
`bottlenecks` print at a size (captured from this checkout's CLI, as it hands them to
`output.render_parts`) rendered as a table and as JSON by this checkout's `output.py` and by another
checkout's, alternately, and the figures those queries write (`units.written`, `quantity_range`,
`humanize`, each call as the query made it) by both `units.py`. Prints the least CPU seconds of
`--runs` for each side and whether both wrote the same text.

Unlike a whole command (`compare.py`), both sides run in one process a moment apart, which keeps
a machine other work shares from hiding differences of a tenth of a second.

    .venv/bin/python bench/render_bench.py --data DIR --baseline /tmp/old/chaingraph [--runs 3]

`--data` is a dataset whose compiled store this checkout has written (or will write: the first
command builds it); `--baseline` is the other checkout's package folder.
"""
from __future__ import annotations

import argparse
import functools
import importlib.util
import io
import sys
import time
import types
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package, not an installed one

import chaingraph.output as output  # noqa: E402
import chaingraph.units as units  # noqa: E402
from chaingraph import i18n  # noqa: E402

FIGURES = ("written", "quantity_range", "humanize")
_REAL = {name: getattr(units, name) for name in FIGURES}
THIS_UNITS = types.SimpleNamespace(**_REAL, _written=units._written)
_calls: dict[str, list] | None = None  # where the figure calls of the query being captured go


def _recording(name: str):
    real = _REAL[name]

    @functools.wraps(real)
    def call(*args, **kwargs):
        if _calls is not None:
            _calls[name].append((args, kwargs))
        return real(*args, **kwargs)
    return call


for _name in FIGURES:  # before any query module imports them by name
    setattr(units, _name, _recording(_name))

from chaingraph.cli import cli  # noqa: E402


def _baseline(folder: Path, name: str):
    """The other checkout's module `name`, loaded inside this package (its relative imports are ours)."""
    spec = importlib.util.spec_from_file_location(f"chaingraph._baseline_{name}", folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _capture(data: str, region: str, query: str, fmt: str, lang: str) -> tuple[list, tuple, dict]:
    """The rows and columns the CLI renders for `query`, and every figure call it made."""
    global _calls
    seen: dict = {}
    real_render_parts = output.render_parts

    def render_parts(rows, fmt="table", columns=()):  # what the CLI writes its rows with, a part at a time
        seen.update(rows=rows, columns=tuple(columns))
        return iter(())

    output.render_parts, _calls = render_parts, {name: [] for name in FIGURES}
    try:
        with redirect_stdout(io.StringIO()):
            cli(["--data", data, query, "--region", region, "--format", fmt, "--lang", lang],
                prog_name="chaingraph", standalone_mode=False)
        return seen["rows"], seen["columns"], _calls
    finally:
        output.render_parts, _calls = real_render_parts, None


def _least(runs: int, sides: dict, work) -> tuple[dict[str, float], bool]:
    best, texts = {name: float("inf") for name in sides}, {}
    for _ in range(runs):
        for name, module in sides.items():
            start = time.process_time()
            texts[name] = work(module)
            best[name] = min(best[name], time.process_time() - start)
    return best, len({repr(t) for t in texts.values()}) == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--baseline", required=True, type=Path, help="the other checkout's chaingraph/ folder")
    parser.add_argument("--region", default="syn_c001", help="the city (default: the synthetic sets' home city)")
    parser.add_argument("--queries", default="balance,extend,bottlenecks")
    parser.add_argument("--langs", default="en,zh")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    old_output, old_units = _baseline(args.baseline, "output"), _baseline(args.baseline, "units")
    print(f"{'query':12} {'lang':4} {'what':16} {'calls':>7} {'baseline':>9} {'this':>7}  same")
    for query in args.queries.split(","):
        for lang in args.langs.split(","):
            for fmt in ("table", "json"):
                rows, columns, calls = _capture(args.data, args.region, query, fmt, lang)
                i18n.set_language(lang)
                try:
                    best, same = _least(args.runs, {"baseline": old_output, "this": output},
                                        lambda m: m.render(rows, fmt, columns))
                    print(f"{query:12} {lang:4} {'render ' + fmt:16} {len(rows):7} {best['baseline']:9.3f} "
                          f"{best['this']:7.3f}  {'yes' if same else 'NO'}", flush=True)
                    if fmt == "json":
                        continue
                    for name in FIGURES:
                        def figures(m, name=name):
                            if hasattr(m, "_written"):
                                m._written.cache_clear()  # each run from an empty cache, as a command starts
                            f = getattr(m, name)
                            return [f(*a, **k) for a, k in calls[name]]
                        best, same = _least(args.runs, {"baseline": old_units, "this": THIS_UNITS}, figures)
                        print(f"{query:12} {lang:4} {'units.' + name:16} {len(calls[name]):7} "
                              f"{best['baseline']:9.3f} {best['this']:7.3f}  {'yes' if same else 'NO'}", flush=True)
                finally:
                    i18n.set_language(None)


if __name__ == "__main__":
    main()
