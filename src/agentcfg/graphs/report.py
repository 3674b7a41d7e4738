"""`agentcfg graph` as a library call: which config to draw, and its graphs as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg.errors import AgentcfgError, UsageError, did_you_mean
from agentcfg.graphs.model import Graph, graphs_of
from agentcfg.names import MANIFEST_FILE
from agentcfg.semdiff.result import Side

FORMAT_VERSION = 1
ENV_PREFIX = "env:"


@dataclass(frozen=True)
class GraphReport:
    """The graphs of one rendered config, and where that config came from."""

    source: Side
    environment: str | None
    graphs: list[Graph]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``agentcfg graph --format json`` (``schemas/graph.schema.json``)."""
        return {"format_version": FORMAT_VERSION, "source": self.source.to_dict(),
                "environment": self.environment, "graphs": [g.to_dict() for g in self.graphs]}


def graph(env: str | None = None, *, root: Path | str = ".", rev: str | None = None,
          name: str | None = None) -> GraphReport:
    """The orchestration graphs of ``env``'s rendered config (its overlay applied).

    ``rev`` is where the config comes from: None for the working tree, a git revision (read
    from git objects, pinned by its lock when it has one), ``env:NAME`` for that environment's
    release, or a path to a release file. ``env`` also chooses whose ``require_approval_for``
    marks tools; without it (and for a release file given by path), every environment's policy
    does. ``name`` keeps one graph.
    Raises :class:`~agentcfg.errors.AgentcfgError` (a usage error for an unknown graph).
    """
    from agentcfg.project import Project
    from agentcfg.promotion.target import check_env_name
    from agentcfg.semdiff.sides import WORKTREE, load_side

    if env is not None:
        check_env_name(env)
    spec = rev if rev is not None else WORKTREE
    if spec.startswith(ENV_PREFIX):
        released = check_env_name(spec[len(ENV_PREFIX):])
        if env is not None and env != released:
            raise UsageError(f"--rev {spec} is {released}'s release, rendered for {released}, not for {env}",
                             hint=f"drop ENV, or use `--rev {ENV_PREFIX}{env}`")
        env = released
    base = Path(root)
    snapshot = load_side(Project.find(base), spec, env=env, base=base)
    if snapshot.config is None:
        raise UsageError(f"{spec} is a lock file: it holds digests, not the graphs themselves",
                         hint="give a git revision (the lock's commit), env:NAME, a release file, or nothing "
                              "for the working tree")
    if snapshot.side.kind == "empty":  # `diff` reads a missing manifest as an empty config; nothing to draw
        where = "here" if spec == WORKTREE else f"at {spec}"
        raise AgentcfgError(f"there is no {MANIFEST_FILE} {where}",
                            hint="run agentcfg in the project's folder (or pass -C DIR), or give another --rev")
    graphs = graphs_of(snapshot.config, env)
    if name is not None:
        chosen = [g for g in graphs if g.name == name]
        if not chosen:
            names = [g.name for g in graphs]
            raise UsageError(f"no orchestration graph '{name}' in {snapshot.side.label}{did_you_mean(name, names)}",
                             hint=f"graphs there: {', '.join(names) or 'none'}")
        graphs = chosen
    elif not graphs:
        raise AgentcfgError(f"{snapshot.side.label} defines no orchestration graphs",
                            hint="add one under `orchestration:` in agentcfg.yaml (see docs/manifest.md)")
    return GraphReport(snapshot.side, env, graphs)


__all__ = ["FORMAT_VERSION", "GraphReport", "graph"]
