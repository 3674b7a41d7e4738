"""`agentcfg.load`: the deployed config of an environment, verified, with secrets resolved.

This is the runtime side of the GitOps loop. An agent process calls
``agentcfg.load("production")`` at start-up: the release file is read, its config is hashed and
compared with the digest it claims (a mismatch is an error, never a silent load), and only then
are ``${env:NAME}`` references replaced by the process's environment variables. Resolved values
live in memory only; nothing is written back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError, CheckFailed, Location, did_you_mean
from agentcfg.names import NAME_RE
from agentcfg.runtime.model import (
    Agent,
    Code,
    Data,
    Graph,
    Memory,
    Model,
    Prompt,
    Section,
    Tool,
)
from agentcfg.runtime.values import EMPTY, freeze, thaw

if TYPE_CHECKING:
    from agentcfg.runtime.toolbox import Approver, EventSink, Toolbox

SUPPORTED_CONFIG_FORMAT = 1
_KINDS: tuple[tuple[str, str, Any], ...] = (
    ("agents", "agents", Agent), ("prompts", "prompts", Prompt), ("tools", "tools", Tool),
    ("models", "models", Model), ("memory", "memory", Memory), ("graphs", "orchestration", Graph),
    ("data", "data", Data), ("code", "code", Code),
)


@dataclass(frozen=True, repr=False)
class Config:
    """One environment's deployed config: typed, read-only, ``${env:...}`` resolved.

    Tag your traces with :attr:`digest`: it is the config's identity in ``agentcfg show``,
    ``history`` and ``diff``.
    """

    digest: str
    environment: str
    name: str
    source: str | None  # the git commit the config was rendered from
    action: str  # "promote" | "rollback"
    hold: bool  # a rollback put the environment on hold
    origin: str  # the release file it was read from
    agents: Section[Agent]
    prompts: Section[Prompt]
    tools: Section[Tool]
    models: Section[Model]
    memory: Section[Memory]
    graphs: Section[Graph]
    data: Section[Data]
    code: Section[Code]
    policies: Mapping[str, Any] = field(compare=False)
    raw: Mapping[str, Any] = field(compare=False)
    # Set when an oci:// tag was loaded from this machine's cache because the registry could not
    # be reached: why, and which release (also issued as a RegistryFallbackWarning).
    fallback: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The whole config as plain, mutable data (with secrets resolved: do not log it)."""
        return dict(thaw(self.raw))

    def tools_for(self, agent: str, fmt: str = "mcp") -> list[dict[str, Any]]:
        """The tools of ``agent`` in a provider's shape, ready for its SDK (see ``export_tools``)."""
        from agentcfg.toolformats import export_tools

        names = self.agents[agent].tools
        return export_tools({n: self.tools[n].raw for n in names}, fmt)

    def toolbox(self, agent: str, *, handlers: Mapping[str, Callable[..., Any]] | None = None,
                approve: Approver | None = None, on_call: EventSink | None = None,
                servers: Mapping[str, Any] | None = None) -> Toolbox:
        """The tools of ``agent``, guarded by this release (see :mod:`agentcfg.runtime.toolbox`).

        ``handlers`` maps tool names to functions taking the arguments as keyword arguments (sync
        or async); a tool the mapping leaves out uses the ``handler: "module:function"`` its
        definition names. ``approve(request)`` decides calls that need a person (``bool`` or
        :class:`Decision`); ``on_call(event)`` receives a :class:`ToolCallEvent` per call.
        ``servers`` maps MCP server names to initialised ``mcp.ClientSession`` objects: the agent's
        tools whose definition names such a ``server:`` are called on that session (with
        ``acall``), after the server is verified against this release (:class:`ToolDrift`).
        Raises :class:`ToolboxError` for an unknown agent, a tool without a handler or a handler
        for a tool the agent does not have.
        """
        from agentcfg.runtime.toolbox import Toolbox

        return Toolbox(self, agent, handlers=handlers, approve=approve, on_call=on_call, servers=servers)

    async def verify_server(self, name: str, session: Any, *, fail_on: Any = None) -> Any:
        """Check that the MCP server ``name`` serves its tools as released, before calling them.

        ``session`` is an initialised ``mcp.ClientSession`` connected to that server. Raises
        :class:`~agentcfg.runtime.server_check.ToolDrift` listing every difference and its risk
        (see :func:`agentcfg.runtime.server_check.verify_server` for ``fail_on``); returns the
        comparison (a ``ServerDrift``, with any served tool the release does not declare) otherwise.
        """
        from agentcfg.runtime.server_check import verify_server

        return await verify_server(self, name, session, fail_on=fail_on)

    def __repr__(self) -> str:
        return f"<Config {self.environment or self.origin} {self.digest}>"


class RegistryFallbackWarning(UserWarning):
    """An ``oci://`` tag was loaded from the local cache because its registry could not be reached."""


