"""`agentcfg import tools`: files written, never overwritten, and valid agentcfg tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree
from test_toolformats import load_cases

from agentcfg.validation import validate

OPENAI = [
    {"type": "function", "function": {"name": "get.weather", "description": "Weather for a city.",
                                      "parameters": {"type": "dict", "properties": {"city": {"type": "str"}},
                                                     "required": ["city"]}}},
    {"type": "web_search"},
    {"type": "function", "function": {"name": "lookup_order", "description": "Find an order.",
                                      "parameters": {"type": "object", "properties": {"id": {"type": "string"}},
                                                     "required": ["id"]}}},
]


@pytest.fixture
def project(in_git_dir: Path) -> Path:
    build_tree(in_git_dir, {"agentcfg.yaml": "name: shop\n", "openai.json": json.dumps(OPENAI)})
    return in_git_dir


def test_import_writes_one_file_per_tool_and_prints_the_snippet(project: Path, cli: Any) -> None:
    r = cli("import", "tools", "openai.json", "--from", "openai")
    assert r.exit_code == 0, r
    assert r.stdout == ("tools:\n  get_weather:\n    file: tools/get_weather.yaml\n"
                        "  lookup_order:\n    file: tools/lookup_order.yaml\n")
    assert "tools/get_weather: name 'get.weather' renamed to 'get_weather'" in r.stderr
    assert "parameters.properties.city.type: type 'str' is not a JSON Schema type; changed to 'string'" in r.stderr
    assert "tool #2: an OpenAI built-in 'web_search' tool" in r.stderr
    assert "2 tools imported, 1 skipped" in r.stderr
    text = (project / "tools/get_weather.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../agentcfg.tool.schema.json\n"
                           "# Imported by `agentcfg import tools` from openai.json (openai format).\n"
                           "# Original name: get.weather\n# Changed on import (review these):\n")
    assert "\nname: get_weather\ndescription: Weather for a city.\ninputSchema:\n  type: object\n" in text
    # Pasting the snippet gives a valid manifest.
    (project / "agentcfg.yaml").write_text("name: shop\n" + r.stdout)
    report = validate(project)
    assert report.ok, [str(f) for f in report.findings]


def test_existing_files_are_never_overwritten_without_force(project: Path, cli: Any) -> None:
    build_tree(project, {"tools/lookup_order.yaml": "mine\n"})
    r = cli("import", "tools", "openai.json", "--from", "openai")
    assert r.exit_code == 2
    assert "1 file(s) already exist: tools/lookup_order.yaml" in r.stderr and "--force" in r.stderr
    assert (project / "tools/lookup_order.yaml").read_text() == "mine\n"
    assert not (project / "tools/get_weather.yaml").exists()  # all or nothing
    r = cli("import", "tools", "openai.json", "--from", "openai", "--force")
    assert r.exit_code == 0, r
    assert "name: lookup_order" in (project / "tools/lookup_order.yaml").read_text()


def test_dry_run_and_json_output(project: Path, cli: Any) -> None:
    r = cli("import", "tools", "openai.json", "--from", "openai", "--into", "defs/tools", "--dry-run",
            "--format", "json")
    assert r.exit_code == 0, r
    data = json.loads(r.stdout)
    assert data["written"] is False and not (project / "defs").exists()
    assert data["files"] == {"get_weather": "defs/tools/get_weather.yaml",
                             "lookup_order": "defs/tools/lookup_order.yaml"}
    assert data["renamed"] == {"get_weather": "get.weather"} and data["skipped"] == 1
    assert {w["code"] for w in data["warnings"]} == {"name-sanitised", "nonstandard-type", "not-a-function"}
    assert data["tools"]["lookup_order"]["inputSchema"]["required"] == ["id"]
    r = cli("import", "tools", "openai.json", "--from", "openai", "--dry-run")
    assert "would write tools/get_weather.yaml" in r.stderr


def test_into_is_relative_to_the_current_folder_and_paths_to_the_project(project: Path, cli: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    r = cli("import", "tools", "../openai.json", "--from", "openai", "--into", "tools")
    assert r.exit_code == 0, r
    assert (project / "sub/tools/lookup_order.yaml").is_file()
    assert "file: sub/tools/lookup_order.yaml" in r.stdout


def test_nothing_importable_is_exit_1(project: Path, cli: Any) -> None:
    build_tree(project, {"builtins.json": json.dumps([{"type": "web_search"}, {"type": "code_interpreter"}])})
    r = cli("import", "tools", "builtins.json", "--from", "openai")
    assert r.exit_code == 1 and "0 tools imported, 2 skipped" in r.stderr
    assert not (project / "tools").exists()


@pytest.mark.parametrize("content,args,message", [
    (None, ["missing.json", "--from", "mcp"], "cannot read missing.json"),
    ("{not json", ["bad.json", "--from", "mcp"], "bad.json:1:"),
    ('{"hello": 1}', ["bad.json", "--from", "anthropic"], "this is not a list of anthropic tools"),
    ("[]", ["bad.json", "--from", "gemini"], "'gemini' is not one of"),
    ("[]", ["bad.json"], "FILE needs --from mcp, openai or anthropic"),
])
def test_bad_input_is_exit_2(project: Path, cli: Any, content: str | None, args: list[str], message: str) -> None:
    if content is not None:
        build_tree(project, {"bad.json": content})
    r = cli("import", "tools", *args)
    assert r.exit_code == 2, r
    assert message in r.stderr


def test_yaml_input_is_accepted(project: Path, cli: Any) -> None:
    build_tree(project, {"tools.yaml": "tools:\n  - name: ping\n    description: Health check.\n"
                                       "    inputSchema: {type: object}\n"})
    r = cli("import", "tools", "tools.yaml", "--from", "mcp")
    assert r.exit_code == 0, r
    assert (project / "tools/ping.yaml").is_file()


@pytest.mark.parametrize("fmt", ["mcp", "openai", "anthropic"])
def test_every_fixture_tool_imports_into_a_valid_manifest(fmt: str, in_git_dir: Path) -> None:
    """The fixture tools of a format, written as files and referenced from one manifest, validate
    (except the few whose schemas import keeps but `validate` must refuse: remote refs, invalid)."""
    from agentcfg.toolformats import import_tool_file

    lines = ["name: imported", "tools:"]
    seen: set[str] = set()
    for i, case in enumerate(load_cases(fmt)):
        if {"remote-ref", "invalid-schema"} & set(case["expect"]["codes"]):
            continue
        path = in_git_dir / f"in{i}.json"
        path.write_text(json.dumps(case["input"]))
        report = import_tool_file(path, fmt, into=f"tools/c{i}", root=in_git_dir)
        assert report.written == bool(case["expect"]["tools"])
        for name, rel in report.files.items():
            if name.lower() not in seen:  # the same name in two cases: one is enough
                seen.add(name.lower())
                lines += [f"  {name}:", f"    file: {rel}"]
    (in_git_dir / "agentcfg.yaml").write_text("\n".join(lines) + "\n")
    report = validate(in_git_dir)
    assert report.ok, [str(f) for f in report.errors]
    assert len(seen) > 40
