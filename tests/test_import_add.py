"""`import tools --add`: the imported tools go into agentcfg.yaml's `tools:` with every comment
and the file's layout kept, 3,000 at a time; a name already there refuses the whole import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import EXAMPLE, commit_all, git

N = 3000


def _mcp_tools(n: int) -> dict[str, Any]:
    """An MCP tools/list result of read-only tools (so production's approval policy is met)."""
    return {"tools": [{"name": f"ext_{i:04d}", "description": f"External lookup number {i}.",
                       "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
                       "annotations": {"readOnlyHint": True, "openWorldHint": False}} for i in range(n)]}


def _openai_tools(n: int, prefix: str = "ext") -> list[dict[str, Any]]:
    return [{"type": "function", "function": {
        "name": f"{prefix}_{i:04d}", "description": f"External tool number {i}.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"],
                       "additionalProperties": False}}} for i in range(n)]


def test_three_thousand_tools_keep_every_comment(example_repo: Path, cli: Any) -> None:
    manifest = example_repo / "agentcfg.yaml"
    before = manifest.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if "#" in line]
    assert len(comments) > 10
    (example_repo / "many.json").write_text(json.dumps(_mcp_tools(N)))
    r = cli("import", "tools", "many.json", "--from", "mcp", "--into", "tools/ext", "--add")
    assert r.exit_code == 0, r
    assert f"added {N} tools to agentcfg.yaml" in r.output
    after = manifest.read_text(encoding="utf-8")
    # every line of the file is still there, in order, byte for byte; only the entries were added
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(added) == N and all(line.startswith("  ext_") for line in added)
    kept = [line for line in after.splitlines() if line in set(before.splitlines())]
    assert kept == before.splitlines()
    assert [line for line in after.splitlines() if "#" in line] == comments
    assert "  ext_0000: {file: tools/ext/ext_0000.yaml}" in after.splitlines()
    # the entries sit inside `tools:`, before the comment that introduces the next section
    lines = after.splitlines()
    last = lines.index(f"  ext_{N - 1:04d}: {{file: tools/ext/ext_{N - 1:04d}.yaml}}")
    assert lines[last + 1] == "" and lines[last + 2].startswith("#")

    r = cli("validate", "--format", "json")
    assert r.exit_code == 0, r.stdout[-2000:]
    assert cli("lock").exit_code == 0
    lock = json.loads((example_repo / "agentcfg.lock").read_text())
    assert sum(1 for aid in lock["artefacts"] if aid.startswith("tools/ext_")) == N
    commit_all(example_repo, "3,000 tools")
    assert "tools/ext_2999" in cli("diff", "HEAD~1", "HEAD", "--stat").output


def test_a_name_already_declared_refuses_and_writes_nothing(example_repo: Path, cli: Any) -> None:
    tools = _openai_tools(2) + [{"type": "function", "function": {"name": "send_email", "parameters": {
        "type": "object", "properties": {}}}}]
    (example_repo / "clash.json").write_text(json.dumps(tools))
    before = (example_repo / "agentcfg.yaml").read_bytes()
    r = cli("import", "tools", "clash.json", "--from", "openai", "--into", "tools/ext", "--add")
    assert r.exit_code == 2
    assert "already in `tools` of agentcfg.yaml: send_email" in r.stderr and "nothing was written" in r.stderr
    assert (example_repo / "agentcfg.yaml").read_bytes() == before
    assert not (example_repo / "tools" / "ext").exists()
    assert git(example_repo, "status", "--porcelain") == "?? clash.json\n"


def test_without_add_the_manifest_is_untouched(example_repo: Path, cli: Any) -> None:
    (example_repo / "few.json").write_text(json.dumps(_openai_tools(2)))
    before = (example_repo / "agentcfg.yaml").read_bytes()
    r = cli("import", "tools", "few.json", "--from", "openai", "--into", "tools/ext")
    assert r.exit_code == 0 and "import with --add" in r.output
    assert (example_repo / "agentcfg.yaml").read_bytes() == before


def test_a_manifest_without_tools_gets_the_section(in_git_dir: Path, cli: Any) -> None:
    (in_git_dir / "agentcfg.yaml").write_text("# my agents\nname: small   # keep me\n")
    (in_git_dir / "few.json").write_text(json.dumps(_openai_tools(2)))
    assert cli("import", "tools", "few.json", "--from", "openai", "--add").exit_code == 0
    assert (in_git_dir / "agentcfg.yaml").read_text() == (
        "# my agents\nname: small   # keep me\n\ntools:\n"
        "  ext_0000: {file: tools/ext_0000.yaml}\n  ext_0001: {file: tools/ext_0001.yaml}\n")
    assert cli("validate").exit_code == 0


assert EXAMPLE.is_dir()
