"""agentcfg's benchmark: ``python bench/run.py [--scale S|M|L] [--repeat N]``.

Generates a synthetic project (bench/generate.py) in a temp folder, runs agentcfg against it as
a user would (a separate process per measurement, the installed ``agentcfg`` script), measures
a baseline in the same run for each row, and prints one table with PASS/FAIL against the
targets of issue 8. Figures are medians of ``--repeat`` runs; peak memory is the child's
max RSS (``wait4``). Nothing here is a test: timings never fail the test suite.

Rows are produced by the functions in :data:`SUITES`; each takes a :class:`Bench` and returns
:class:`Row` objects, so new rows are one function away.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

AGENTCFG = str(Path(sys.executable).with_name("agentcfg"))


@dataclass
class Row:
    name: str
    value_s: float  # median seconds
    baseline_name: str = ""
    baseline_s: float | None = None
    target: str = ""  # human-readable target
    ok: bool | None = None  # None: no target at this scale
    peak_mb: float | None = None

    def cells(self) -> list[str]:
        ratio = f"{self.value_s / self.baseline_s:.2f}x" if self.baseline_s else ""
        base = f"{self.baseline_name} {_ms(self.baseline_s)}" if self.baseline_s is not None else ""
        verdict = "" if self.ok is None else ("PASS" if self.ok else "FAIL")
        peak = f"{self.peak_mb:.0f} MB" if self.peak_mb is not None else ""
        return [self.name, _ms(self.value_s), base, ratio, peak, self.target, verdict]


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


class Bench:
    """A generated project plus helpers to time commands in it."""

    def __init__(self, scale: str, workdir: Path, repeat: int) -> None:
        self.scale = scale
        self.workdir = workdir
        self.repeat = repeat
        self.root = workdir / f"project-{scale}"
        started = time.perf_counter()
        generate.generate(self.root, scale)
        self.generate_s = time.perf_counter() - started

    def run(self, argv: list[str], *, cwd: Path | None = None, check: bool = True) -> Run:
        """Run one process, returning wall time and its own peak RSS."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            env = {**os.environ, "NO_COLOR": "1", "CI": "1"}
            started = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=cwd or self.root, stdout=out, stderr=err, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            result = Run(elapsed, usage.ru_maxrss / 1024, proc.returncode, out.read().decode(), err.read().decode())
        if check and result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
        return result

    def median(self, argv: list[str], *, before: Callable[[], None] | None = None,
               cwd: Path | None = None) -> tuple[float, float]:
        """(median seconds, max peak MB) over ``repeat`` runs, calling ``before`` ahead of each."""
        times, peaks = [], []
        for _ in range(self.repeat):
            if before is not None:
                before()
            r = self.run(argv, cwd=cwd)
            times.append(r.seconds)
            peaks.append(r.peak_mb)
        return statistics.median(times), max(peaks)

    def agentcfg(self, *args: str) -> list[str]:
        return [AGENTCFG, *args]

    def python(self, code: str, *args: str) -> list[str]:
        return [sys.executable, "-c", code, *args]

    def clear_caches(self, *names: str) -> None:
        cache = self.root / ".agentcfg" / "cache"
        for name in names:
            try:
                (cache / name).unlink()
            except FileNotFoundError:
                pass


# --- rows -------------------------------------------------------------------------------------

HASHLIB_LOOP = """
import hashlib, os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as fh:
            hashlib.file_digest(fh, "sha256")
"""

HASH_DATA = """
import sys
from pathlib import Path
from agentcfg.hashing import hash_data
p = Path(sys.argv[1]).resolve()
hash_data(p, boundary=p.parent, artefact="data/big")
"""


def lock_rows(b: Bench) -> list[Row]:
    """`lock` cold and warm, `lock --check`, and the data-hashing engine against its baselines."""
    rows: list[Row] = []
    is_l = b.scale == "L"
    b.run(b.agentcfg("lock"))  # commit-free warm-up: parse cache filled, lock written
    b.run(b.agentcfg("lock"))  # a second run records the memo once files are old enough

    # Cold: every data file is read (stat cache and lock memo removed; the YAML parse cache
    # is kept, so the row measures locking, not validate's cold parse, which has its own row).
    cold, cold_peak = b.median(b.agentcfg("lock"), before=lambda: b.clear_caches("stat.json", "lock-inputs.json"))
    if is_l:
        base, _ = b.median(b.python(HASHLIB_LOOP, str(b.root / "data" / "big")))
        rows.append(Row("lock cold (L: 10k files, 1 GiB)", cold, "hashlib loop", base, "<= 1.3x hashlib loop",
                        cold <= 1.3 * base, cold_peak))
    else:
        rows.append(Row(f"lock cold ({b.scale})", cold, peak_mb=cold_peak))

    b.run(b.agentcfg("lock"))
    time.sleep(2.1)  # let the files just written age past the stat cache's racy window
    b.run(b.agentcfg("lock"))
    warm, warm_peak = b.median(b.agentcfg("lock"))
    pyrun, _ = b.median(b.python("pass"))
    rows.append(Row(f"lock warm, nothing changed ({b.scale})", warm, "python -c pass", pyrun,
                    "<= 250 ms" if is_l else "", (warm <= 0.25) if is_l else None, warm_peak))
    check, check_peak = b.median(b.agentcfg("lock", "--check"))
    rows.append(Row(f"lock --check, fresh ({b.scale})", check, peak_mb=check_peak))
    check_full, _ = b.median(b.agentcfg("lock", "--check"), before=lambda: b.clear_caches("lock-inputs.json"))
    rows.append(Row(f"lock --check, full re-render ({b.scale})", check_full))

    if is_l:
        big = str(b.root / "data" / "big")
        engine, engine_peak = b.median(b.python(HASH_DATA, big))
        sha256sum = shutil.which("sha256sum")
        if sha256sum:
            files = [str(p) for p in generate.data_files(b.root)]
            listing = b.workdir / "files.txt"
            listing.write_text("\0".join(files))
            cmd = ["sh", "-c", f"xargs -0 {sha256sum} < {listing} > /dev/null"]
            base, _ = b.median(cmd)
            rows.append(Row("hash engine cold (hash_data)", engine, "sha256sum", base, "<= 1.5x sha256sum",
                            engine <= 1.5 * base, engine_peak))
    return rows


SUITES: list[Callable[[Bench], list[Row]]] = [lock_rows]


def print_table(rows: list[Row], title: str) -> None:
    head = ["row", "agentcfg", "baseline", "ratio", "peak", "target", ""]
    body = [r.cells() for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body)]
    print(title)
    for i, line in enumerate([head, *body]):
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["S", "M", "L"], default="S")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (the median is shown)")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args(argv)
    if not Path(AGENTCFG).exists():
        print(f"agentcfg is not installed next to {sys.executable}; run `pip install -e .` first", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix=f"agentcfg-bench-{args.scale}-"))
    try:
        bench = Bench(args.scale, workdir, args.repeat)
        rows = [row for suite in SUITES for row in suite(bench)]
        print_table(rows, f"agentcfg bench, scale {args.scale} ({os.cpu_count()} cpus, Python "
                          f"{sys.version.split()[0]}, median of {args.repeat}; generated in {bench.generate_s:.1f} s)")
    finally:
        if args.keep:
            print(f"(project kept in {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    failed = [r for r in rows if r.ok is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
