"""Schemas for the files people write besides the manifest: environment overlays and tool
files. Checked in under schemas/ (identical to `agentcfg schema --of KIND`), true to the
example, and pointed at by the `yaml-language-server` lines `init` and `import` write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT
from jsonschema import Draft202012Validator

from agentcfg.yamlio import load

SCHEMAS = ROOT / "schemas"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(name: str, instance: Any) -> list[str]:
    return [e.message for e in _validator(name).iter_errors(instance)]


def _yaml(path: Path) -> Any:
    return load(path.read_bytes(), path.name).data


@pytest.mark.parametrize("kind, name", [("overlay", "overlay.schema.json"), ("tool", "tool.schema.json")])
def test_checked_in_schemas_are_the_command_output(kind: str, name: str, cli: Any) -> None:
    r = cli("schema", "--of", kind)
    assert r.exit_code == 0
    assert r.stdout.encode("utf-8") == (SCHEMAS / name).read_bytes(), f"regenerate: agentcfg schema --of {kind}"


def test_overlays_validate_where_the_manifest_schema_gives_false_errors() -> None:
    for path in sorted((EXAMPLE / "environments").glob("*.yaml")):
        overlay = _yaml(path)
        assert _errors("overlay.schema.json", overlay) == [], path.name
        assert _errors("agentcfg.schema.json", overlay), "the manifest's schema cannot check an overlay"


@pytest.mark.parametrize("overlay, problem", [
    ({"name": "other"}, "Additional properties"),  # an overlay cannot rename the project
    ({"modles": {}}, "Additional properties"),
    ({"memory": {"customer_history": {"dims": "many"}}}, None),
    ({"policies": {"production": {"max_risk": "extreme"}}}, None),
    ({"tools": {"send_email": {"approval": "sometimes"}}}, None),
])
def test_the_overlay_schema_rejects_what_validate_rejects(overlay: dict[str, Any], problem: str | None) -> None:
    errors = _errors("overlay.schema.json", overlay)
    assert errors and (problem is None or any(problem in e for e in errors)), errors


def test_null_deletes_and_partial_entries_are_fine() -> None:
    assert _errors("overlay.schema.json", {"models": {"resolver": None, "router": {"parameters": {"seed": 7}}},
                                           "memory": {"customer_history": {"ttl": "7d"}}}) == []


def test_tool_files_validate_and_mistakes_do_not() -> None:
    for path in sorted((EXAMPLE / "tools").glob("*.yaml")):
        assert _errors("tool.schema.json", _yaml(path)) == [], path.name
    assert _errors("tool.schema.json", {"name": "x", "annotations": {"readOnlyHint": "yes"}})


def test_the_example_points_editors_at_the_checked_in_schemas() -> None:
    for folder, name in (("environments", "overlay.schema.json"), ("tools", "tool.schema.json")):
        for path in sorted((EXAMPLE / folder).glob("*.yaml")):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema="), path
            assert (path.parent / first.split("$schema=", 1)[1]).resolve() == (SCHEMAS / name).resolve()


def test_init_and_import_write_modelines_to_local_schemas(tmp_path: Path, cli: Any) -> None:
    project = tmp_path / "p"
    assert cli("init", str(project), "--example", "support-agent").exit_code == 0
    for rel, schema in (("agentcfg.yaml", "./agentcfg.schema.json"),
                        ("environments/staging.yaml", "../agentcfg.overlay.schema.json"),
                        ("tools/send_email.yaml", "../agentcfg.tool.schema.json")):
        first = (project / rel).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema={schema}", rel
        target = (project / rel).parent / schema
        assert json.loads(target.read_text())["$schema"].startswith("https://json-schema.org/")
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    (project / "t.json").write_text(json.dumps(tools))
    assert cli("-C", str(project), "import", "tools", "t.json", "--from", "openai", "--into", "tools/ext").exit_code == 0
    first = (project / "tools/ext/get_weather.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../agentcfg.tool.schema.json"
    assert (project / "tools/ext" / "../../agentcfg.tool.schema.json").resolve().is_file()
