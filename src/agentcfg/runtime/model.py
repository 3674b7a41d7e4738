"""The typed, read-only view of a release's config that :func:`agentcfg.load` returns.

Every object is a frozen dataclass; every mapping is a :class:`Section` or a read-only dict
and every list a read-only list or a tuple (:mod:`agentcfg.runtime.values`), so code holding a
:class:`Config` cannot change the config it is running (assignment raises), while every value
still goes as it is into ``json.dumps``, ``jsonschema`` and the SDKs' constructors.
``to_dict()`` gives a mutable copy. Reprs name artefacts only: resolved ``${env:...}`` secrets
never reach a log line through ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from agentcfg.errors import AgentcfgError, did_you_mean
from agentcfg.runtime.values import EMPTY, ReadOnlyDict, thaw

T = TypeVar("T")


class UnknownArtefact(AgentcfgError, KeyError):
    """``config.prompts["nope"]``: a KeyError that says what exists."""

    def __str__(self) -> str:
        return AgentcfgError.__str__(self)


class Section(Mapping[str, T], Generic[T]):
    """A read-only ``name -> artefact`` mapping whose missing keys get a helpful error."""

    def __init__(self, section: str, items: dict[str, T]) -> None:
        self._section = section
        self._items = dict(items)

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(self._items) or "none"
            raise UnknownArtefact(f"no {self._section} entry named '{name}'{did_you_mean(name, self._items)}",
                                  artefact=f"{self._section}/{name}", hint=f"defined: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<{self._section}: {', '.join(self._items) or 'none'}>"


@dataclass(frozen=True, repr=False)
class Artefact:
    """What every artefact has: its name and its full definition (read-only, secrets resolved)."""

    name: str
    raw: Mapping[str, Any] = field(compare=False)

    section = "artefacts"

    @property
    def artefact_id(self) -> str:
        """``<section>/<name>``, as in errors, locks and diffs."""
        return f"{self.section}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return dict(thaw(self.raw))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.artefact_id}>"


def _opt(raw: Mapping[str, Any], key: str) -> Any:
    return raw.get(key)


@dataclass(frozen=True, repr=False)
class Prompt(Artefact):
    template: str = ""
    format: str = "mustache"
    variables: tuple[str, ...] = ()
    description: str | None = None
    section = "prompts"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Prompt:
        return cls(name, raw, str(raw.get("template", "")), str(raw.get("format", "mustache")),
                   tuple(raw.get("variables") or ()), _opt(raw, "description"))

    def render(self, **variables: Any) -> str:
        """The prompt text with ``variables`` filled in.

        Refuses (``AgentcfgError``) a variable that is not declared in the manifest and a
        declared variable that is not given: a typo must not silently leave a hole in a prompt.
        """
        from agentcfg.runtime.templates import TemplateError, render

        declared = set(self.variables)
        unknown = sorted(set(variables) - declared)
        missing = sorted(declared - set(variables))
        if unknown or missing:
            parts = []
            if unknown:
                parts.append(f"not declared: {', '.join(unknown)}")
            if missing:
                parts.append(f"missing: {', '.join(missing)}")
            raise TemplateError(f"cannot render: variables {'; '.join(parts)}", artefact=self.artefact_id,
                                hint=f"this prompt declares: {', '.join(self.variables) or 'no variables'}")
        return render(self.template, self.format, variables, artefact=self.artefact_id)


@dataclass(frozen=True, repr=False)
class Model(Artefact):
    provider: str = ""
    id: str = ""  # the provider's model id, e.g. gpt-4o-2024-08-06
    kind: str = "chat"
    dims: int | None = None
    parameters: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    fallbacks: tuple[str, ...] = ()
    description: str | None = None
    section = "models"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Model:
        return cls(name, raw, str(raw.get("provider", "")), str(raw.get("id", "")), str(raw.get("kind", "chat")),
                   _opt(raw, "dims"), raw.get("parameters") or EMPTY,
                   tuple(raw.get("fallbacks") or ()), _opt(raw, "description"))


@dataclass(frozen=True, repr=False)
class Tool(Artefact):
    title: str | None = None
    description: str | None = None
    input_schema: Mapping[str, Any] = field(default_factory=lambda: ReadOnlyDict({"type": "object"}))
    output_schema: Mapping[str, Any] | None = None
    annotations: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    approval: str = "never"
    code: str | None = None
    handler: str | None = None  # "package.module:function", imported by Config.toolbox()
    section = "tools"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Tool:
        return cls(name, raw, _opt(raw, "title"), _opt(raw, "description"),
                   raw.get("inputSchema") or ReadOnlyDict({"type": "object"}), _opt(raw, "outputSchema"),
                   raw.get("annotations") or EMPTY, str(raw.get("approval", "never")),
                   _opt(raw, "code"), _opt(raw, "handler"))

    @property
    def requires_approval(self) -> bool:
        """Whether a human must approve each call (``approval: required``)."""
        return self.approval == "required"

    @property
    def hints(self) -> Mapping[str, bool]:
        """The MCP annotation hints with MCP's defaults filled in (no hints = may write/destroy)."""
        from agentcfg.artefacts.hints import effective_hints

        return ReadOnlyDict(effective_hints(dict(self.annotations)))

    def as_format(self, fmt: str) -> dict[str, Any]:
        """This tool in a provider's shape (``mcp``, ``openai``, ``openai-responses``, ``anthropic``)."""
        from agentcfg.toolformats import export_tools

        return export_tools({self.name: self.raw}, fmt)[0]


