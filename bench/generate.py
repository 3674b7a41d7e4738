"""Synthetic agentcfg projects for the benchmark (issue 8), written into temp folders.

* ``S``: the bundled example (examples/support-agent).
* ``M``: 500 agents, 2,000 tools (one YAML file each), 2,000 prompts (one file each), plus
  models, memory and graphs: about 1 MB of YAML. ``factor`` scales every count (0.5 = half M).
* ``L``: M plus a data folder of 10,000 files / 1 GiB (``data_bytes`` makes it smaller for tests).

:func:`change_artefacts` edits 1% of the artefacts (for `diff HEAD~1 HEAD` and `promote`), and
:func:`fast_history` appends thousands of release commits of one environment in seconds (for
`history` and `rollback`). Everything is deterministic (no randomness), so two runs measure the
same project.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "support-agent"

M_AGENTS, M_TOOLS, M_PROMPTS = 500, 2000, 2000
L_FILES, L_BYTES = 10_000, 1 << 30


GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
"""A fixed git identity: the machine's git config is never relied on (agentcfg commits too)."""


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, input=stdin,
                         env={**os.environ, **GIT_ENV}).stdout
    return out.decode("utf-8")


def init_repo(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "config", "user.name", "bench")
    git(root, "config", "user.email", "bench@example.com")
    (root / ".gitignore").write_text(".agentcfg/\n")


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def _tool(i: int) -> str:
    destructive = i % 7 == 0
    return (
        f"name: tool_{i:04}\n"
        f"title: Tool {i}\n"
        f"description: >-\n  Synthetic tool {i}: looks up record {i} in the system of record and returns it\n"
        f"  with its history, owner, status and the last ten events that touched it.\n"
        "inputSchema:\n  type: object\n  properties:\n"
        "    record_id: {type: string, description: The record to fetch.}\n"
        "    include_history: {type: boolean, default: false}\n"
        "    limit: {type: integer, minimum: 1, maximum: 100}\n"
        "  required: [record_id]\n"
        "outputSchema:\n  type: object\n  properties:\n    status: {type: string}\n    owner: {type: string}\n"
        f"annotations:\n  readOnlyHint: {'false' if destructive else 'true'}\n"
        f"  destructiveHint: {'true' if destructive else 'false'}\n  idempotentHint: true\n  openWorldHint: false\n"
        f"approval: {'required' if destructive else 'never'}\n"
    )


def _prompt(i: int) -> str:
    return (f"You are agent {i} of the synthetic support organisation.\n"
            "Answer the customer {{customer_name}} about {{topic}}.\n"
            + "Be precise, cite the record you used, and never promise refunds you cannot issue.\n" * 3)


def generate_m(root: Path, factor: float = 1.0) -> dict[str, int]:
    """Write an M-sized project (scaled by ``factor``) into ``root``; returns the counts."""
    n_agents = max(1, int(M_AGENTS * factor))
    n_tools = max(1, int(M_TOOLS * factor))
    n_prompts = max(1, int(M_PROMPTS * factor))
    n_graphs = max(1, n_agents // 10)
    (root / "tools").mkdir(parents=True, exist_ok=True)
    (root / "prompts").mkdir(parents=True, exist_ok=True)
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "tools.py").write_text("def run():\n    return 1\n")
    for i in range(n_tools):
        (root / "tools" / f"tool_{i:04}.yaml").write_text(_tool(i))
    for i in range(n_prompts):
        (root / "prompts" / f"p{i:04}.md").write_text(_prompt(i))
    out = ["format_version: 1", "name: synthetic", "environments: [staging, production]", "",
           "code:", "  tools_impl: {repo: ., ref: main, path: src}", "",
           "models:"]
    for i in range(20):
        out.append(f"  chat{i}: {{provider: openai, id: gpt-4o-2024-08-06, parameters: {{temperature: 0.{i % 10}}}}}")
    out.append("  embedder: {provider: openai, id: text-embedding-3-small, kind: embedding, dims: 1536}")
    out += ["", "prompts:"]
    for i in range(n_prompts):
        out.append(f"  p{i:04}: {{file: prompts/p{i:04}.md, variables: [customer_name, topic]}}")
    out += ["", "tools:"]
    for i in range(n_tools):
        out.append(f"  tool_{i:04}: {{file: tools/tool_{i:04}.yaml}}")
    out += ["", "memory:"]
    for i in range(10):
        out += [f"  mem{i}:", f"    store: {{provider: qdrant, collection: c{i}}}", "    embedder: embedder",
                "    dims: 1536", f"    namespace: ns{i}", "    ttl: 90d", '    schema_version: "1"']
    out += ["", "agents:"]
    for i in range(n_agents):
        tools = ", ".join(f"tool_{(i * 4 + k) % n_tools:04}" for k in range(4))
        out += [f"  agent_{i:04}:", f"    model: chat{i % 20}", f"    prompt: p{i % n_prompts:04}",
                f"    tools: [{tools}]", f"    memory: mem{i % 10}", f"    description: Synthetic agent {i}."]
    out += ["", "orchestration:"]
    for g in range(n_graphs):
        members = [f"agent_{(g * 10 + k) % n_agents:04}" for k in range(10)]
        out += [f"  graph_{g:03}:", "    entry: n0", "    max_steps: 25", "    nodes:"]
        out += [f"      n{k}: {{agent: {a}}}" for k, a in enumerate(members)]
        out += ["    edges:"]
        out += [f"      - {{from: n{k}, to: n{k + 1}}}" for k in range(len(members) - 1)]
        out += [f"      - {{from: n{len(members) - 1}, to: END}}"]
    out += ["", "policies:", "  production: {require_pinned_models: true, max_risk: high}", ""]
    (root / "agentcfg.yaml").write_text("\n".join(out))
    (root / "environments").mkdir(exist_ok=True)
    (root / "environments" / "production.yaml").write_text(
        "models:\n  chat0: {parameters: {temperature: 0.0}}\n")
    return {"agents": n_agents, "tools": n_tools, "prompts": n_prompts, "graphs": n_graphs}


