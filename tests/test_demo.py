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
    shutil.rmtree(tmp_path, ignore_errors=True)
