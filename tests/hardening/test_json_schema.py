"""JSON Schemas in tool definitions never fetch or read anything, and never hang or crash a
validator.

Every case runs `validate` and `lock` in-process with the network and the tell-tale file
(/etc/passwd) booby-trapped: opening a socket, calling urlopen, or opening any path containing
"passwd" fails the test loudly. A refusal names the tool, the schema path and the reason, exits 1
and writes nothing.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, build_tree

from hardening.helpers import assert_untouched, snapshot


@pytest.fixture
def trapped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No network, no /etc/passwd: any attempt is recorded and fails the call loudly."""
    attempts: list[str] = []

    def no_network(*args: Any, **kwargs: Any) -> Any:
        attempts.append(f"network: {args[:2]}")
        raise AssertionError("agentcfg tried to use the network")

    for target, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"), (socket, "create_connection"),
                         (socket, "getaddrinfo"), (urllib.request, "urlopen")):
        monkeypatch.setattr(target, name, no_network)

    def guard(real: Callable[..., Any]) -> Callable[..., Any]:
        def opener(path: Any, *args: Any, **kwargs: Any) -> Any:
            name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
            if "passwd" in name:
                attempts.append(f"read: {path}")
                raise AssertionError(f"agentcfg tried to read {path}")
            return real(path, *args, **kwargs)
        return opener

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    return attempts


def _render(root: Path) -> dict[str, Any]:
    from agentcfg.project import Project
    from agentcfg.snapshot import render_at

    return render_at(Project.find(root)).config


def _project(root: Path, schema: Any) -> None:
    build_tree(root, {"agentcfg.yaml": (
        "name: schemas\n"
        "tools:\n"
        "  fetch_order:\n"
        "    description: Fetch an order.\n"
        f"    inputSchema: {json.dumps(schema)}\n"
    )})


# (id, inputSchema (written on line 5 of agentcfg.yaml), finding code, words of the message)
REFUSED: list[tuple[str, Any, str, str]] = [
    ("ref-https", {"type": "object", "properties": {"a": {"$ref": "https://evil.example/s.json"}}},
     "schema-remote-ref", "$ref 'https://evil.example/s.json' points outside this schema"),
    ("ref-file-passwd", {"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}},
     "schema-remote-ref", "$ref 'file:///etc/passwd' points outside this schema"),
    ("ref-relative-file", {"type": "object", "properties": {"a": {"$ref": "../../etc/passwd#/x"}}},
     "schema-remote-ref", "points outside this schema"),
    ("dynamic-ref-https", {"type": "object", "properties": {"a": {"$dynamicRef": "https://evil.example/m#meta"}}},
     "schema-remote-ref", "points outside this schema"),
    ("ref-loop", {"type": "object", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                  "properties": {"x": {"$ref": "#/$defs/a"}}},
     "schema-ref-loop", "leads back to itself"),
    ("ref-loop-through-allof", {"type": "object", "allOf": [{"$ref": "#"}]},
     "schema-ref-loop", "a validator would recurse forever"),
    ("ref-dangling", {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}},
     "schema-invalid", "$ref '#/$defs/missing' points at nothing in this schema"),
    ("invalid-type", {"type": "objekt"}, "schema-invalid", "not a valid JSON Schema"),
    ("invalid-properties", {"type": "object", "properties": ["a"]}, "schema-invalid", "is not of type 'object'"),
    ("invalid-regex", {"type": "object", "properties": {"a": {"type": "string", "pattern": "(["}}},
     "schema-invalid", "is not a 'regex'"),
    ("root-not-object", {"type": "string"}, "schema-root-type", "must describe an object"),
    ("deeply-nested", {"type": "object", "properties": {"a": json.loads('{"not": ' * 150 + "{}" + "}" * 150)}},
     "schema-too-deep", "nested more than 100 levels"),
]


