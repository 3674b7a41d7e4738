"""MCP servers: credentials only as ``${env:NAME}``, and every tool's ``server:`` is declared.

The transport rules (exactly one of ``command``/``url``, an argv list, https) are the model's
own (``agentcfg.artefacts.servers``); this check needs the whole manifest.
"""

from __future__ import annotations

import re

from agentcfg.errors import did_you_mean
from agentcfg.manifest.loader import Loaded
from agentcfg.secrets import ENV_REF

# Names whose value is a credential whatever it looks like: the generic secret scan only knows
# the shapes of well-known tokens, and a private server's token has no recognisable shape.
SENSITIVE_NAME = re.compile(r"(?i)(token|secret|passw(or)?d|api[_-]?key|apikey|private[_-]?key|credential"
                            r"|(^|[_-])pat($|[_-])|^authorization$|^proxy-authorization$|^cookie$|auth)")
# What may stand beside the reference: an auth scheme word ("Bearer ${env:TOKEN}").
SCHEME_ONLY = re.compile(r"[A-Za-z-]{0,20}\s*")


def credential_problem(value: str) -> str | None:
    """Why ``value`` of a credential-named variable or header is not a proper reference."""
    if not ENV_REF.search(value):
        return "holds a literal value"
    rest = ENV_REF.sub("", value).strip()
    if SCHEME_ONLY.fullmatch(rest):
        return None
    return "mixes a literal with the ${env:...} reference"


def check(loaded: Loaded) -> None:
    m = loaded.manifest
    assert m is not None
    for name, server in m.mcp_servers.items():
        aid = f"mcp_servers/{name}"
        for field in ("env", "headers"):
            for key, value in (getattr(server, field) or {}).items():
                if not SENSITIVE_NAME.search(key):
                    continue
                problem = credential_problem(value)
                if problem:
                    loaded.finding("server-secret-literal",
                                   f"{field} '{key}' looks like a credential and {problem}; the value is not shown",
                                   ("mcp_servers", name, field, key), artefact=aid,
                                   hint=f'write it as "${{env:NAME}}" (e.g. "Bearer ${{env:{_var(key)}}}" for a '
                                        "header): agentcfg resolves it only in memory when it connects")
    raw = loaded.raw.get("mcp_servers")
    declared = list(raw) if isinstance(raw, dict) else []
    for name, tool in m.tools.items():
        if tool.server is not None and tool.server not in declared:
            loaded.finding("unresolved-reference",
                           f"server '{tool.server}' is not defined in `mcp_servers`"
                           f"{did_you_mean(tool.server, declared)}",
                           ("tools", name, "server"), artefact=f"tools/{name}",
                           hint=f"declare mcp_servers/{tool.server} (a command or url) or fix the name")


def _var(key: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").upper()
    return name if name and not name[0].isdigit() else "TOKEN"
