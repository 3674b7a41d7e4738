"""Provider tool definitions → agentcfg's MCP-shaped tool definitions, reporting every oddity.

Import never stops at the first problem: each tool is read on its own, every change made to it
(a renamed tool, a repaired schema, a dropped key) becomes an :class:`ImportIssue`, and a tool
that cannot be imported at all (no name, a provider built-in without a schema) is skipped with
an issue saying why. Only input that is not a tool list at all raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentcfg.errors import AgentcfgError, did_you_mean
from agentcfg.toolformats.names import safe_name, unique_name
from agentcfg.toolformats.schemas import fix_root, strict_problems

FORMATS = ("mcp", "openai", "anthropic")
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")

# Keys that give away another format: named in the "unknown key" message.
_OTHER_FORMAT = {
    "inputSchema": "an MCP tool (--from mcp)", "input_schema": "an Anthropic tool (--from anthropic)",
    "parameters": "an OpenAI tool (--from openai)", "function": "an OpenAI tool (--from openai)",
}
_KNOWN_EXTRAS = {
    "cache_control": "a prompt-caching request option, not part of the tool",
    "_meta": "MCP metadata for clients; agentcfg does not keep it",
    "icons": "display icons for MCP clients; agentcfg does not keep them",
    "execution": "MCP task-execution settings; agentcfg does not keep them",
    "input_examples": "examples are not part of agentcfg's tool shape; put them in the description",
}


@dataclass(frozen=True)
class ImportIssue:
    """One change made (or one tool skipped) while importing, e.g. a renamed tool."""

    tool: str  # `tools/<name>`, or `tool #N` when the tool has no usable name
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.tool}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, str]:
        return {"tool": self.tool, "code": self.code, "message": self.message}


@dataclass
class ImportResult:
    """Imported tools by (final) name, in input order, and every issue met on the way."""

    format: str
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: list[ImportIssue] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # final name -> name in the input
    skipped: int = 0

    @property
    def warnings(self) -> list[str]:
        """Every issue as one line naming the tool and what was changed."""
        return [str(i) for i in self.issues]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "tools": self.tools,
            "warnings": [i.to_dict() for i in self.issues],
            "renamed": self.renamed,
            "skipped": self.skipped,
        }


@dataclass
class _Raw:
    """What a format-specific reader found in one tool, before checks common to all formats."""

    name: Any = None
    description: Any = None
    title: Any = None
    schema: Any = None
    has_schema: bool = False
    schema_key: str = "inputSchema"
    output: Any = None
    annotations: dict[str, Any] | None = None
    strict: Any = None


class _Tool:
    """Collects one tool's issues; they are labelled once the tool's final name is known."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.found: list[tuple[str, str]] = []
        self.skip_reason: tuple[str, str] | None = None

    def add(self, code: str, message: str) -> None:
        self.found.append((code, message))

    def skip(self, code: str, message: str) -> None:
        self.skip_reason = (code, message)

    def unknown_keys(self, obj: dict[str, Any], known: tuple[str, ...], where: str = "") -> None:
        for key in obj:
            if key in known:
                continue
            why = _KNOWN_EXTRAS.get(key)
            if why is None and key in _OTHER_FORMAT:
                why = f"this looks like {_OTHER_FORMAT[key]}"
            suffix = f" ({why})" if why else did_you_mean(key, known)
            self.add("unknown-key", f"unknown key '{where}{key}' dropped{suffix}")


def import_tools(data: Any, fmt: str) -> ImportResult:
    """Import provider tool definitions (``fmt``: ``mcp``, ``openai`` or ``anthropic``).

    ``data`` is parsed JSON/YAML: an MCP ``tools/list`` result (``{"tools": [...]}``, the whole
    JSON-RPC response, or a list), OpenAI function tools (Chat Completions
    ``{"type": "function", "function": {...}}``, the Responses API's flat form, or legacy
    ``functions``), or Anthropic tools (``{name, description, input_schema}``).
    """
    if fmt not in FORMATS:
        raise AgentcfgError(f"unknown tool format '{fmt}'{did_you_mean(fmt, FORMATS)}",
                            hint=f"use one of: {', '.join(FORMATS)}")
    result = ImportResult(fmt)
    items = _unwrap(data, fmt, result)
    reader = _READERS[fmt]
    taken: set[str] = set()
    for index, item in enumerate(items, 1):
        tool = _Tool(index)
        raw = reader(item, tool) if isinstance(item, dict) else None
        entry = _finish(raw, tool, fmt, taken) if raw is not None and tool.skip_reason is None else None
        if entry is None:
            code, message = tool.skip_reason or (
                "not-a-tool", f"a {type(item).__name__}, not a tool definition; skipped")
            tool.found.append((code, message))
            result.skipped += 1
            label = _label(item, index)
        else:
            label = f"tools/{entry['name']}"
            taken.add(entry["name"])
            result.tools[entry["name"]] = entry
            if raw is not None and raw.name != entry["name"]:
                result.renamed[entry["name"]] = str(raw.name)
        result.issues += [ImportIssue(label, code, message) for code, message in tool.found]
    return result


