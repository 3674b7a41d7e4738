"""agentcfg tool definitions → the shape each provider's SDK takes.

What a provider cannot express is left out: OpenAI and Anthropic tools have no ``title``,
``outputSchema`` or ``annotations``, and no provider knows agentcfg's ``approval`` or ``code``
(those are enforced by your runtime and by promotion policies, not by the model API). Names are
never rewritten on export: a tool's name is how the model calls it, so a name a provider refuses
is an error to fix in the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentcfg.errors import AgentcfgError, CheckFailed, UsageError, did_you_mean
from agentcfg.toolformats.names import PROVIDER_NAME
from agentcfg.toolformats.schemas import strict_problems
from agentcfg.toolformats.strict import to_strict

EXPORT_FORMATS = ("mcp", "openai", "openai-responses", "anthropic")
_EMPTY_OBJECT = {"type": "object"}
STRICT_FORMATS = ("openai", "openai-responses")


def plain(value: Any) -> Any:
    """A deep, mutable, JSON-ready copy (accepts read-only mappings and tuples from the runtime)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def export_tools(tools: Mapping[str, Any], fmt: str, *, strict: bool = False) -> list[dict[str, Any]]:
    """The tools in provider shape, ready to pass to the SDK, in the mapping's order.

    ``tools`` maps a tool name to its agentcfg definition (a rendered config's ``tools``
    section, :attr:`ImportResult.tools`, or ``agentcfg.load(...).tools``). ``fmt``: ``mcp``
    (a ``tools/list`` result's items), ``openai`` (Chat Completions), ``openai-responses``
    (the Responses API's flat form) or ``anthropic``. OpenAI tools always carry ``strict``: true
    exactly when their schema meets strict mode's rules as written (see :func:`strict_problems`).

    ``strict=True`` (OpenAI formats only) converts every schema to strict form (all properties
    required, optional ones nullable, ``additionalProperties: false``) and raises
    :class:`CheckFailed` naming each tool, path and keyword that strict mode cannot express.
    """
    if strict and fmt not in STRICT_FORMATS:
        raise UsageError(f"--strict is OpenAI's strict mode: it applies to {' and '.join(STRICT_FORMATS)}, not {fmt}")
    if fmt not in EXPORT_FORMATS:
        raise AgentcfgError(f"unknown tool format '{fmt}'{did_you_mean(fmt, EXPORT_FORMATS)}",
                            hint=f"use one of: {', '.join(EXPORT_FORMATS)}")
    out = []
    problems: list[str] = []
    for name, definition in tools.items():
        tool = plain(definition)
        if not isinstance(tool, dict):
            raise AgentcfgError(f"the definition must be a mapping, not {type(tool).__name__}",
                                artefact=f"tools/{name}")
        if fmt != "mcp" and not PROVIDER_NAME.match(str(name)):
            raise AgentcfgError(
                f"the name '{name}' is refused by {fmt.split('-')[0].capitalize()} (^[a-zA-Z0-9_-]{{1,64}}$)",
                artefact=f"tools/{name}",
                hint="rename the tool in the manifest (and in the code that handles its calls)",
            )
        if strict:
            tool = _strict_tool(str(name), tool, problems)
        out.append(_EXPORTERS[fmt](str(name), tool))
    if problems:
        raise CheckFailed(f"{len(problems)} problem{'s' * (len(problems) != 1)} for OpenAI strict mode: "
                          + "; ".join(problems),
                          hint="change those schemas, or render without --strict (the tools then carry "
                               "strict: false where strict mode cannot apply)")
    return out


def strict_ready(schema: dict[str, Any]) -> bool:
    """True when OpenAI's strict mode accepts ``schema`` exactly as written."""
    return not strict_problems(schema) and not to_strict(schema)[1]


def _strict_tool(name: str, tool: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    converted, why = to_strict(_schema(tool))
    problems += [f"tools/{name}: {w}" for w in why]
    return {**tool, "inputSchema": converted}


def _schema(tool: dict[str, Any]) -> dict[str, Any]:
    schema = tool.get("inputSchema")
    return schema if isinstance(schema, dict) else dict(_EMPTY_OBJECT)


def _mcp(name: str, tool: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    for key in ("title", "description"):
        if tool.get(key) is not None:
            out[key] = tool[key]
    out["inputSchema"] = _schema(tool)
    if tool.get("outputSchema") is not None:
        out["outputSchema"] = tool["outputSchema"]
    annotations = {k: v for k, v in (tool.get("annotations") or {}).items() if v is not None}
    if annotations:
        out["annotations"] = annotations
    return out


def _function(name: str, tool: dict[str, Any], *, always_parameters: bool) -> dict[str, Any]:
    fn: dict[str, Any] = {"name": name}
    if tool.get("description") is not None:
        fn["description"] = tool["description"]
    schema = _schema(tool)
    if schema == _EMPTY_OBJECT:
        # No `parameters` means no arguments; the Responses API requires the key (null then).
        if always_parameters:
            fn["parameters"] = None
        fn["strict"] = False
        return fn
    fn["parameters"] = schema
    # Always present: the Responses API's FunctionToolParam requires `strict`.
    fn["strict"] = strict_ready(schema)
    return fn


def _openai(name: str, tool: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": _function(name, tool, always_parameters=False)}


def _openai_responses(name: str, tool: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", **_function(name, tool, always_parameters=True)}


def _anthropic(name: str, tool: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if tool.get("description") is not None:
        out["description"] = tool["description"]
    out["input_schema"] = _schema(tool)
    return out


_EXPORTERS = {"mcp": _mcp, "openai": _openai, "openai-responses": _openai_responses, "anthropic": _anthropic}
