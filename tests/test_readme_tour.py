"""The README's five-minute tour runs verbatim, as a new user would run it.

The block is copied out of README.md and run by bash in an empty folder, with a git that names
the first branch `master` and a HOME without agentcfg or git settings of the user's: the tour
must not depend on a branch called `main`. It must end with a real diff, a rollback and an
unhold, and the sample output the README shows must be what the tool prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def _blocks(text: str, lang: str = "") -> list[str]:
    """The fenced code blocks of ``text`` whose info string is ``lang`` (fences at line starts)."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if current is None and line.startswith("```"):
            current = [] if line[3:].strip() == lang else None
            if current is None:
                current = ["\0skip"]
        elif current is not None and line.startswith("```"):
            if current[:1] != ["\0skip"]:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def _bin_dir(tmp_path: Path) -> Path:
    bindir = Path(sys.executable).parent
    if (bindir / "agentcfg").exists():
        return bindir
    shim = tmp_path / "bin" / "agentcfg"  # pragma: no cover - only when not installed as a script
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m agentcfg \"$@\"\n")
    shim.chmod(0o755)
    return shim.parent


def run_tour(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    tour = _blocks(_section("Five-minute tour"), "bash")[0]
    home = tmp_path / "home"
    home.mkdir()
    # A user's git: an identity, and the first branch called `master` (git's own default before
    # 3.0; set here so a newer git behaves the same).
    (home / ".gitconfig").write_text("[user]\n\tname = New User\n\temail = new@example.com\n"
                                     "[init]\n\tdefaultBranch = master\n[commit]\n\tgpgsign = false\n")
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AGENTCFG_"))}
    env.update(HOME=str(home), NO_COLOR="1", COLUMNS="200", GIT_CONFIG_NOSYSTEM="1",
               PATH=f"{_bin_dir(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    script = "set -euo pipefail\n" + tour
    result = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    return result, work / "my-agents"


def test_the_tour_runs_verbatim_on_a_master_branch(tmp_path: Path) -> None:
    r, repo = run_tour(tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "Traceback" not in out and "internal error" not in out
    branch = subprocess.run(["git", "branch", "--show-current"], cwd=repo, capture_output=True, text=True).stdout
    assert branch.strip() == "master"
    # a real diff: the pull request's changes, with risk and impact
    assert "tools/send_email  critical  impact: agents/escalation" in out
    assert "3 changes in 2 artefacts: 1 critical, 1 medium, 1 low (max risk: critical)" in out
    assert "CI stops here until someone reviews it" in out
    # a rollback to the first release, its hold refusing a promotion, and the unhold
    assert "rolled back production to sha256:" in out
    assert "refused: production is on hold" in out
    assert "unheld production: promotions are allowed again" in out
    log = subprocess.run(["git", "log", "--format=%s", "--", "releases/production.json"], cwd=repo,
                         capture_output=True, text=True).stdout.splitlines()
    assert [line.split(" (")[0] for line in log] == [
        "agentcfg: unhold production", "agentcfg: roll back production to " + log[1].rsplit(" ", 1)[-1],
        "agentcfg: promote staging to production", "agentcfg: promote staging to production"]
    # the README's sample output is what the tool printed
    samples = _blocks(_section("Five-minute tour"), "")[:2]  # the diff, the first release
    assert len(samples) == 2
    printed = set(out.splitlines())
    for sample in samples:
        for line in sample.splitlines():
            if "…" not in line:
                assert line in printed, f"README sample line not printed by the tour: {line!r}"
