"""The CI example and the pre-commit hooks: valid YAML, existing commands, and a full run of
every `agentcfg` command line they contain against the bundled example project."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import commit_all, git

from agentcfg import docgen
from agentcfg.yamlio import load

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
_EXPR = re.compile(r"\$\{\{\s*([\w.]+)\s*\}\}")
_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def workflow() -> dict[str, Any]:
    data = load(WORKFLOW.read_bytes(), str(WORKFLOW)).data
    assert isinstance(data, dict)
    return data


def steps(job: str) -> list[dict[str, Any]]:
    return list(workflow()["jobs"][job]["steps"])


def all_command_lines() -> list[list[str]]:
    return [args for job in workflow()["jobs"] for step in steps(job)
            for args in docgen.command_lines(step.get("run", ""))]


def test_workflow_triggers_and_jobs() -> None:
    wf = workflow()
    on = wf["on"]
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    assert on["workflow_dispatch"]["inputs"]["action"]["options"] == ["promote", "rollback", "unhold"]
    jobs = wf["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["staging"]["if"] == "github.event_name == 'push'"
    assert jobs["production"]["if"] == "github.event_name == 'workflow_dispatch'"
    assert jobs["staging"]["concurrency"]["group"] == jobs["production"]["concurrency"]["group"]
    assert jobs["production"]["concurrency"]["cancel-in-progress"] is False
    assert jobs["check"]["permissions"]["pull-requests"] == "write"
    for name in ("check", "staging", "production"):
        checkout = next(s for s in jobs[name]["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
        assert checkout["with"]["fetch-depth"] == 0, f"{name}: history is needed"


def test_workflow_runs_the_required_commands() -> None:
    lines = {" ".join(a) for a in all_command_lines()}
    for expected in ("validate", "lock --check", "verify", 'diff $BASE HEAD --format markdown',
                     "diff $BASE HEAD --fail-on critical", "promote HEAD staging --reason $REASON",
                     "promote staging production --dry-run", "rollback production --reason $REASON",
                     "unhold production --reason $REASON"):
        assert expected in lines, expected
    comment = next(s for s in steps("check") if "sticky-pull-request-comment" in str(s.get("uses")))
    assert comment["with"]["path"] == "agentcfg-diff.md"
    names = [s.get("name") for s in steps("check")]
    assert names.index("Post the diff as a PR comment") < names.index("Refuse critical-risk changes")


def test_every_workflow_command_exists() -> None:
    lines = all_command_lines()
    assert len(lines) >= 12
    problems = [f"agentcfg {' '.join(a)}: {p}" for a in lines for p in docgen.command_problems(a)]
    assert not problems, "\n".join(problems)


# --- running the workflow's commands against the example project ------------------------------

class Runner:
    """Runs the `agentcfg` lines of one job's steps in-process, the way Actions would: GitHub
    expressions and shell variables substituted, steps filtered by `inputs.action`."""

    def __init__(self, cli: Callable[..., Any], repo: Path) -> None:
        self.cli, self.repo = cli, repo
        self.outputs: list[str] = []
        self.published: list[list[str]] = []

    def job(self, name: str, ctx: dict[str, str], *, action: str | None = None) -> list[list[str]]:
        ran = []
        wf = workflow()
        for step in wf["jobs"][name]["steps"]:
            cond = str(step.get("if", ""))
            if cond.startswith("inputs.action") and f"'{action}'" not in cond:
                continue
            lines = docgen.command_lines(step.get("run", ""))
            if lines and all(args[:1] == ["publish"] for args in lines):
                self.published += lines  # needs a registry: tests/test_oci.py publishes to a real one
                continue
            env = {**{k: str(v) for k, v in wf.get("env", {}).items()},
                   **{k: _EXPR.sub(lambda m: ctx[m.group(1)], str(v)) for k, v in step.get("env", {}).items()},
                   "GITHUB_SHA": ctx["github.sha"], "GITHUB_REF_NAME": "main", "GITHUB_STEP_SUMMARY": "/dev/null"}
            for args in docgen.command_lines(step.get("run", "")):
                argv = [_VAR.sub(lambda m, env=env: env[m.group(1)], a) for a in args]
                r = self.cli(*argv)
                assert r.exit_code == 0, f"{name}: agentcfg {shlex.join(argv)}\n{r}"
                self.outputs.append(r.stdout)
                ran.append(argv)
        return ran


def _release(repo: Path, env: str) -> dict[str, Any]:
    return dict(json.loads((repo / "releases" / f"{env}.json").read_text()))


def test_the_workflow_commands_run_against_the_example(example_repo: Path, cli: Any,
                                                       monkeypatch: Any) -> None:
    repo = example_repo
    # The staging job runs the example's evals with `python -m pytest`: this interpreter has pytest.
    import os
    import sys

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    assert cli("lock").exit_code == 0
    commit_all(repo, "lock")
    run = Runner(cli, repo)

    def sha() -> str:
        return git(repo, "rev-parse", "HEAD").strip()

    # merge to main → staging
    merged = sha()
    ran = run.job("staging", {"github.sha": merged, "github.actor": "octocat"})
    assert ran == [["lock", "--check"], ["promote", "HEAD", "staging", "--reason", f"merge of {merged} by octocat"],
                   ["attest", "staging", "--name", "support_evals", "--junit", "reports/support_evals.xml", "--",
                    "python", "-m", "pytest", "-q", "evals", "--junit-xml", "reports/support_evals.xml"]]
    assert "Agentcfg-Verdict: passed" in git(repo, "log", "-1", "--format=%B")
    assert _release(repo, "staging")["action"] == "promote"
    assert "Agentcfg-Env: staging" in git(repo, "log", "-1", "--format=%B")

    # manual production release, without --expect-current/--approve (empty inputs)
    inputs = {"inputs.reason": "first release", "inputs.expect_current": "", "inputs.approve": ""}
    run.job("production", {"github.sha": sha(), **inputs}, action="promote")
    first = _release(repo, "production")["digest"]

    # a pull request that edits a prompt: checks, the markdown diff, the critical gate
    base = sha()
    with open(repo / "prompts" / "triage.md", "a", encoding="utf-8") as fh:
        fh.write("Always greet the customer by name.\n")
    assert cli("lock").exit_code == 0
    commit_all(repo, "triage: greet by name")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    ran = run.job("check", {"github.base_ref": "main", "github.sha": sha()})
    assert ["diff", "origin/main", "HEAD", "--fail-on", "critical"] in ran
    assert any("prompts/triage" in out and "medium" in out for out in run.outputs)

    # merged: staging, then production with compare-and-swap on the digest the operator saw
    run.job("staging", {"github.sha": sha(), "github.actor": "octocat"})
    run.job("production", {"github.sha": sha(), **inputs, "inputs.reason": "greeting",
                           "inputs.expect_current": first[7:19]}, action="promote")
    second = _release(repo, "production")
    assert second["digest"] != first and second["reason"] == "greeting"

    # incident: roll back (on hold), then lift the hold
    run.job("production", {"github.sha": sha(), "inputs.reason": "INC-1: rude greetings"}, action="rollback")
    rolled = _release(repo, "production")
    assert (rolled["digest"], rolled["action"], rolled["hold"]) == (first, "rollback", True)
    run.job("production", {"github.sha": sha(), "inputs.reason": "INC-1 closed"}, action="unhold")
    assert _release(repo, "production")["hold"] is False
    # every job that writes a release publishes it afterwards
    assert ["publish", "staging", "$AGENTCFG_REGISTRY"] in run.published
    assert ["publish", "production", "$AGENTCFG_REGISTRY"] in run.published


def test_pre_commit_hooks(example_repo: Path, cli: Any) -> None:
    hooks = load(HOOKS.read_bytes(), str(HOOKS)).data
    assert [h["id"] for h in hooks] == ["agentcfg-validate", "agentcfg-lock-check"]
    for hook in hooks:
        assert set(hook) <= {"id", "name", "description", "entry", "language", "pass_filenames", "files",
                             "require_serial", "always_run", "types", "types_or", "args", "stages"}
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        argv = shlex.split(hook["entry"])
        assert argv[0] == "agentcfg" and not docgen.command_problems(argv[1:])
    validate, lock_check = (shlex.split(h["entry"])[1:] for h in hooks)
    assert cli(*validate).exit_code == 0
    assert cli(*lock_check).exit_code == 1  # the example ships without a lock
    assert cli("lock").exit_code == 0
    assert cli(*lock_check).exit_code == 0
    (example_repo / "prompts" / "triage.md").write_text("changed {{company_name}} {{customer_name}} {{channel}} "
                                                        "{{#recent_orders}}{{/recent_orders}}\n")
    r = cli(*lock_check)
    assert r.exit_code == 1 and "prompts/triage" in r.output
