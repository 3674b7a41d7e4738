"""Environments the GitOps way: render, promote, rollback, unhold, history, status, show.

Every environment's deployed state is `releases/<env>.json`; every transition is one commit of
that one file, with git trailers. The functions here are the Python API; `agentcfg.cli.cmd_env`
is a thin layer over them.

The functions share their submodules' names (`promotion.history` the module,
`promotion.history` the function), so they are bound here eagerly, after the submodules load:
a lazy lookup would hand out the module once anything had imported it.
"""

from __future__ import annotations

from agentcfg.promotion.history import Transition, history
from agentcfg.promotion.promote import PromoteResult, promote
from agentcfg.promotion.rollback import RollbackResult, UnholdResult, rollback, unhold
from agentcfg.promotion.safety import PromotionRefused, Refusal
from agentcfg.promotion.show import FoundRelease, show
from agentcfg.promotion.source import render
from agentcfg.promotion.status import EnvStatus, status

__all__ = [
    "EnvStatus",
    "FoundRelease",
    "PromoteResult",
    "PromotionRefused",
    "Refusal",
    "RollbackResult",
    "Transition",
    "UnholdResult",
    "history",
    "promote",
    "render",
    "rollback",
    "show",
    "status",
    "unhold",
]
