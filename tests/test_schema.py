"""`agentcfg schema` and schemas/agentcfg.schema.json: identical, valid, and true to the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT
from jsonschema import Draft202012Validator

from agentcfg.manifest.model import FILE_SECTIONS, json_schema
from agentcfg.yamlio import load

SCHEMA_FILE = ROOT / "schemas" / "agentcfg.schema.json"
REGENERATE = "regenerate it with `agentcfg schema > schemas/agentcfg.schema.json`"


def _yaml(path: Path) -> Any:
    return load(path.read_bytes(), path.name).data


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def test_checked_in_schema_is_the_command_output_byte_for_byte(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("schema")
    assert result.exit_code == 0
    assert result.stdout.encode("utf-8") == SCHEMA_FILE.read_bytes(), REGENERATE


def test_schema_is_deterministic_and_self_describing() -> None:
    assert json_schema() == json_schema()
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"name"}


def test_example_manifest_validates_against_the_schema(validator: Draft202012Validator) -> None:
    assert _errors(validator, _yaml(EXAMPLE / "agentcfg.yaml")) == []


def test_example_points_editors_at_the_checked_in_schema() -> None:
    first = (EXAMPLE / "agentcfg.yaml").read_text(encoding="utf-8").splitlines()[0]
    target = first.split("$schema=", 1)[1]
    assert (EXAMPLE / target).resolve() == SCHEMA_FILE.resolve()


def test_example_tool_files_validate_against_the_tool_definition(validator: Draft202012Validator) -> None:
    schema = validator.schema
    tool = Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/Tool"})
    files = sorted((EXAMPLE / "tools").glob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        assert _errors(tool, _yaml(path)) == [], path.name


@pytest.mark.parametrize("section", FILE_SECTIONS)
def test_a_file_reference_alone_is_a_complete_entry(validator: Draft202012Validator, section: str) -> None:
    manifest = {"name": "x", section: {"thing": {"file": f"{section}/thing.yaml"}}}
    assert _errors(validator, manifest) == []


@pytest.mark.parametrize(("section", "entry"), [
    ("models", {"provider": "openai"}),  # no id, no file
    ("agents", {"model": "chat"}),  # no prompt, no file
    ("prompts", {"variables": ["x"]}),  # neither template nor file
    ("memory", {"embedder": "e", "dims": 8}),
    ("orchestration", {"entry": "a"}),
])
def test_incomplete_entries_without_file_are_rejected(validator: Draft202012Validator, section: str,
                                                     entry: dict[str, Any]) -> None:
    assert _errors(validator, {"name": "x", section: {"thing": entry}})


@pytest.mark.parametrize("manifest", [
    {"name": "x", "modles": {}},  # unknown top-level key
    {"name": "x", "models": {"m": {"provider": "openai", "id": "gpt-4o-2024-08-06", "knd": "chat"}}},
    {"name": "x", "data": {"kb": {"uri": "https://x.example/kb", "version": 1.1}}},  # the 1.10 trap
    {"name": "x", "tools": {"t": {"approval": "sometimes"}}},
    {"name": "x", "policies": {"production": {"max_risk": "extreme"}}},
])
def test_schema_rejects_what_validate_rejects(validator: Draft202012Validator, manifest: dict[str, Any]) -> None:
    assert _errors(validator, manifest)


# --- docs/manifest.md stays the reference of this schema ------------------------------------------

DOCS = ROOT / "docs" / "manifest.md"


def test_the_reference_documents_every_key_of_the_schema() -> None:
    import re

    text = DOCS.read_text(encoding="utf-8")
    schema = json_schema()
    keys = set(schema["properties"])
    for definition in schema["$defs"].values():
        keys |= set(definition.get("properties", {}))
    missing = [k for k in sorted(keys) if not re.search(r"`[^`\n]*\b" + re.escape(k) + r"\b[^`\n]*`", text)]
    assert not missing, f"docs/manifest.md does not mention {missing}"


def test_the_reference_yaml_snippets_load() -> None:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt().parse(DOCS.read_text(encoding="utf-8"))
    snippets = [t.content for t in tokens if t.type == "fence" and t.info.strip() == "yaml"]
    assert len(snippets) >= 10
    for snippet in snippets:
        load(snippet.encode("utf-8"), "docs/manifest.md")  # raises on a broken example