def generate_data(folder: Path, *, files: int = L_FILES, total_bytes: int = L_BYTES, age_s: int = 3600) -> int:
    """A data folder of ``files`` files totalling ``total_bytes`` (100 per sub-folder).

    Files are backdated by ``age_s`` seconds: a data set that was not written in the last
    moments (the stat cache does not trust files modified within 2 s of being hashed).
    """
    per_file = max(1, total_bytes // files)
    block = (bytes(range(256)) * (per_file // 256 + 1))[:per_file]
    past = time.time_ns() - age_s * 1_000_000_000
    for i in range(files):
        sub = folder / f"{i // 100:03}"
        if i % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"{i:05}.bin"
        # Different content per file (first bytes carry the index), same size.
        path.write_bytes(i.to_bytes(8, "big") + block[8:])
        os.utime(path, ns=(past, past))
    return files


def generate(root: Path, scale: str, *, factor: float = 1.0, data_files: int = L_FILES,
             data_bytes: int = L_BYTES) -> Path:
    """A committed git repository with the project of ``scale`` (S, M or L) at ``root``."""
    init_repo(root)
    if scale == "S":
        shutil.copytree(EXAMPLE, root, dirs_exist_ok=True, symlinks=True)
    else:
        generate_m(root, factor)
    if scale == "L":
        generate_data(root / "data" / "big", files=data_files, total_bytes=data_bytes)
        text = (root / "agentcfg.yaml").read_text()
        (root / "agentcfg.yaml").write_text(text.replace("\nmodels:", "\ndata:\n  big: {path: data/big, role: corpus}\n"
                                                         "\nmodels:", 1))
        (root / ".gitignore").write_text(".agentcfg/\ndata/big/\n")  # like a DVC-tracked corpus
    commit_all(root, f"synthetic {scale} project")
    return root


def data_files(root: Path) -> list[Path]:
    """The generated data files of an L project (for the baselines)."""
    return sorted((root / "data" / "big").rglob("*.bin"))


def change_artefacts(root: Path, every: int = 100) -> list[str]:
    """Edit one artefact in ``every`` (tool files, prompt files, inline agents); their ids.

    The edits are what a pull request looks like: a tool description reworded (its file), a
    prompt's text extended (its file), an agent's description changed (inline in the manifest).
    Applying it twice edits the same artefacts again, so every call is a real change.
    """
    changed: list[str] = []
    for path in sorted((root / "tools").glob("*.yaml"))[::every]:
        text = path.read_text()
        path.write_text(text.replace("description: >-\n  ", "description: >-\n  (Revised) ", 1))
        changed.append(f"tools/{path.stem}")
    for path in sorted(p for p in (root / "prompts").iterdir() if p.is_file())[::every]:
        with path.open("a") as fh:
            fh.write("Always answer in the customer's language.\n")
        changed.append(f"prompts/{path.stem}")
    manifest = root / "agentcfg.yaml"
    lines = manifest.read_text().split("\n")
    agents = [i for i, line in enumerate(lines) if line.startswith("    description: Synthetic agent ")]
    for i in agents[::every]:
        lines[i] = lines[i].replace("Synthetic agent", "Synthetic (revised) agent", 1)
        changed.append(f"agents/agent_{lines[i].rsplit(' ', 1)[-1].rstrip('.'):0>4}")
    manifest.write_text("\n".join(lines))
    return changed


def fast_history(root: Path, env: str, n: int) -> list[str]:
    """Append ``n`` release commits of ``env`` on top of HEAD with `git fast-import`; their digests.

    Each commit changes only ``releases/<env>.json`` (a small config) and carries agentcfg's
    trailers, exactly like ``agentcfg promote`` would write it; 5,000 of them take seconds instead
    of the ten minutes that 5,000 real promotions would. The working tree is updated to match.
    """
    import hashlib
    import json

    head = git(root, "rev-parse", "HEAD").strip()
    start = int(time.time()) - n - 60
    stream: list[bytes] = []
    digests: list[str] = []
    for i in range(n):
        config = {"format_version": 1, "name": "bulk", "n": i, "prompts": {"p": {"template": f"v{i}"}}}
        canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
        digests.append(digest)
        body = (json.dumps({"format_version": 1, "environment": env, "digest": digest, "source": head,
                            "action": "promote", "from": "HEAD", "reason": f"bulk release {i}", "hold": False,
                            "config": config}, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
        msg = (f"agentcfg: promote HEAD to {env} ({digest[7:19]})\n\nAgentcfg-Env: {env}\nAgentcfg-Action: promote\n"
               f"Agentcfg-Digest: {digest}\nAgentcfg-From: HEAD\nAgentcfg-Source: {head}\n"
               f"Agentcfg-Reason: bulk release {i}\n").encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer bench <bench@example.com> {start + i} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(msg), msg))
        if i == 0:
            stream.append(f"from {head}\n".encode())
        stream.append(b"M 644 inline releases/%s.json\ndata %d\n%s\n" % (env.encode(), len(body), body))
    git(root, "fast-import", "--quiet", stdin=b"".join(stream))
    git(root, "reset", "-q", "--hard", "main")  # the bench's own temp repository: nothing else lives here
    return digests