@pytest.mark.parametrize("case,schema,code,words", REFUSED, ids=[c[0] for c in REFUSED])
def test_unsafe_or_invalid_schema_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             cli: Callable[..., Result],
                                             trapped: list[str], case: str, schema: Any, code: str,
                                             words: str) -> None:
    _project(tmp_path, schema)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    r = cli("validate", "--format", "json")
    assert r.exit_code == 1, r
    hits = [f for f in json.loads(r.stdout)["findings"] if f["code"] == code]
    assert hits and words in hits[0]["message"], r.stdout
    assert hits[0]["artefact"] == "tools/fetch_order" and hits[0]["file"] == "agentcfg.yaml" and hits[0]["line"] == 5
    r = cli("lock")
    assert r.exit_code == 1 and f"[{code}]" in r.stderr and "tools/fetch_order" in r.stderr, r
    assert not (tmp_path / "agentcfg.lock").exists()
    assert "root:" not in r.stdout + r.stderr
    assert trapped == []
    assert_untouched(before, tmp_path)


# (id, inputSchema): legitimate schemas that look alarming; accepted quickly, nothing fetched.
ACCEPTED: list[tuple[str, Any]] = [
    ("recursive-tree", {"type": "object", "$defs": {"node": {"type": "object", "properties": {
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
        "properties": {"root": {"$ref": "#/$defs/node"}}}),
    ("recursive-root", {"type": "object", "properties": {"child": {"$ref": "#"}}}),
    ("anchor", {"type": "object", "$defs": {"n": {"$anchor": "node", "type": "string"}},
                "properties": {"a": {"$ref": "#node"}}}),
    ("catastrophic-pattern", {"type": "object", "properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}),
    ("huge-repeat-pattern", {"type": "object", "properties": {"a": {"type": "string",
                                                                     "pattern": "^((a{1,1000}){1,1000})+$"}}}),
    ("remote-id-and-schema", {"$schema": "https://evil.example/meta", "$id": "https://evil.example/s",
                              "type": "object", "properties": {"a": {"$ref": "#/$defs/a"}},
                              "$defs": {"a": {"type": "integer"}}}),
]


@pytest.mark.parametrize("case,schema", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_alarming_but_valid_schema_is_accepted_without_fetching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 cli: Callable[..., Result], trapped: list[str],
                                                                 case: str, schema: Any) -> None:
    """agentcfg checks schemas against the metaschema and never matches data against them, so a
    catastrophic regex costs nothing; `$id`/`$schema` URLs are names, never fetched."""
    _project(tmp_path, schema)
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    r = cli("validate")
    assert r.exit_code == 0, r
    assert cli("lock").exit_code == 0
    from agentcfg.semdiff import diff_configs

    config = _render(tmp_path)
    simple = json.loads(json.dumps(config))
    simple["tools"]["fetch_order"]["inputSchema"] = {"type": "object"}
    assert diff_configs(simple, config).changes and diff_configs(config, simple).changes  # schema_compat copes
    assert not diff_configs(config, config).changes
    assert time.monotonic() - start < 20  # generous: the point is "does not hang"
    assert trapped == []


def test_import_keeps_a_remote_ref_visible_and_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               cli: Callable[..., Result], trapped: list[str]) -> None:
    """`agentcfg import tools` reports a remote `$ref` (and validate then refuses the tool file)."""
    tools = [{"name": "fetch_order", "description": "Fetch an order.",
              "inputSchema": {"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}}}]
    build_tree(tmp_path, {"agentcfg.yaml": "name: imp\n", "mcp.json": json.dumps(tools)})
    monkeypatch.chdir(tmp_path)
    r = cli("import", "tools", "mcp.json", "--from", "mcp")
    assert r.exit_code == 0, r
    assert "points outside this schema" in r.stderr
    (tmp_path / "agentcfg.yaml").write_text("name: imp\n" + r.stdout)
    r = cli("validate")
    assert r.exit_code == 1 and "[schema-remote-ref]" in r.stdout, r
    assert "root:" not in r.stdout + r.stderr and trapped == []
