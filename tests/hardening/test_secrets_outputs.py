"""A secret-looking literal never leaves the file the user put it in.

With a canary API key (OpenAI, Anthropic, AWS and GitHub shapes: tests/hardening/canaries.py) in
a prompt, a tool description, a model parameter, an overlay or a mapping key: `lock` refuses
(it must not write a secret), and neither `lock`, `render`, `promote` (dry run or not), `diff`
(text, json, markdown) nor `validate` prints it, writes it to the lock or a release file, or
puts it in a commit message. The refusal itself is tested in test_secrets_validate.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, build_tree, commit_all, git, init_repo

from hardening.canaries import CANARIES
from hardening.helpers import assert_untouched, head, snapshot

BASE = """name: canary
environments: [staging, production]
models:
  m: {provider: openai, id: gpt-4o-2024-08-06, parameters: {temperature: 0.1}}
prompts:
  p: {file: prompts/p.md, variables: [name]}
tools:
  t:
    description: Look up an order.
    inputSchema: {type: object}
    annotations: {readOnlyHint: true}
agents:
  a: {model: m, prompt: p, tools: [t]}
"""
PROMPT = "Hello {{name}}.\n"

# place -> (file, function putting the secret into the file's text)
PLACES: dict[str, tuple[str, Callable[[str, str], str]]] = {
    "prompt": ("prompts/p.md", lambda text, s: f"Hello {{{{name}}}}, the key is {s}.\n"),
    "tool-description": ("agentcfg.yaml",
                         lambda text, s: text.replace("Look up an order.", f"Look up an order with key {s}")),
    "model-parameter": ("agentcfg.yaml",
                        lambda text, s: text.replace("temperature: 0.1", f"temperature: 0.1, user: '{s}'")),
    "overlay": ("environments/staging.yaml", lambda text, s: f"models:\n  m:\n    parameters: {{seed: '{s}'}}\n"),
    "mapping-key": ("agentcfg.yaml", lambda text, s: text.replace("temperature: 0.1", f"temperature: 0.1, '{s}': 1")),
}


def _leaks(secret: str, *texts: str) -> bool:
    return any(secret in t for t in texts)


def _with_secret(root: Path, place: str, secret: str) -> None:
    rel, put = PLACES[place]
    path = root / rel
    old = path.read_text() if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(put(old, secret))


@pytest.mark.parametrize("kind", sorted(CANARIES))
@pytest.mark.parametrize("place", sorted(PLACES))
def test_lock_refuses_to_write_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result],
                                        place: str, kind: str) -> None:
    """Input: a canary in PLACE. Expect `lock` exit 1 with [secret-literal] naming the file and
    artefact, the value never shown, no agentcfg.lock written (and an existing one untouched)."""
    secret = CANARIES[kind]
    build_tree(tmp_path, {"agentcfg.yaml": BASE, "prompts/p.md": PROMPT})
    monkeypatch.chdir(tmp_path)
    assert cli("lock").exit_code == 0
    _with_secret(tmp_path, place, secret)
    before = snapshot(tmp_path)
    for argv in (("lock",), ("lock", "--check"), ("lock", "--format", "json")):
        r = cli(*argv)
        assert r.exit_code == 1, (argv, r)
        assert "[secret-literal]" in r.stderr and "the value is not shown" in r.stderr, r
        assert PLACES[place][0] in r.stderr  # the file the user has to fix
        assert not _leaks(secret, r.stdout, r.stderr)
    assert_untouched(before, tmp_path)
    assert secret not in (tmp_path / "agentcfg.lock").read_text()


@pytest.fixture
def committed_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     request: pytest.FixtureRequest) -> tuple[Path, str, str]:
    """A repository whose HEAD has a canary in it (committed without re-locking: lock refuses)."""
    from agentcfg.lockfile import lock
    from agentcfg.promotion import promote

    place, kind = request.param
    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {"agentcfg.yaml": BASE, "prompts/p.md": PROMPT, ".gitignore": ".agentcfg/\n"})
    monkeypatch.chdir(repo)
    lock(repo)
    commit_all(repo, "clean")
    promote("HEAD", "staging")
    _with_secret(repo, place, CANARIES[kind])
    commit_all(repo, "a secret slipped in")
    return repo, CANARIES[kind], place


COMMANDS: list[tuple[str, ...]] = [
    ("validate",), ("validate", "--format", "json"), ("validate", "--env", "staging"),
    ("lock",), ("render", "staging"), ("render", "staging", "--format", "json"), ("render", "staging", "--rev", "HEAD"),
    ("promote", "HEAD", "staging", "--dry-run"), ("promote", "HEAD", "staging", "--dry-run", "--format", "json"),
    ("promote", "HEAD", "staging"), ("promote", "HEAD", "staging", "--no-commit"),
    ("diff",), ("diff", "HEAD~1", "HEAD"), ("diff", "HEAD~1", "HEAD", "--format", "json"),
    ("diff", "HEAD~1", "HEAD", "--format", "markdown"), ("diff", "HEAD~1", ".", "--env", "staging"),
]


@pytest.mark.parametrize("committed_secret", [(p, k) for p, k in zip(sorted(PLACES), sorted(CANARIES) * 2)],
                         indirect=True, ids=sorted(PLACES))
def test_no_command_prints_or_writes_a_committed_secret(committed_secret: tuple[Path, str, str],
                                                        cli: Callable[..., Result]) -> None:
    """Expect exit 1 (an invalid config: the secret-literal finding) from every command that
    renders the config, the canary in no output, no file and no commit changed."""
    repo, secret, place = committed_secret
    before = snapshot(repo)
    for argv in COMMANDS:
        if place == "overlay" and argv[0] == "diff" and "--env" not in argv:
            argv = (*argv, "--env", "staging")  # only the overlaid environment holds the secret
        r = cli(*argv)
        assert r.exit_code == 1, (argv, r)
        assert "secret-literal" in r.stdout + r.stderr, (argv, r)
        assert not _leaks(secret, r.stdout, r.stderr), argv
    assert_untouched(before, repo)
    assert secret not in (repo / "releases/staging.json").read_text()
    assert secret not in git(repo, "log", "-1", "--format=%B", "--", "releases")


def test_reasons_with_a_secret_are_redacted_in_release_and_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   cli: Callable[..., Result]) -> None:
    """Input: `--reason`/`--approve` text holding a canary. Expect the action to succeed with the
    canary replaced by `<redacted: N chars>` in the release file, the commit message and output."""
    from agentcfg.lockfile import lock

    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {"agentcfg.yaml": BASE, "prompts/p.md": PROMPT, ".gitignore": ".agentcfg/\n"})
    monkeypatch.chdir(repo)
    lock(repo)
    commit_all(repo, "clean")
    for kind, argv in zip(sorted(CANARIES), (
            ("promote", "HEAD", "staging", "--reason", "ticket {s}", "--approve", "ok {s}"),
            ("promote", "staging", "production", "--reason", "{s}", "--format", "json"),
            ("rollback", "production", "--to", "0", "--reason", "incident, key was {s}"),
            ("unhold", "production", "--reason", "resolved ({s})"))):
        secret = CANARIES[kind]
        r = cli(*(a.replace("{s}", secret) for a in argv))
        assert r.exit_code == 0, (argv, r)
        for text in (r.stdout + r.stderr, git(repo, "log", "-1", "--format=%B"),
                     *(p.read_text() for p in (repo / "releases").glob("*.json"))):
            assert secret not in text, argv
        assert "<redacted:" in git(repo, "log", "-1", "--format=%B")  # the reason is kept, minus the secret
    assert cli("history", "production").exit_code == 0


def _config(secret: str | None, place: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "format_version": 1, "name": "canary",
        "models": {"m": {"provider": "openai", "id": "gpt-4o-2024-08-06", "kind": "chat",
                         "parameters": {"temperature": 0.1}}},
        "prompts": {"p": {"template": "Hello {{name}}.\nBye.\n", "format": "mustache", "variables": ["name"]}},
        "tools": {"t": {"description": "Look up an order.", "inputSchema": {"type": "object"},
                        "annotations": {"readOnlyHint": True}, "approval": "never"}},
        "agents": {"a": {"model": "m", "prompt": "p", "tools": ["t"]}},
        "code": {}, "data": {}, "memory": {}, "orchestration": {}, "policies": {},
    }
    if secret is not None:
        if place == "prompt":
            config["prompts"]["p"]["template"] = f"Hello {{{{name}}}}.\nThe key is {secret} here.\nBye.\n"
        elif place == "tool-description":
            config["tools"]["t"]["description"] = "x" * 70 + f" use {secret}"  # crosses the 80-char cut
        elif place == "model-parameter":
            config["models"]["m"]["parameters"]["api_key"] = secret
            config["models"]["m"]["parameters"]["user"] = f"prefix-{secret}"
        elif place == "mapping-key":
            config["models"]["m"]["parameters"][secret] = 1
        else:
            config["policies"] = {"staging": {"note": secret}}
    return config


def _all_formats(result: Any) -> str:
    from agentcfg.semdiff.formats import render_markdown, render_stat, render_text

    return "\n".join([*render_text(result), *render_stat(result), render_markdown(result),
                      json.dumps(result.to_dict())])


@pytest.mark.parametrize("place", ["prompt", "tool-description", "model-parameter", "overlay-like-policy"])
@pytest.mark.parametrize("kind", sorted(CANARIES))
def test_diff_of_a_config_pair_never_shows_the_secret(place: str, kind: str) -> None:
    """diff_configs(clean, with secret) and back, in text, stat, markdown and JSON: the change is
    there (critical: a secret appears), the canary is not."""
    from agentcfg.semdiff import diff_configs

    secret = CANARIES[kind]
    clean, dirty = _config(None, place), _config(secret, place)
    for old, new in ((clean, dirty), (dirty, clean), (None, dirty), (dirty, dirty)):
        result = diff_configs(old, new)
        assert secret not in _all_formats(result), (old is clean, new is clean)
    assert diff_configs(clean, dirty).changes
    assert diff_configs(clean, dirty).max_risk.name == "critical"


@pytest.mark.parametrize("kind", sorted(CANARIES))
def test_diff_of_a_secret_mapping_key_never_shows_it(kind: str) -> None:
    from agentcfg.semdiff import diff_configs

    secret = CANARIES[kind]
    result = diff_configs(_config(None, "mapping-key"), _config(secret, "mapping-key"))
    assert result.changes
    assert secret not in _all_formats(result)


def test_cli_output_is_redacted_even_for_hand_made_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          cli: Callable[..., Result]) -> None:
    """Input: a hand-written commit of a release file whose trailers and config carry canaries
    (history is git's, not agentcfg's). Expect history, show, status and diff (all formats) to
    print no canary, and the key-shaped secret in a diff path to be redacted too."""
    from agentcfg.canonical import digest_value, pretty_json
    from agentcfg.lockfile import lock
    from agentcfg.promotion import promote

    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {"agentcfg.yaml": BASE, "prompts/p.md": PROMPT, ".gitignore": ".agentcfg/\n"})
    monkeypatch.chdir(repo)
    lock(repo)
    commit_all(repo, "clean")
    promote("HEAD", "staging")
    rel = json.loads((repo / "releases/staging.json").read_text())
    s = CANARIES
    rel["config"]["models"]["m"]["parameters"].update({s["aws"]: 1, "user": s["github"]})
    rel["config"]["prompts"]["p"]["template"] += f"key {s['openai']}\n"
    rel["digest"] = digest_value(rel["config"])
    rel["reason"] = f"by hand {s['anthropic']}"
    (repo / "releases/staging.json").write_text(pretty_json(rel))
    git(repo, "commit", "-qam", f"hand release {s['openai']}\n\nAgentcfg-Env: staging\nAgentcfg-Action: promote\n"
        f"Agentcfg-Digest: {rel['digest']}\nAgentcfg-Reason: because {s['aws']}\nAgentcfg-From: {s['github']}")
    before = snapshot(repo)
    for argv in (("history", "staging"), ("history", "staging", "--format", "json"), ("show", rel["digest"]),
                 ("show", rel["digest"], "--format", "json"), ("status",), ("status", "--format", "json"),
                 ("diff", "env:staging", "."), ("diff", "env:staging", ".", "--format", "json"),
                 ("diff", "env:staging", ".", "--format", "markdown"), ("diff", "HEAD~1", "env:staging", "--stat"),
                 ("verify", "staging"), ("rollback", "staging", "--dry-run")):
        r = cli(*argv)
        assert r.exit_code in (0, 1), (argv, r)
        for secret in CANARIES.values():
            assert secret not in r.stdout + r.stderr, (argv, secret)
    assert_untouched(before, repo)
    assert head(repo) == before.head


# (id, manifest, what the finding would otherwise have quoted)
ECHOES: list[tuple[str, str]] = [
    ("unknown-key", "name: x\n{s}: 1\n"),
    ("enum-value", "name: x\nmodels:\n  m: {{provider: openai, id: gpt-4o-2024-08-06, kind: {s}}}\n"),
    ("integer-value", "name: x\nmodels:\n  m: {{provider: openai, id: gpt-4o-2024-08-06, dims: {s}}}\n"),
    ("undeclared-variable", "name: x\nprompts:\n  p: {{template: 'hi {{{{{s}}}}}'}}\n"),
    ("missing-file", "name: x\nprompts:\n  p: {{file: {s}.md}}\n"),
    ("graph-entry", "name: x\norchestration:\n  g: {{entry: {s}, nodes: {{}}}}\n"),
    ("unknown-reference", "name: x\nagents:\n  a: {{model: {s}}}\n"),
    ("environment-name", "name: x\nenvironments: [{s}]\n"),
]


@pytest.mark.parametrize("case,manifest", ECHOES, ids=[c[0] for c in ECHOES])
def test_findings_never_quote_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result],
                                       case: str, manifest: str) -> None:
    """Findings quote what they found ("unknown key 'x'", "got 'x'"): a secret there is redacted."""
    secret = CANARIES["openai"]
    (tmp_path / "agentcfg.yaml").write_text(manifest.format(s=secret))
    monkeypatch.chdir(tmp_path)
    for argv in (("validate",), ("validate", "--format", "json"), ("lock",)):
        r = cli(*argv)
        assert r.exit_code == 1, (argv, r)
        assert not _leaks(secret, r.stdout, r.stderr), (argv, r)
    from agentcfg.validation import validate

    assert all(secret not in str(f) for f in validate(tmp_path).findings)  # the library report too
