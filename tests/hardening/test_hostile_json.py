"""Hand-edited or hostile machine files: `releases/<env>.json` and `agentcfg.lock`
arrive in pull requests like any other file. Whatever they hold (deep nesting, NaN, 1e400,
lone surrogates, wrong types), every command that reads them ends in a clean error (exit 1 or
2, a message naming the file) or works, and never in "internal error".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, git

from hardening.helpers import assert_untouched, make_project, snapshot

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from agentcfg.promotion import promote

    r = make_project(tmp_path / "repo")
    monkeypatch.chdir(r)
    promote("HEAD", "staging")
    promote("staging", "production")
    return r


def _digest(config: Any) -> str:
    from agentcfg.canonical import digest_value

    return digest_value(config)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], str]:
    def edit(rel: dict[str, Any]) -> str:
        rel[key] = value
        return json.dumps(rel, indent=2)
    return edit


def _config_text(old: str, new: str) -> Callable[[dict[str, Any]], str]:
    def edit(rel: dict[str, Any]) -> str:
        text = json.dumps(rel, indent=2, sort_keys=True)
        assert old in text
        return text.replace(old, new, 1)
    return edit


# (id, how the committed release file is rewritten, words of the error)
HOSTILE_RELEASES: list[tuple[str, Callable[[dict[str, Any]], str], str]] = [
    ("deeply-nested", lambda rel: DEEP, "nested too deeply"),
    ("nan", _config_text('"format_version": 1,\n    "memory"', '"format_version": 1,\n    "x": NaN,\n    "memory"'),
     "NaN is not a JSON value"),
    ("huge-number", _config_text('"format_version": 1,\n    "memory"', '"format_version": 1,\n    "x": 1e400,\n'
                                 '    "memory"'), "1e400 is out of range"),
    ("lone-surrogate", _config_text('"format_version": 1,\n    "memory"', '"format_version": 1,\n    "x": "\\ud800",\n'
                                    '    "memory"'), "unpaired UTF-16 surrogate"),
    ("source-not-a-string", _set("source", 5), "field `source` must be a string or null"),
    ("from-a-mapping", _set("from", {"a": 1}), "field `from` must be a string or null"),
    ("reason-a-number", _set("reason", 5), "field `reason` must be a string or null"),
    ("hold-a-string", _set("hold", "no"), "field `hold` must be true or false"),
    ("not-an-object", lambda rel: "[]", "not an agentcfg release file"),
    ("truncated", lambda rel: json.dumps(rel)[:200], "release file is not valid JSON"),
]

READERS: list[tuple[str, ...]] = [
    ("verify", "staging"), ("diff", "env:staging", "."), ("diff", "HEAD~1", "env:staging"),
    ("history", "staging"), ("status",), ("rollback", "staging", "--dry-run"),
    ("promote", "staging", "production", "--dry-run"),
]


@pytest.mark.parametrize("case,rewrite,words", HOSTILE_RELEASES, ids=[c[0] for c in HOSTILE_RELEASES])
def test_hostile_release_file_is_a_clean_error(repo: Path, cli: Callable[..., Result], case: str,
                                               rewrite: Callable[[dict[str, Any]], str], words: str) -> None:
    path = repo / "releases/staging.json"
    path.write_text(rewrite(json.loads(path.read_text())))
    git(repo, "commit", "-qam", f"hostile release: {case}")
    before = snapshot(repo)
    seen = False
    for argv in READERS:
        r = cli(*argv)
        assert "internal error" not in r.stderr, (argv, r)
        assert r.exit_code in (0, 1, 2), (argv, r)
        if r.exit_code and argv[0] != "status":
            assert "releases/staging.json" in r.stderr or "staging" in r.stderr, (argv, r)
        seen = seen or words in r.stdout + r.stderr
    assert seen, f"no command said {words!r}"
    assert_untouched(before, repo)
    # The incident path still works: roll back to the last good release by its index.
    r = cli("rollback", "staging", "--to", "1", "--reason", "restore")
    assert r.exit_code == 0, r


def test_deeply_nested_file_as_a_diff_side(repo: Path, cli: Callable[..., Result]) -> None:
    (repo / "hostile.json").write_text('{"config": ' + DEEP + "}")
    r = cli("diff", "hostile.json", "env:production")
    assert "internal error" not in r.stderr and r.exit_code == 2, r


def _lock_set(*keys: str, value: Any) -> Callable[[dict[str, Any]], str]:
    def edit(lock: dict[str, Any]) -> str:
        node = lock
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
        return json.dumps(lock, indent=2)
    return edit


# (id, how the committed lock is rewritten, what makes it hostile)
HOSTILE_LOCKS: list[tuple[str, Callable[[dict[str, Any]], str], str]] = [
    ("deeply-nested", lambda lock: '{"format_version": 1, "artefacts": {}, "environments": ' + DEEP + "}",
     "JSON nested 100,000 levels (RecursionError; diff.sides._file parses it first)"),
    ("nan-digest", _lock_set("digest", value=float("nan")), "a NaN root digest"),
    ("environments-a-list", _lock_set("environments", value=[1]), "`environments` as a list"),
    ("environment-an-int", _lock_set("environments", "staging", value=5), "an environment entry that is a number"),
    ("overrides-a-list", _lock_set("environments", "staging", "artefacts", value=[1]),
     "an environment's `artefacts` as a list"),
    ("digest-an-int", _lock_set("artefacts", "prompts/greet", "digest", value=5),
     "an artefact digest that is a number"),
    ("commit-an-int", _lock_set("artefacts", "code/app", "commit", value=5), "a code commit that is a number"),
]

LOCK_READERS: list[tuple[str, ...]] = [
    ("lock", "--check"), ("verify",), ("lock",), ("render", "staging", "--rev", "HEAD"),
    ("promote", "HEAD", "staging", "--dry-run"), ("status",), ("diff", "HEAD~1", "HEAD"),
    ("diff", "agentcfg.lock", ".", "--env", "staging"),
]


@pytest.mark.parametrize("case,rewrite,what", [
    pytest.param(*c) for c in HOSTILE_LOCKS
], ids=[c[0] for c in HOSTILE_LOCKS])
def test_hostile_lock_file_is_a_clean_error(repo: Path, cli: Callable[..., Result], case: str,
                                            rewrite: Callable[[dict[str, Any]], str], what: str) -> None:
    path = repo / "agentcfg.lock"
    path.write_text(rewrite(json.loads(path.read_text())))
    git(repo, "commit", "-qam", f"hostile lock: {case}")
    crashes = []
    for argv in LOCK_READERS:
        r = cli(*argv)
        if "internal error" in r.stderr:
            crashes.append(argv)
        git(repo, "checkout", "-q", "--", "agentcfg.lock")  # `lock` may replace it: start each from it
    assert not crashes, crashes


def test_option_shaped_commit_in_a_lock_is_never_run(repo: Path, cli: Callable[..., Result]) -> None:
    """A committed lock whose code commit reads `--output=pwned.txt` is only ever compared."""
    path = repo / "agentcfg.lock"
    lock = json.loads(path.read_text())
    lock["artefacts"]["code/app"]["commit"] = "--output=pwned.txt"
    path.write_text(json.dumps(lock, indent=2))
    git(repo, "commit", "-qam", "hostile commit id")
    for argv in LOCK_READERS:
        r = cli(*argv)
        assert "internal error" not in r.stderr, (argv, r)
        git(repo, "checkout", "-q", "--", "agentcfg.lock")
    assert not list(repo.parent.rglob("pwned*"))