def load(env_or_path: str | os.PathLike[str], root: str | os.PathLike[str] = ".", *,
         environ: Mapping[str, str] | None = None, plain_http: bool = False) -> Config:
    """Load an environment's release (``releases/<env>.json`` under ``root``) or a release file.

    ``env_or_path`` is an environment name, or a path to a release JSON file (anything ending in
    ``.json`` or containing a path separator; relative paths are relative to ``root``), or an OCI
    reference, ``oci://registry/repository:tag`` or ``oci://registry/repository@sha256:<manifest
    digest>``, published with ``agentcfg publish``: pulled, verified the same way, and cached in
    the user's cache folder. When the registry cannot be reached, a tag loads the release it
    pointed at when last seen, with a :class:`RegistryFallbackWarning` and :attr:`Config.fallback`
    set; a verification failure never falls back. ``plain_http=True`` allows HTTP without TLS,
    to a registry on localhost, 127.0.0.1 or ::1 only.
    ``environ`` replaces ``os.environ`` as the source of ``${env:NAME}`` values.

    Raises :class:`~agentcfg.errors.CheckFailed` when the file does not match its digest, and
    :class:`~agentcfg.errors.AgentcfgError` for a missing file, a missing environment variable
    (naming it and the artefact that needs it) or an unsupported format.
    """
    from agentcfg.release import RELEASES_DIR, parse_release

    base = Path(root)
    text = os.fspath(env_or_path)
    if not isinstance(env_or_path, os.PathLike) and text.startswith("oci://"):
        return _load_oci(text, plain_http, os.environ if environ is None else environ)
    by_name = not isinstance(env_or_path, os.PathLike) and not _looks_like_path(text)
    if by_name:
        if not NAME_RE.match(text):
            raise AgentcfgError(f"'{text}' is not an environment name or a release file path")
        path = base / RELEASES_DIR / f"{text}.json"
    else:
        path = Path(text) if Path(text).is_absolute() else base / text
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _missing(text, path, base, by_name) from None
    except OSError as exc:
        raise AgentcfgError(f"cannot read {path}: {exc.strerror or exc}") from None
    release = parse_release(data, str(path), verify=True)
    if by_name and release.environment != text:
        raise CheckFailed(f"the release file is for environment '{release.environment}', not '{text}'",
                          location=Location(str(path)),
                          hint="the file was copied or edited by hand; restore it from git")
    return _build(release, str(path), os.environ if environ is None else environ)


def _build(release: Any, origin: str, environ: Mapping[str, str], fallback: str | None = None) -> Config:
    """The :class:`Config` of a verified release."""
    config = release.config
    if config.get("format_version", SUPPORTED_CONFIG_FORMAT) != SUPPORTED_CONFIG_FORMAT:
        raise AgentcfgError(f"unsupported config format_version {config.get('format_version')!r}",
                            location=Location(origin), hint="upgrade agentcfg")
    # A server's credentials are resolved when something connects to it (verify_server, check
    # servers), not here: a process that never talks to a server must not need its tokens.
    servers = config.get("mcp_servers")
    rest = {k: v for k, v in config.items() if k != "mcp_servers"}
    resolved = resolve_env_refs(rest, environ, origin=origin)
    if servers is not None:
        resolved["mcp_servers"] = servers
    resolved = freeze(resolved)
    sections = {}
    for attr, key, kind in _KINDS:
        entries = resolved.get(key) or {}
        sections[attr] = Section(key, {name: kind.build(name, entries[name]) for name in entries})
    return Config(
        digest=release.digest, environment=release.environment, name=str(config.get("name", "")),
        source=release.source, action=release.action, hold=release.hold, origin=origin,
        policies=resolved.get("policies") or EMPTY, raw=resolved, fallback=fallback, **sections,
    )


def _load_oci(text: str, plain_http: bool, environ: Mapping[str, str]) -> Config:
    import warnings

    from agentcfg.ocio import pull

    pulled = pull(text, plain_http=plain_http)
    if pulled.fallback:
        warnings.warn(pulled.fallback, RegistryFallbackWarning, stacklevel=3)
    return _build(pulled.release, f"oci://{pulled.origin}", environ, pulled.fallback)


def _looks_like_path(text: str) -> bool:
    return text.endswith(".json") or "/" in text or os.sep in text


def _missing(text: str, path: Path, base: Path, by_name: bool) -> AgentcfgError:
    if not by_name:
        return AgentcfgError(f"no release file at {path}")
    from agentcfg.release import RELEASES_DIR

    known = sorted(p.stem for p in (base / RELEASES_DIR).glob("*.json"))
    return AgentcfgError(
        f"environment '{text}' has no release: {path} does not exist{did_you_mean(text, known)}",
        hint=(f"released environments: {', '.join(known)}" if known else
              "promote a config to it first (`agentcfg promote`), or pass root= the folder holding releases/"),
    )


def resolve_env_refs(config: Mapping[str, Any], environ: Mapping[str, str], *, origin: str = "") -> Any:
    """A copy of ``config`` with every ``${env:NAME}`` replaced by ``environ[NAME]``.

    Every missing variable is collected first, so one error names them all, each with the
    artefact (``models/chat``) and field that needs it.
    """
    from agentcfg.secrets import ENV_REF

    missing: list[tuple[str, str, str]] = []

    def walk(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, str):
            if "${env:" not in value:
                return value

            def sub(m: Any) -> str:
                name = m.group(1)
                if name in environ:
                    return str(environ[name])
                missing.append((name, "/".join(path[:2]), ".".join(path[2:])))
                return str(m.group(0))

            return ENV_REF.sub(sub, value)
        if isinstance(value, Mapping):
            return {k: walk(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v, (*path, str(i))) for i, v in enumerate(value)]
        return value

    resolved = walk(config, ())
    missing = list(dict.fromkeys(missing))
    if missing:
        name, artefact, where = missing[0]
        message = f"environment variable {name} is not set" + (f" (needed at {where})" if where else "")
        if len(missing) > 1:
            others = ", ".join(f"{n} ({a})" for n, a, _ in missing[1:])
            message += f"; also missing: {others}"
        raise AgentcfgError(message, location=Location(origin) if origin else None, artefact=artefact or None,
                            hint="set it in the agent's runtime environment; agentcfg resolves ${env:NAME} "
                                 "references only when the config is loaded, never into files")
    return resolved
