"""The docs cannot drift from the code: the CLI reference, links, and every command they show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from agentcfg import docgen

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_cli_reference_matches_the_live_help() -> None:
    expected = docgen.cli_reference()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is out of date: run `python -m agentcfg.docgen`"
    assert docgen.main(["--check", "--output", str(DOCS / "cli.md")]) == 0


def test_cli_reference_covers_every_command() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in ("init", "validate", "schema", "lock", "verify", "diff", "render", "promote", "rollback",
                    "unhold", "history", "status", "show", "import", "import tools"):
        assert f"\n### agentcfg {command}\n" in text, command
    assert "--install-completion" in text and "--show-completion" in text


def test_check_mode_reports_drift(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text("# CLI reference\n")
    assert docgen.main(["--check", "--output", str(stale)]) == 1
    assert docgen.main(["--output", str(stale)]) == 0
    assert docgen.main(["--check", "--output", str(stale)]) == 0


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in _LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path = target.split("#", 1)[0]
        if not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{page.name}: broken links {broken}"


def test_index_links_every_page_and_readme_links_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = {t.split("#")[0] for t in _LINK.findall(index)}
    missing = [p.name for p in PAGES if p.name != "index.md" and p.name not in linked]
    assert not missing, f"docs/index.md does not link {missing}"
    assert "(docs/index.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def _shell_blocks(page: Path) -> list[str]:
    tokens = MarkdownIt().parse(page.read_text(encoding="utf-8"))
    blocks = []
    for tok in tokens:
        if tok.type == "fence" and tok.info.strip() in ("", "bash", "sh", "shell", "console", "yaml"):
            blocks.append("\n".join(line.removeprefix("$ ") for line in tok.content.splitlines()))
    return blocks


DOC_PAGES = [p for p in PAGES if p.name != "cli.md"] + [ROOT / "README.md"]


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: p.name)
def test_every_command_shown_in_the_docs_exists(page: Path) -> None:
    problems = []
    count = 0
    for block in _shell_blocks(page):
        for args in docgen.command_lines(block):
            count += 1
            problems += [f"agentcfg {' '.join(args)}: {p}" for p in docgen.command_problems(args)]
    assert not problems, "\n".join(problems)
    if page.name in ("ci.md", "runbook.md"):
        assert count >= 3


@pytest.mark.parametrize("argv,problem", [
    (["lock", "--chek"], "no option --chek"),
    (["nope"], "no command 'nope'"),
    (["import", "tools", "f.json", "--from", "gemini"], "is not one of"),
    (["promote", "a", "b", "c"], "takes at most 2 argument(s)"),
    (["diff", "--format=xml"], "'xml' is not one of"),
    (["validate", "--env"], "--env needs a value"),
])
def test_command_checker_catches_mistakes(argv: list[str], problem: str) -> None:
    assert any(problem in p for p in docgen.command_problems(argv)), docgen.command_problems(argv)


def test_command_lines_are_found_in_shell_scripts() -> None:
    script = ('pip install agentcfg\nagentcfg diff "$BASE" HEAD --format markdown > out.md 2>&1\n'
              'if [ -f x ]; then agentcfg status; fi\n{ echo; agentcfg lock --check; } >> "$S"\n'
              'agentcfg promote HEAD staging \\\n  --reason "merge"  # comment\n')
    assert docgen.command_lines(script) == [["diff", "$BASE", "HEAD", "--format", "markdown"], ["status"],
                                            ["lock", "--check"], ["promote", "HEAD", "staging", "--reason", "merge"]]