def _label(item: Any, index: int) -> str:
    name = None
    if isinstance(item, dict):
        fn = item.get("function")
        name = (fn.get("name") if isinstance(fn, dict) else None) or item.get("name")
    return f"tools/{name}" if isinstance(name, str) and name.strip() else f"tool #{index}"


def _unwrap(data: Any, fmt: str, result: ImportResult) -> list[Any]:
    def note(code: str, message: str) -> None:
        result.issues.append(ImportIssue("(input)", code, message))

    if isinstance(data, dict) and fmt == "mcp" and isinstance(data.get("result"), dict):
        data = data["result"]  # the whole JSON-RPC response to tools/list
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("tools"), list):
            if data.get("nextCursor"):
                note("paginated", "the tools/list result has a nextCursor: only this page was imported; "
                                  "fetch the remaining pages and import them too")
            other = sorted(set(data) - {"tools", "nextCursor", "_meta"})
            if other:
                note("ignored-keys", f"keys next to the tool list were ignored: {', '.join(other)}")
            return list(data["tools"])
        if fmt == "openai" and isinstance(data.get("functions"), list):
            return list(data["functions"])
        if any(k in data for k in ("name", "function", "type")):
            return [data]  # a single tool definition
    raise AgentcfgError(
        f"this is not a list of {fmt} tools",
        hint="give a JSON/YAML list of tool definitions, or an object with a `tools` list "
             "(an MCP tools/list result, or the tools of an API request)",
    )


def _read_mcp(item: dict[str, Any], tool: _Tool) -> _Raw:
    tool.unknown_keys(item, ("name", "title", "description", "inputSchema", "outputSchema", "annotations"))
    raw = _Raw(name=item.get("name"), description=item.get("description"), title=item.get("title"),
               schema=item.get("inputSchema"), has_schema="inputSchema" in item, output=item.get("outputSchema"))
    if "annotations" in item:
        raw.annotations = _annotations(item["annotations"], tool)
    if not raw.has_schema:
        tool.add("missing-schema", "no inputSchema (MCP requires one); read as a tool without arguments")
    return raw


def _annotations(value: Any, tool: _Tool) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        tool.add("invalid-annotations", f"annotations must be a mapping, not {type(value).__name__}; dropped")
        return None
    out: dict[str, Any] = {}
    for key, v in value.items():
        name = next((h for h in (*HINTS, "title") if h.lower() == str(key).lower()), None)
        if name is None:
            tool.add("unknown-key", f"unknown annotation '{key}' dropped{did_you_mean(str(key), (*HINTS, 'title'))}")
            continue
        if name != key:
            tool.add("invalid-annotations", f"annotation '{key}' renamed to '{name}'")
        if name == "title":
            if isinstance(v, str):
                out[name] = v
            else:
                tool.add("invalid-annotations", f"annotation title {v!r} is not a string; dropped")
        elif isinstance(v, bool) or v is None:
            if v is not None:
                out[name] = v
        elif isinstance(v, str) and v.strip().lower() in ("true", "false"):
            out[name] = v.strip().lower() == "true"
            tool.add("invalid-annotations", f"annotation {name} was the string {v!r}; read as {str(out[name]).lower()}")
        else:
            tool.add("invalid-annotations", f"annotation {name} must be true or false, not {v!r}; dropped "
                                            "(MCP's default applies)")
    return out or None


def _read_openai(item: dict[str, Any], tool: _Tool) -> _Raw | None:
    typ = item.get("type")
    if typ is None and isinstance(item.get("function"), dict):
        tool.add("missing-type", "no 'type'; read as type: function (Chat Completions form)")
        typ = "function"
    elif typ is None and "name" in item:
        tool.add("legacy-function", "a bare function definition (the legacy `functions` parameter); "
                                    "read as a function tool")
        typ, item = "function", {"type": "function", **item}
    if typ != "function":
        what = f"an OpenAI built-in '{typ}' tool" if isinstance(typ, str) else "not a function tool"
        extra = " (custom tools take free text, not JSON arguments)" if typ == "custom" else ""
        tool.skip("not-a-function", f"{what}, not a function tool: it has no schema to import; skipped{extra}")
        return None
    fn: Any = item
    known_fn = ("name", "description", "parameters", "strict")
    if "function" in item:
        tool.unknown_keys(item, ("type", "function"))
        fn = item["function"]
        if not isinstance(fn, dict):
            tool.skip("not-a-tool", "'function' must be a mapping; skipped")
            return None
        tool.unknown_keys(fn, known_fn, "function.")
    else:  # the Responses API's flat form
        tool.unknown_keys(item, ("type", *known_fn))
    return _Raw(name=fn.get("name"), description=fn.get("description"), schema=fn.get("parameters"),
                has_schema=fn.get("parameters") is not None, schema_key="parameters", strict=fn.get("strict"))


