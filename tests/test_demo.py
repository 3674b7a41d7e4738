"""The README's first command runs examples/demo.sh: keep it working end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_demo_script_runs_the_whole_loop(tmp_path: Path) -> None:
    bindir = Path(sys.executable).parent
    if not (bindir / "agentcfg").exists():  # pragma: no cover - only when not installed as a script
        shim = tmp_path / "bin" / "agentcfg"
        shim.parent.mkdir()
        shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m agentcfg \"$@\"\n")
        shim.chmod(0o755)
        bindir = shim.parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(tmp_path)}
    r = subprocess.run(["bash", str(ROOT / "examples" / "demo.sh")], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = r.stdout + r.stderr
    for expected in ("valid", "wrote agentcfg.lock", "promoted HEAD → staging", "promoted staging → production",
                     "critical", "rolled back production", "promotion refused by hold",
                     "verified releases/production.json", "refused (ToolNotAllowed)", "refused (ToolInputInvalid)",
                     "(answered as demo lead)", '"status": "pending"',
                     "every declared tool is served as reviewed", "tool-gains-write", "tool-description",
                     "passed: attested support_evals on staging",
                     "failed: attested support_evals on staging", "refused by require_evidence: production requires "
                     "evidence 'support_evals'", "evidence support_evals: ok"):
        assert expected in out, expected
    assert "Traceback" not in out
    _the_fleet_section(out)
    shutil.rmtree(tmp_path, ignore_errors=True)


def _the_fleet_section(out: str) -> None:
    """Section 7: publish to a registry the demo starts, load by tag, and the tag follows a rollback."""
    import re

    section = out[out.index("== 7."):]
    if "(skipped" in section:
        assert not (Path("/usr/bin/docker-registry").exists() and _has_oras()), section
        return
    loads = re.findall(r"loaded production (sha256:[0-9a-f]{64})( \(on hold\))?", section)
    published = re.findall(r"published production → \S+: (sha256:[0-9a-f]{64})", section)
    assert len(loads) == 3 and len(published) == 3, section[-3000:]
    # each load by tag sees what was just published: the held rollback, the fix, the second rollback
    assert [d for d, _ in loads] == published and loads[0][1] and not loads[1][1] and loads[2][1]
    assert loads[2][0] == loads[0][0] != loads[1][0]
    assert "unchanged:" in section and "nothing pushed" in section


def _has_oras() -> bool:
    import importlib.util

    return importlib.util.find_spec("oras") is not None
