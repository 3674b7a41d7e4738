"""Property-based tests over random manifests and random edits.

* No exception other than agentcfg's own (AgentcfgError, which the CLI maps to exit 1/2)
  escapes `validate`, `lock`, `lock --check` or `render`, whatever the manifest holds.
* `lock` is deterministic: locking again writes nothing, and a fresh copy (no caches) locks to
  the same bytes.
* `diff_configs(x, x)` is empty for every config that renders.
* promote then rollback puts back the previous release's `config` and `digest` byte for byte.

Examples are bounded and derandomized (the same examples every run), so the suite stays fast
and never flakes; the random manifests below are what makes them worth running.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree, commit_all, git, init_repo
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

NAMES = ["chat", "fast", "triage", "lookup", "x", "Bad Name", "-dash"]
MODEL_IDS = ["gpt-4o-2024-08-06", "gpt-4o", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-latest",
             "gemini-1.5-pro-002", "mistral-large-2407", "1.10", ""]
PROVIDERS = ["openai", "anthropic", "google", "mistral", "acme"]
RISKS = ["none", "low", "medium", "high", "critical", "extreme"]

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
scalars = st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(-1e6, 1e6, allow_nan=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(NAMES + ["type", "id", "file", "$ref"]) | text, inner,
                                        max_size=3), max_leaves=6)


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    """A manifest that is usually valid: models, prompts, tools, agents, data, policies."""
    model_names = draw(st.lists(st.sampled_from(NAMES[:4]), min_size=1, max_size=3, unique=True))
    models = {n: {"provider": draw(st.sampled_from(PROVIDERS)), "id": draw(st.sampled_from(MODEL_IDS)),
                  "parameters": {"temperature": draw(st.floats(0, 2).map(lambda f: round(f, 2)))}}
              for n in model_names}
    variables = draw(st.lists(st.sampled_from(["user", "order", "tone"]), max_size=2, unique=True))
    body = draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="{}"),
                        max_size=60))
    template = body + "".join(f" {{{{{v}}}}}" for v in variables)
    prompts: dict[str, Any] = {"greet": {"template": template, "variables": variables}}
    if draw(st.booleans()):
        prompts["filed"] = {"file": "prompts/filed.md", "variables": ["user"]}
    tool_names = draw(st.lists(st.sampled_from(["lookup", "refund", "search"]), max_size=2, unique=True))
    tools = {n: {"description": draw(text),
                 "inputSchema": {"type": "object", "properties": {p: {"type": draw(st.sampled_from(
                     ["string", "integer", "boolean"]))} for p in draw(st.lists(st.sampled_from(["id", "q", "n"]),
                                                                                 max_size=2, unique=True))}},
                 "annotations": {"readOnlyHint": draw(st.booleans()), "destructiveHint": draw(st.booleans())},
                 "approval": draw(st.sampled_from(["required", "never"]))} for n in tool_names}
    agents = {"helper": {"model": draw(st.sampled_from(model_names + ["missing"])), "prompt": "greet",
                         "tools": draw(st.lists(st.sampled_from(tool_names + ["ghost"]), max_size=2, unique=True))
                         if tool_names else []}}
    manifest: dict[str, Any] = {"name": "prop", "environments": ["staging", "production"], "models": models,
                                "prompts": prompts, "tools": tools, "agents": agents}
    if draw(st.booleans()):
        manifest["data"] = {"corpus": {"path": "data/corpus", "role": "corpus"}}
    if draw(st.booleans()):
        manifest["policies"] = {"production": {"require_pinned_models": draw(st.booleans()),
                                               "max_risk": draw(st.sampled_from(RISKS))}}
    return manifest


@st.composite
def edits(draw: st.DrawFn, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest after 0-3 random edits: a value replaced, a key deleted or added, anywhere."""
    out = json.loads(json.dumps(manifest))
    for _ in range(draw(st.integers(0, 3))):
        node: Any = out
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys or not draw(st.booleans()):
                break
            key = draw(st.sampled_from(keys))
            if not isinstance(node[key], (dict, list)):
                break
            node = node[key]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if isinstance(node, dict):
            keys = list(node)
            if action == "add" or not keys:
                node[draw(st.sampled_from(NAMES + ["description", "kind", "dims"]) | text)] = draw(values)
            elif action == "delete":
                del node[draw(st.sampled_from(keys))]
            else:
                node[draw(st.sampled_from(keys))] = draw(values)
        elif isinstance(node, list):
            if node and action == "delete":
                node.pop(draw(st.integers(0, len(node) - 1)))
            else:
                node.append(draw(values))
    return out


def _write(root: Path, manifest: dict[str, Any], overlay: dict[str, Any] | None) -> None:
    for stale in ("agentcfg.lock", "environments"):
        path = root / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    files: dict[str, str | bytes] = {
        "agentcfg.yaml": json.dumps(manifest, indent=1),  # JSON is YAML: any value round-trips
        "prompts/filed.md": "Hi {{user}}\n",
        "data/corpus/a.md": "alpha\n",
    }
    if overlay is not None:
        files["environments/staging.yaml"] = json.dumps(overlay)
    build_tree(root, files)