def _read_anthropic(item: dict[str, Any], tool: _Tool) -> _Raw | None:
    typ = item.get("type")
    if typ not in (None, "custom"):
        tool.skip("not-a-custom-tool", f"Anthropic's built-in '{typ}' tool has no schema to import; skipped "
                                       "(enable it in the API request instead)")
        return None
    tool.unknown_keys(item, ("type", "name", "description", "input_schema", "strict"))
    if "strict" in item:
        tool.add("strict-dropped", "'strict' is not kept: set it in the API request")
    raw = _Raw(name=item.get("name"), description=item.get("description"), schema=item.get("input_schema"),
               has_schema="input_schema" in item, schema_key="input_schema")
    if not raw.has_schema:
        tool.add("missing-schema", "no input_schema (Anthropic requires one); read as a tool without arguments")
    return raw


_READERS: dict[str, Callable[[dict[str, Any], _Tool], _Raw | None]] = {
    "mcp": _read_mcp, "openai": _read_openai, "anthropic": _read_anthropic,
}


def _finish(raw: _Raw, tool: _Tool, fmt: str, taken: set[str]) -> dict[str, Any] | None:
    """Checks common to every format: name, description, schemas. None when skipped."""
    if not isinstance(raw.name, str) or not raw.name.strip():
        tool.skip("missing-name", "the tool has no name; skipped")
        return None
    name, reasons = safe_name(raw.name)
    if reasons:
        tool.add("name-sanitised", f"name '{raw.name}' renamed to '{name}': {'; '.join(reasons)}")
    final = unique_name(name, taken)
    if final != name:
        tool.add("duplicate-name", f"another tool is already named '{name}'; this one was imported as '{final}'")
    entry: dict[str, Any] = {"name": final}
    if raw.title is not None:
        if isinstance(raw.title, str):
            entry["title"] = raw.title
        else:
            tool.add("invalid-value", f"title {raw.title!r} is not a string; dropped")
    if isinstance(raw.description, str) and raw.description.strip():
        entry["description"] = raw.description
    elif raw.description is None or isinstance(raw.description, str):
        tool.add("missing-description", "no description: models choose tools by it; write one")
    else:
        tool.add("missing-description", f"description {raw.description!r} is not text; dropped")
    if raw.annotations:
        entry["annotations"] = raw.annotations
    entry["inputSchema"] = _schema(raw.schema, raw.has_schema, raw.schema_key, "input", tool)
    if raw.output is not None:
        entry["outputSchema"] = _schema(raw.output, True, "outputSchema", "result", tool)
    if fmt == "openai":
        _check_strict(raw.strict, entry["inputSchema"], tool)
    return entry


def _schema(value: Any, present: bool, key: str, wrap_as: str, tool: _Tool) -> dict[str, Any]:
    from agentcfg.checks.tools import schema_problems

    if not present:
        return {"type": "object"}

    fixed = fix_root(value, key, tool.add, wrap_as=wrap_as)
    for path, code, message in schema_problems(fixed):
        where = ".".join([key, *(str(p) for p in path)])
        if code == "schema-root-type":
            code = "root-not-object"
        tool.add("remote-ref" if code == "schema-remote-ref" else "invalid-schema" if code == "schema-invalid"
                 else code, f"{where}: {message} (kept; `agentcfg validate` will refuse it until fixed)")
    return fixed


def _check_strict(strict: Any, schema: dict[str, Any], tool: _Tool) -> None:
    """agentcfg keeps no `strict` flag: OpenAI export sets it exactly when the schema qualifies."""
    if strict is not None and not isinstance(strict, bool):
        tool.add("invalid-value", f"strict must be true or false, not {strict!r}; dropped")
        strict = None
    problems = strict_problems(schema, "parameters")
    if strict is True and problems:
        tool.add("strict-incompatible", f"strict: true, but OpenAI's strict mode would refuse this schema "
                                        f"({problems[0]}{' …' if len(problems) > 1 else ''}); "
                                        "exported without strict")
    elif strict is not True and not problems:
        shown = "absent" if strict is None else repr(strict)
        tool.add("strict-inferred", f"strict is {shown}, but the schema meets strict mode, so OpenAI export "
                                    "will set strict: true")
