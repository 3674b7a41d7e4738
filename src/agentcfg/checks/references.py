"""Every reference resolves: agent → model/prompt/tools/memory/code, memory → embedding model,
model → fallbacks, tool → code, graph node → agent/tool (in graphs.py), policies → environments."""

from __future__ import annotations

from typing import Any

from agentcfg.errors import did_you_mean
from agentcfg.manifest.loader import Loaded


def _ref(loaded: Loaded, aid: str, path: tuple[Any, ...], target_section: str, name: str,
         pool: dict[str, Any], what: str) -> bool:
    if name in pool:
        return True
    loaded.finding("unresolved-reference",
                   f"{what} '{name}' is not defined in `{target_section}`{did_you_mean(name, pool)}",
                   path, artefact=aid, hint=f"define {target_section}/{name} or fix the name")
    return False


def check(loaded: Loaded) -> None:
    m = loaded.manifest
    assert m is not None
    raw_sections = {s: (loaded.raw.get(s) or {}) for s in ("models", "prompts", "tools", "memory", "code")}
    # A reference to an artefact that exists but failed type-checking is not reported again.
    pools = {s: {**(v if isinstance(v, dict) else {})} for s, v in raw_sections.items()}

    for name, agent in m.agents.items():
        aid = f"agents/{name}"
        _ref(loaded, aid, ("agents", name, "model"), "models", agent.model, pools["models"], "model")
        model = m.models.get(agent.model)
        if model is not None and model.kind == "embedding":
            loaded.finding("wrong-model-kind",
                           f"model '{agent.model}' is an embedding model; an agent needs a chat model",
                           ("agents", name, "model"), artefact=aid)
        _ref(loaded, aid, ("agents", name, "prompt"), "prompts", agent.prompt, pools["prompts"], "prompt")
        seen: set[str] = set()
        for i, tool in enumerate(agent.tools):
            if tool in seen:
                loaded.finding("duplicate-reference", f"tool '{tool}' is listed twice", ("agents", name, "tools", i),
                               artefact=aid)
            seen.add(tool)
            _ref(loaded, aid, ("agents", name, "tools", i), "tools", tool, pools["tools"], "tool")
        if agent.memory is not None:
            _ref(loaded, aid, ("agents", name, "memory"), "memory", agent.memory, pools["memory"], "memory")
        if agent.code is not None:
            _ref(loaded, aid, ("agents", name, "code"), "code", agent.code, pools["code"], "code ref")

    for name, mem in m.memory.items():
        aid = f"memory/{name}"
        if _ref(loaded, aid, ("memory", name, "embedder"), "models", mem.embedder, pools["models"], "embedder"):
            emb = m.models.get(mem.embedder)
            if emb is not None and emb.kind != "embedding":
                loaded.finding("wrong-model-kind",
                               f"embedder '{mem.embedder}' is a {emb.kind} model, not an embedding model",
                               ("memory", name, "embedder"), artefact=aid,
                               hint="set `kind: embedding` and `dims` on the model")
            elif emb is not None and emb.dims is not None and emb.dims != mem.dims:
                loaded.finding("dims-mismatch",
                               f"memory dims {mem.dims} differ from embedder '{mem.embedder}' dims {emb.dims}",
                               ("memory", name, "dims"), artefact=aid,
                               hint="vectors of the wrong size cannot be stored or searched")

    for name, model in m.models.items():
        aid = f"models/{name}"
        for i, fb in enumerate(model.fallbacks):
            if fb == name:
                loaded.finding("self-reference", "a model cannot be its own fallback", ("models", name, "fallbacks", i),
                               artefact=aid)
            else:
                _ref(loaded, aid, ("models", name, "fallbacks", i), "models", fb, pools["models"], "fallback model")

    for name, tool_def in m.tools.items():
        aid = f"tools/{name}"
        if tool_def.code is not None:
            _ref(loaded, aid, ("tools", name, "code"), "code", tool_def.code, pools["code"], "code ref")

    envs = list(m.environments)
    if len(set(envs)) != len(envs):
        loaded.finding("duplicate-environment", "an environment is listed twice in `environments`", ("environments",))
    for env in m.policies:
        if env not in envs:
            loaded.finding("unknown-environment",
                           f"policy for '{env}', which is not in `environments:`{did_you_mean(env, envs)}",
                           ("policies", env), artefact=f"policies/{env}",
                           hint="policies apply to the environments listed in `environments:`")