def _agentcfg_only(call: Any) -> Any:
    """Run ``call``; an AgentcfgError is a clean refusal (None), anything else fails the test."""
    from agentcfg.errors import AgentcfgError

    try:
        return call()
    except AgentcfgError as exc:
        assert str(exc)  # a message for the user, never empty
        return None


PROPERTY = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY
@given(data=st.data())
def test_random_manifests_and_edits(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    from agentcfg.semdiff import diff_configs
    from agentcfg.lockfile import lock
    from agentcfg.promotion import render
    from agentcfg.validation import validate

    manifest = data.draw(manifests(), label="manifest")
    edited = data.draw(edits(manifest), label="edited")
    overlay = data.draw(st.none() | edits({"models": {k: {"parameters": {"temperature": 0.5}}
                                                       for k in manifest["models"]}}), label="overlay")
    root = tmp_path_factory.mktemp("prop")
    _write(root, edited, overlay)

    report = _agentcfg_only(lambda: validate(root))
    assert report is not None  # validate reports findings; it raises only when it cannot start
    _agentcfg_only(lambda: validate(root, env="staging"))
    first = _agentcfg_only(lambda: lock(root))
    checked = _agentcfg_only(lambda: lock(root, check=True))
    rendered = _agentcfg_only(lambda: render("staging", root=root))
    assert (first is None) == (checked is None)  # --check fails exactly when lock does
    if report.ok:
        assert first is not None, "a manifest validate accepts must lock"
    event(f"valid={report.ok} locked={first is not None} rendered={rendered is not None}")
    if first is None:
        assert not (root / "agentcfg.lock").exists()
        return
    written = (root / "agentcfg.lock").read_bytes()
    assert checked is not None and checked.fresh
    again = lock(root)
    assert not again.written and (root / "agentcfg.lock").read_bytes() == written
    copy = tmp_path_factory.mktemp("copy")
    shutil.copytree(root, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".agentcfg", "agentcfg.lock"))
    lock(copy)
    assert (copy / "agentcfg.lock").read_bytes() == written  # no cache, another folder: same bytes
    if rendered is not None:
        assert json.loads(written)["environments"]["staging"]["digest"] == rendered.digest
        assert not diff_configs(rendered.config, rendered.config).changes
        assert not diff_configs(json.loads(json.dumps(rendered.config)), rendered.config).changes


@pytest.fixture
def release_repo(tmp_path: Path) -> Path:
    from agentcfg.lockfile import lock
    from agentcfg.promotion import promote

    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {".gitignore": ".agentcfg/\n", "agentcfg.yaml": json.dumps({
        "name": "roundtrip", "environments": ["staging"],
        "models": {"chat": {"provider": "openai", "id": "gpt-4o-2024-08-06", "parameters": {"temperature": 0.1}}},
        "prompts": {"greet": {"template": "Hello {{user}}", "variables": ["user"]}},
        "agents": {"helper": {"model": "chat", "prompt": "greet"}}})})
    lock(repo)
    commit_all(repo, "init")
    promote("HEAD", "staging", root=repo)
    return repo


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(template=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="{}"),
                        max_size=80),
       temperature=st.floats(0, 2).map(lambda f: round(f, 3)),
       extra=st.dictionaries(st.sampled_from(["seed", "top_p", "stop", "user"]), values, max_size=2))
def test_promote_then_rollback_restores_the_release(release_repo: Path, template: str, temperature: float,
                                                   extra: dict[str, Any]) -> None:
    from agentcfg.canonical import pretty_json
    from agentcfg.lockfile import lock
    from agentcfg.promotion import promote, rollback, unhold
    from agentcfg.release import parse_release

    repo = release_repo
    manifest = json.loads((repo / "agentcfg.yaml").read_text())
    manifest["prompts"]["greet"]["template"] = template + " {{user}}"
    manifest["models"]["chat"]["parameters"] = {"temperature": temperature, **extra}
    (repo / "agentcfg.yaml").write_text(json.dumps(manifest))
    if _agentcfg_only(lambda: lock(repo)) is None:
        git(repo, "checkout", "--", "agentcfg.yaml")
        event("refused by lock")
        return  # a random parameter that validate refuses (a secret-looking string, say)
    commit_all(repo, "random edit")
    before = (repo / "releases/staging.json").read_bytes()
    if promote("HEAD", "staging", root=repo).outcome == "unchanged":
        event("unchanged")
        return
    event("promoted and rolled back")
    rolled = rollback("staging", root=repo, reason="property")
    after = (repo / "releases/staging.json").read_bytes()
    old, new = parse_release(before, "before"), parse_release(after, "after")
    assert pretty_json(new.config) == pretty_json(old.config) and new.digest == old.digest == rolled.digest
    assert new.hold and new.action == "rollback"
    unhold("staging", root=repo)
    assert parse_release((repo / "releases/staging.json").read_bytes(), "unheld").config == old.config
    assert git(repo, "status", "--porcelain") == ""
