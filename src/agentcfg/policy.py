"""Environment policies as checks over a loaded, rendered-for-ENV manifest.

`validate --env ENV` and `promote` both call :func:`check_policies`; `max_risk` and `frozen`
need a diff or an action and are enforced by promotion itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcfg.artefacts.hints import effective_hints
from agentcfg.pinning import is_pinned

if TYPE_CHECKING:  # the loader pulls in pydantic; promotion's policy gate only needs the tables here
    from agentcfg.manifest.loader import Loaded

_HINT_OF = {"write": ("readOnlyHint", False), "destructive": ("destructiveHint", True),
            "open_world": ("openWorldHint", True)}
SIDE_EFFECT_HINTS = _HINT_OF  # public: promotion checks rendered configs with the same table


def check_policies(loaded: Loaded, env: str) -> None:
    m = loaded.manifest
    assert m is not None
    policy = m.policies.get(env)
    if policy is None:
        return
    if policy.require_pinned_models:
        for name, model in m.models.items():
            pinned, why = is_pinned(model.provider, model.id, model.pinned)
            if not pinned:
                loaded.finding("policy-unpinned-model",
                               f"policy require_pinned_models ({env}): '{model.id}' is a floating alias ({why})",
                               ("models", name, "id"), artefact=f"models/{name}",
                               hint="use a dated snapshot id, or set `pinned: true` if the provider guarantees it")
    for kind in policy.require_approval_for:
        hint_key, bad = _HINT_OF[kind]
        for name, tool in m.tools.items():
            hints = effective_hints(tool.annotations.model_dump() if tool.annotations else None)
            if hints[hint_key] == bad and tool.approval != "required":
                loaded.finding("policy-approval",
                               f"policy require_approval_for: {kind} ({env}): tool has {hint_key}={str(bad).lower()}"
                               f" but `approval: never`", ("tools", name), artefact=f"tools/{name}",
                               hint="set `approval: required`, or correct the tool's annotations")