@dataclass(frozen=True, repr=False)
class Memory(Artefact):
    store: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    embedder: str = ""
    dims: int = 0
    namespace: str | None = None
    ttl: str | None = None
    schema_version: str = ""
    description: str | None = None
    section = "memory"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Memory:
        return cls(name, raw, raw.get("store") or EMPTY, str(raw.get("embedder", "")),
                   int(raw.get("dims") or 0), _opt(raw, "namespace"), _opt(raw, "ttl"),
                   str(raw.get("schema_version", "")), _opt(raw, "description"))


@dataclass(frozen=True, repr=False)
class Agent(Artefact):
    model: str = ""
    prompt: str = ""
    tools: tuple[str, ...] = ()
    memory: str | None = None
    code: str | None = None
    description: str | None = None
    section = "agents"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Agent:
        return cls(name, raw, str(raw.get("model", "")), str(raw.get("prompt", "")), tuple(raw.get("tools") or ()),
                   _opt(raw, "memory"), _opt(raw, "code"), _opt(raw, "description"))


@dataclass(frozen=True)
class Node:
    name: str
    agent: str | None = None
    tool: str | None = None
    human: Mapping[str, Any] | None = None
    description: str | None = None

    @property
    def kind(self) -> str:
        return "agent" if self.agent else "tool" if self.tool else "human"

    def to_dict(self) -> dict[str, Any]:
        """The node as in the release file (plain, mutable)."""
        return {k: thaw(v) for k, v in (("agent", self.agent), ("tool", self.tool), ("human", self.human),
                                         ("description", self.description)) if v is not None}


@dataclass(frozen=True)
class Edge:
    source: str  # `from` in the manifest (a Python keyword)
    to: str
    when: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The edge as in the release file (plain, mutable)."""
        return {"from": self.source, "to": self.to, **({"when": self.when} if self.when is not None else {})}


@dataclass(frozen=True, repr=False)
class Graph(Artefact):
    entry: str = ""
    nodes: Mapping[str, Node] = field(default_factory=lambda: EMPTY)
    edges: tuple[Edge, ...] = ()
    max_steps: int | None = None
    state_schema_version: str | None = None
    description: str | None = None
    section = "orchestration"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Graph:
        nodes = {n: Node(n, _opt(v, "agent"), _opt(v, "tool"), _opt(v, "human"), _opt(v, "description"))
                 for n, v in (raw.get("nodes") or {}).items()}
        edges = tuple(Edge(str(e.get("from", "")), str(e.get("to", "")), _opt(e, "when"))
                      for e in raw.get("edges") or ())
        return cls(name, raw, str(raw.get("entry", "")), ReadOnlyDict(nodes), edges, _opt(raw, "max_steps"),
                   _opt(raw, "state_schema_version"), _opt(raw, "description"))

    def successors(self, node: str) -> tuple[Edge, ...]:
        """The edges leaving ``node``, in manifest order."""
        return tuple(e for e in self.edges if e.source == node)


@dataclass(frozen=True, repr=False)
class Data(Artefact):
    digest: str | None = None
    size: int | None = None
    files: int | None = None
    path: str | None = None
    uri: str | None = None
    version: str | None = None
    role: str | None = None
    section = "data"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Data:
        return cls(name, raw, *(_opt(raw, k) for k in ("digest", "size", "files", "path", "uri", "version", "role")))


@dataclass(frozen=True, repr=False)
class Code(Artefact):
    repo: str = ""
    ref: str = ""
    commit: str | None = None
    path: str | None = None
    section = "code"

    @classmethod
    def build(cls, name: str, raw: Mapping[str, Any]) -> Code:
        return cls(name, raw, str(raw.get("repo", "")), str(raw.get("ref", "")), _opt(raw, "commit"), _opt(raw, "path"))
