"""The shipped recipes, run as shipped: the pre-commit hooks through `pre-commit try-repo` (which
installs this repository into its own virtualenv), and the GitHub Actions workflow through the
Actions schema and by running its shell steps with bash against a real repository and remote."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT, commit_all, git, init_repo

from agentcfg.yamlio import load

WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"
BIN = Path(sys.executable).parent
_EXPR = re.compile(r"\$\{\{\s*([\w.]+)\s*\}\}")


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return path


def _distribution() -> tuple[str, str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    name = re.search(r'^name = "([^"]+)"', text, flags=re.MULTILINE)
    version = re.search(r'^version = "([^"]+)"', text, flags=re.MULTILINE)
    assert name and version
    return name.group(1), version.group(1)


def test_the_distribution_is_not_the_other_agentcfg() -> None:
    name, version = _distribution()
    assert name == "agentcfg-gitops"
    wf = load(WORKFLOW.read_bytes(), str(WORKFLOW)).data
    assert wf["env"]["AGENTCFG_VERSION"] == version
    installs = [str(step["run"]) for job in wf["jobs"].values() for step in job["steps"]
                if "agentcfg" in str(step.get("run", "")) and "pip install" in str(step.get("run", ""))]
    assert len(installs) >= 4
    for line in installs:
        assert re.fullmatch(rf'pip install "{name}(\[[a-z,]+\])?==\$AGENTCFG_VERSION"', line.strip()), line
    for doc in [*(ROOT / "docs").glob("*.md"), ROOT / "README.md", WORKFLOW]:
        text = doc.read_text(encoding="utf-8")
        assert not re.search(r"pip install\s+['\"]?agentcfg(?![-\w])", text), doc.name
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "docs").glob("*.md"), ROOT / "examples" / "demo.sh"]:
        assert "agentcfg[" not in path.read_text(encoding="utf-8"), f"{path.name}: extras of the other agentcfg"


def test_the_workflow_passes_the_actions_schema() -> None:
    r = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def _steps(job: str, ctx: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    """(name, script, env) of each `run:` step of ``job`` that runs for ``ctx``."""
    wf = load(WORKFLOW.read_bytes(), str(WORKFLOW)).data
    out = []
    for step in wf["jobs"][job]["steps"]:
        cond = str(step.get("if", ""))
        if "run" not in step or (cond.startswith("inputs.action") and f"'{ctx.get('inputs.action')}'" not in cond):
            continue
        if step.get("name") == "Publish the release to the registry":  # its token is a secret: not run here
            out.append((str(step["name"]), str(step["run"]), {}))
            continue
        env = {k: _EXPR.sub(lambda m: ctx[m.group(1)], str(v)) for k, v in step.get("env", {}).items()}
        out.append((str(step.get("name", "")), str(step["run"]), env))
    return out


class Actions:
    """Runs a job's shell steps the way a runner does: `bash -e` in the checkout, the workflow's
    env, GitHub's variables. The install step is checked, not run: it installs from PyPI, and
    this test must use the code under test (on PATH already)."""

    def __init__(self, repo: Path, tmp: Path) -> None:
        self.repo, self.tmp = repo, tmp
        self.summary = tmp / "summary.md"
        wf = load(WORKFLOW.read_bytes(), str(WORKFLOW)).data
        self.base_env = {**{k: v for k, v in os.environ.items() if not k.startswith("AGENTCFG_")},
                         **{k: str(v) for k, v in wf["env"].items()},
                         "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "GITHUB_REF_NAME": "main",
                         "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_SHA": ""}

    def job(self, name: str, ctx: dict[str, str]) -> list[str]:
        ran = []
        for step, script, env in _steps(name, ctx):
            if script.strip().startswith("pip install"):
                continue  # from PyPI; checked by test_the_distribution_is_not_the_other_agentcfg
            if step == "Publish the release to the registry":  # tests/test_oci.py publishes to a real registry
                assert script.strip().startswith("agentcfg publish ") and script.strip().endswith('"$AGENTCFG_REGISTRY"')
                ran.append(step)
                continue
            full = {**self.base_env, **env, "GITHUB_SHA": git(self.repo, "rev-parse", "HEAD").strip()}
            r = subprocess.run(["bash", "-e", "-c", script], cwd=self.repo, env=full, capture_output=True,
                               text=True, timeout=300)
            assert r.returncode == 0, f"{name} / {step}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
            ran.append(step)
        return ran


def test_the_workflow_shell_steps_run(tmp_path: Path) -> None:
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    repo = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\nagentcfg-diff.md\n")
    commit_all(repo, "agents")
    subprocess.run([str(BIN / "agentcfg"), "lock"], cwd=repo, check=True, capture_output=True)
    commit_all(repo, "lock")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "HEAD:main")
    actions = Actions(repo, tmp_path)

    # merge to main: staging is promoted and pushed
    ran = actions.job("staging", {"github.sha": "", "github.actor": "octocat"})
    assert any(step.startswith("Push the release") for step in ran)
    pushed = git(remote, "log", "--format=%s", "main").splitlines()
    assert pushed[0].startswith("agentcfg: attest") and pushed[1].startswith("agentcfg: promote HEAD to staging")

    inputs: dict[str, Any] = {"inputs.reason": "first release", "inputs.expect_current": "", "inputs.approve": ""}
    actions.job("production", {**inputs, "inputs.action": "promote"})

    # a pull request editing a prompt: checks, the PR comment file, the critical gate
    git(repo, "fetch", "-q", "origin")
    with open(repo / "prompts" / "triage.md", "a", encoding="utf-8") as fh:
        fh.write("Always greet the customer by name.\n")
    subprocess.run([str(BIN / "agentcfg"), "lock"], cwd=repo, check=True, capture_output=True)
    commit_all(repo, "triage: greet by name")
    actions.job("check", {"github.base_ref": "main", "github.event.pull_request.number": "7"})
    comment = (repo / "agentcfg-diff.md").read_text(encoding="utf-8")
    assert "prompts/triage" in comment and "medium" in comment
    git(repo, "push", "-q", "origin", "HEAD:main")
    actions.job("staging", {"github.sha": "", "github.actor": "octocat"})

    # manual production runs: promote (empty optional inputs), roll back, lift the hold
    actions.job("production", {**inputs, "inputs.action": "promote", "inputs.reason": "greeting"})
    actions.job("production", {**inputs, "inputs.action": "rollback", "inputs.reason": "INC-1"})
    actions.job("production", {**inputs, "inputs.action": "unhold", "inputs.reason": "INC-1 closed"})
    log = git(remote, "log", "--format=%s", "main", "--", "releases/production.json").splitlines()
    assert [s.split(" ")[1] for s in log] == ["unhold", "roll", "promote", "promote"]
    assert "production" in actions.summary.read_text(encoding="utf-8")


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """pre-commit installs this repository (as checked out) into a virtualenv and runs each hook:
    both pass on a locked project, and each fails on the mistake it exists for."""
    pre_commit = _tool("pre-commit")
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this project as a git checkout")
    repo = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\n")
    commit_all(repo, "agents")
    subprocess.run([str(BIN / "agentcfg"), "lock"], cwd=repo, check=True, capture_output=True)
    commit_all(repo, "lock")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([pre_commit, "try-repo", str(ROOT), hook, "--all-files"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900)

    for hook in ("agentcfg-validate", "agentcfg-lock-check"):
        r = try_repo(hook)
        assert r.returncode == 0 and "Passed" in r.stdout, r.stdout[-3000:] + r.stderr[-3000:]
    triage = repo / "prompts" / "triage.md"
    triage.write_text(triage.read_text() + "More.\n")
    r = try_repo("agentcfg-lock-check")
    assert r.returncode == 1 and "prompts/triage" in r.stdout
    manifest = repo / "agentcfg.yaml"
    manifest.write_text(manifest.read_text().replace("tools: [lookup_order, get_customer_profile, create_ticket]",
                                                     "tools: [lookup_ordr, get_customer_profile, create_ticket]"))
    r = try_repo("agentcfg-validate")
    assert r.returncode == 1 and "lookup_ordr" in r.stdout
