"""Hostile YAML: every case ends in a clean finding, exit 1, nothing written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

BOMB = "\n".join(
    [f"l0: &l0 [{', '.join(['x'] * 9)}]"]
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
) + "\n"

CASES: list[tuple[str, bytes, str, str]] = [
    # (case, manifest bytes, finding code, words the message must contain)
    ("python-tag", b'name: !!python/object/apply:os.system ["touch pwned"]\n', "yaml-tag", "not allowed"),
    ("custom-local-tag", b"name: !secret x\n", "yaml-tag", "not allowed"),
    ("alias-bomb", BOMB.encode(), "yaml-alias-bomb", "expands to more than"),
    ("duplicate-key", b"name: a\nname: b\n", "duplicate-key", "duplicate key 'name'"),
    ("float-version", b"name: x\nmodels:\n  m:\n    provider: openai\n    id: 1.10\n", "not-a-string", "quote it"),
    ("bool-id", b"name: x\nmodels:\n  m:\n    provider: openai\n    id: true\n", "not-a-string", "boolean"),
    ("yes-as-bool", b"name: x\ntools:\n  t:\n    description: d\n    annotations: {readOnlyHint: yes}\n", "type",
     "boolean"),
    ("non-utf8", b"name: caf\xe9\n", "encoding", "not valid UTF-8"),
    ("nul-bytes", b"name: x\x00y\n", "binary-file", "NUL"),
    ("truncated", b'name: "unterminated\nmodels: [\n', "yaml-syntax", "YAML syntax error"),
    ("deep-nesting", ("a: " + "[" * 10000 + "]" * 10000 + "\n").encode(), "yaml-too-deep", "nested more than 200 levels deep"),
    ("merge-key", b"base: &b {x: 1}\nname: x\nother:\n  <<: *b\n", "yaml-merge-key", "merge keys"),
    ("not-a-mapping", b"- a\n- b\n", "not-a-mapping", "mapping"),
    ("nan", b"name: x\nmodels:\n  m: {provider: openai, id: gpt-4o-2024-08-06, parameters: {t: .nan}}\n",
     "yaml-number", "finite"),
    ("int-key", b"name: x\n1.5: y\n", "yaml-key-type", "quote it"),
    ("lone-surrogate-escape", b'name: x\nprompts:\n  p: {template: "hi \\ud800"}\n', "encoding",
     "unpaired UTF-16 surrogate"),
    ("lone-surrogate-in-key", b'name: x\nmodels:\n  m: {provider: openai, id: gpt-4o-2024-08-06,'
                              b' parameters: {"\\udc00": 1}}\n', "encoding", "unpaired UTF-16 surrogate"),
]


@pytest.mark.parametrize("case,data,code,words", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_is_refused_cleanly(tmp_path: Path, monkeypatch, cli, case, data, code, words) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "agentcfg.yaml").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    start = time.monotonic()
    r = cli("validate", "--format", "json")
    assert time.monotonic() - start < 30  # generous: the point is "does not hang", not speed
    assert r.exit_code == 1, r
    import json

    findings = json.loads(r.stdout)["findings"]
    assert any(f["code"] == code and words in (f["message"] + (f["hint"] or "")) for f in findings), findings
    assert all(f["file"] == "agentcfg.yaml" and f["line"] >= 1 for f in findings if f["code"] == code)
    assert not (tmp_path / "pwned").exists()
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != ".agentcfg")
    assert after == [p for p in before if p != ".agentcfg"]  # nothing written beside the cache


def test_bom_is_accepted(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "agentcfg.yaml").write_bytes(b"\xef\xbb\xbfname: x\n")
    monkeypatch.chdir(tmp_path)
    assert cli("validate").exit_code == 0


def test_oversized_manifest_is_refused_without_loading(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    with open(tmp_path / "agentcfg.yaml", "wb") as fh:
        fh.write(b"name: x\n# " + b"a" * (100 * 1024 * 1024) + b"\n")
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code == 1
    assert "file is 100.0 MiB; the limit is 10.0 MiB" in r.stdout and "[file-too-large]" in r.stdout


def test_json_style_surrogate_pair_is_one_character(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    """JSON writes an emoji as a surrogate pair (\\ud83d\\ude00); YAML, a superset of JSON, must read
    the character, and lock/render must not crash on it (they used to: UnicodeEncodeError)."""
    (tmp_path / "agentcfg.yaml").write_bytes(
        b'name: x\nenvironments: [staging]\nmodels:\n  m: {provider: openai, id: gpt-4o-2024-08-06}\n'
        b'prompts:\n  p: {template: "Hi \\ud83d\\ude00 {{user}}", variables: [user]}\n'
        b'agents:\n  a: {model: m, prompt: p}\n')
    monkeypatch.chdir(tmp_path)
    assert cli("validate").exit_code == 0
    assert cli("lock").exit_code == 0
    r = cli("render", "staging", "--format", "json")
    assert r.exit_code == 0 and "Hi \U0001F600" in r.stdout
