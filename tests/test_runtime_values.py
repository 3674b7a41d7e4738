"""Every value a loaded config hands out is JSON and SDK ready, and still read-only."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from released import ENVIRON, release

import agentcfg
from agentcfg.runtime import Config
from agentcfg.runtime.values import ReadOnlyDict, ReadOnlyList, freeze, thaw


@pytest.fixture
def cfg(example_repo: Path) -> Config:
    release(example_repo, "staging")
    return agentcfg.load("staging", root=example_repo, environ=ENVIRON)


def _values(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every (attribute path, value) reachable from a config: dataclass fields and properties,
    sections and mappings of typed objects are walked into; everything else is a value."""
    if isinstance(obj, Mapping) and not isinstance(obj, dict):  # a Section of artefacts
        for name in obj:
            yield from _values(obj[name], f"{path}[{name!r}]")
    elif dataclasses.is_dataclass(obj):
        names = [f.name for f in dataclasses.fields(obj)]
        names += [n for n, v in vars(type(obj)).items() if isinstance(v, property)]
        for klass in type(obj).__mro__:
            names += [n for n, v in vars(klass).items() if isinstance(v, property) and n not in names]
        for name in dict.fromkeys(names):
            yield from _values(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, dict) and any(dataclasses.is_dataclass(v) for v in obj.values()):
        for name, value in obj.items():  # Graph.nodes
            yield from _values(value, f"{path}[{name!r}]")
    elif isinstance(obj, tuple) and any(dataclasses.is_dataclass(v) for v in obj):
        for i, value in enumerate(obj):  # Graph.edges
            yield from _values(value, f"{path}[{i}]")
    else:
        yield path, obj


def test_json_dumps_works_on_every_value_a_loaded_config_hands_out(cfg: Config) -> None:
    paths = dict(_values(cfg, "cfg"))
    assert len(paths) > 150  # the walk really reached every artefact of the example
    for path in ("cfg.tools['issue_refund'].input_schema", "cfg.tools['issue_refund'].hints",
                 "cfg.models['resolver'].parameters", "cfg.memory['customer_history'].store", "cfg.policies",
                 "cfg.raw", "cfg.graphs['support_flow'].nodes['approve_refund'].human"):
        assert path in paths, path
    for path, value in paths.items():
        try:
            text = json.dumps(value)
        except TypeError as exc:  # pragma: no cover - the failure message names the path
            pytest.fail(f"{path}: {exc}")
        assert json.loads(text) == thaw(value), path
    for tool in cfg.tools.values():
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)  # arrays are lists to jsonschema
    for node in cfg.graphs["support_flow"].nodes.values():
        json.dumps(node.to_dict())
    assert cfg.graphs["support_flow"].edges[0].to_dict() == {
        "from": "triage", "to": "answer", "when": "route == 'question'"}


def test_values_stay_read_only_and_copies_are_plain(cfg: Config) -> None:
    schema = cfg.tools["issue_refund"].input_schema
    for mutate in (lambda: schema.__setitem__("type", "array"), lambda: schema["required"].append("x"),
                   lambda: schema.update(type="array"), lambda: schema.pop("type"),
                   lambda: schema["properties"].clear(), lambda: schema["required"].sort(),
                   lambda: schema["required"].pop()):
        with pytest.raises(TypeError, match="read-only"):
            mutate()
    assert schema["required"] == ["order_id", "amount", "reason"]
    for mine in (copy.deepcopy(schema), pickle.loads(pickle.dumps(schema)), thaw(schema)):
        assert type(mine) is dict and type(mine["required"]) is list and mine == schema
        mine["required"].append("note")  # a copy is the caller's own
    assert type(copy.copy(schema)) is dict
    assert "note" not in cfg.tools["issue_refund"].input_schema["required"]


def test_freeze_and_thaw_round_trip() -> None:
    value = {"a": [1, {"b": (2, 3)}], "c": None}
    frozen = freeze(value)
    assert isinstance(frozen, ReadOnlyDict) and isinstance(frozen["a"], ReadOnlyList)
    assert thaw(frozen) == {"a": [1, {"b": [2, 3]}], "c": None}
    with pytest.raises(TypeError):
        hash(frozen["a"])


def test_openai_agents_function_tool_accepts_the_schemas(cfg: Config) -> None:
    agents = pytest.importorskip("agents")

    async def invoke(_ctx: Any, _args: str) -> str:
        return "ok"

    for tool in cfg.tools.values():
        made = agents.FunctionTool(name=tool.name, description=tool.description or "",
                                   params_json_schema=tool.input_schema, on_invoke_tool=invoke,
                                   strict_json_schema=False)
        assert made.params_json_schema == tool.input_schema
    strict = agents.FunctionTool(name="lookup_order", description="", on_invoke_tool=invoke,
                                 params_json_schema=cfg.tools["lookup_order"].input_schema)
    assert strict.params_json_schema == cfg.tools["lookup_order"].input_schema  # normalised on its own copy


def test_langchain_structured_tool_accepts_the_schemas(cfg: Config) -> None:
    tools = pytest.importorskip("langchain_core.tools")
    seen: list[dict[str, Any]] = []

    def lookup_order(**kwargs: Any) -> str:
        seen.append(kwargs)
        return "ok"

    made = tools.StructuredTool(name="lookup_order", description="look up", func=lookup_order,
                                args_schema=cfg.tools["lookup_order"].input_schema)
    assert made.invoke({"order_id": "ORD-104233"}) == "ok" and seen == [{"order_id": "ORD-104233"}]
    assert made.tool_call_schema["properties"] == cfg.tools["lookup_order"].input_schema["properties"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=20)


@given(JSON_VALUES)
def test_a_frozen_json_value_serialises_and_thaws_to_itself(value: Any) -> None:
    frozen = freeze(value)
    assert json.dumps(frozen, sort_keys=True) == json.dumps(value, sort_keys=True)
    assert thaw(frozen) == value and copy.deepcopy(frozen) == value
    assert pickle.loads(pickle.dumps(frozen)) == value
