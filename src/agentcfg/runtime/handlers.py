"""Which function runs for each tool of an agent: passed in, or named by the release.

A tool may name its implementation as ``handler: "package.module:function"``; the module is
imported when the toolbox is built, in the agent's own environment (never by ``validate``,
which only checks the form). A handler passed to ``toolbox()`` wins over the release's.
Every problem is found before the first call: a tool without a handler, a handler for a tool the
agent does not have, a name that does not import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agentcfg.errors import did_you_mean
from agentcfg.runtime.tool_errors import ToolboxError

Handler = Callable[..., Any]


def import_handler(spec: str, *, tool: str) -> Handler:
    """The callable ``package.module:function`` names (``function`` may be dotted: ``Class.method``)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ToolboxError(f"handler '{spec}' is not of the form 'package.module:function'", artefact=f"tools/{tool}")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ToolboxError(f"handler '{spec}': cannot import module '{module_name}' ({exc})", artefact=f"tools/{tool}",
                           hint="install the package that provides it in the agent's environment, or pass "
                                f"handlers={{'{tool}': ...}} to toolbox()") from None
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ToolboxError(f"handler '{spec}': module '{module_name}' has no attribute '{attr}'",
                               artefact=f"tools/{tool}") from None
    if not callable(target):
        raise ToolboxError(f"handler '{spec}' is not callable", artefact=f"tools/{tool}")
    return target  # type: ignore[no-any-return]


def resolve_handlers(agent: str, tools: Sequence[str], declared: Mapping[str, str | None],
                     given: Mapping[str, Handler] | None) -> dict[str, Handler]:
    """``{tool: callable}`` for every tool of ``agent``: ``given`` first, then the release's ``handler``."""
    given = dict(given or {})
    strangers = [name for name in given if name not in tools]
    if strangers:
        name = strangers[0]
        raise ToolboxError(f"a handler is given for '{name}', which is not a tool of agent '{agent}'"
                           f"{did_you_mean(name, tools)}", artefact=f"agents/{agent}",
                           hint=f"the agent's tools in this release: {', '.join(tools) or 'none'}")
    resolved: dict[str, Handler] = {}
    missing: list[str] = []
    for name in tools:
        if name in given:
            if not callable(given[name]):
                raise ToolboxError(f"the handler given for '{name}' is not callable", artefact=f"tools/{name}")
            resolved[name] = given[name]
        elif declared.get(name):
            resolved[name] = import_handler(str(declared[name]), tool=name)
        else:
            missing.append(name)
    if missing:
        raise ToolboxError(f"agent '{agent}' has tools without a handler: {', '.join(missing)}",
                           artefact=f"agents/{agent}",
                           hint="pass handlers={'<tool>': function} to toolbox(), or name one in the manifest "
                                "with `handler: package.module:function`")
    return resolved
