"""`lock` reuses its manifest work while the tree answers the same (agentcfg.warm.prepared): the lock is
byte-identical either way, data changes are still locked, and any change to what the loader read
(even a same-size edit with the old mtime, or a symlink swapped in) is noticed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from test_lock_memo import _age_everything

from agentcfg.manifest import loader

MEMO = Path(".agentcfg/cache/manifest")
LOCK_INPUTS = Path(".agentcfg/cache/lock-inputs.json")


@pytest.fixture
def project(example_repo: Path, cli: Callable[..., Any]) -> Path:
    """The example, locked, with files old enough for their stat signatures to be trusted."""
    root = example_repo
    _age_everything(root)
    assert cli("lock").exit_code == 0
    assert (root / MEMO / "@base.json").is_file()
    return root


def _cold_lock_memo(root: Path) -> None:
    (root / LOCK_INPUTS).unlink(missing_ok=True)  # the all-or-nothing warm path must not answer


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise AssertionError("the manifest was loaded although the tree answers the same")

    monkeypatch.setattr(loader, "load_manifest", boom)


def test_data_change_is_locked_without_loading_the_manifest(project: Path, cli: Callable[..., Any],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    before = (project / "agentcfg.lock").read_bytes()
    faq = next(p for p in (project / "data").rglob("*") if p.is_file())
    faq.write_text(faq.read_text() + "\nQ: a new question?\nA: a new answer.\n")
    _cold_lock_memo(project)
    with monkeypatch.context() as m:
        _forbid_loading(m)
        r = cli("lock")
    assert r.exit_code == 0, r
    with_memo = (project / "agentcfg.lock").read_bytes()
    assert with_memo != before
    shutil.rmtree(project / MEMO)
    _cold_lock_memo(project)
    assert cli("lock").exit_code == 0
    assert (project / "agentcfg.lock").read_bytes() == with_memo  # the memo changes nothing


def test_unchanged_files_are_not_even_read(project: Path, cli: Callable[..., Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from agentcfg import trees

    _cold_lock_memo(project)
    read: list[str] = []
    real = trees.read_regular_file
    monkeypatch.setattr(trees, "read_regular_file", lambda path, *a, **k: (read.append(str(path)), real(path, *a, **k))[1])
    with monkeypatch.context() as m:
        _forbid_loading(m)
        assert cli("lock", "--check").exit_code == 0
    # every file the manifest read was vouched for by its stamp; only build_lock's own question
    # (does each environment have an overlay?) reads the overlays
    assert read and all("/environments/" in path for path in read), read


def test_same_size_edit_with_the_old_mtime_is_noticed(project: Path, cli: Callable[..., Any]) -> None:
    prompt = project / "prompts" / "triage.md"
    st = prompt.stat()
    text = prompt.read_text()
    swapped = text.replace("a", "e", 1)
    assert len(swapped) == len(text) and swapped != text
    prompt.write_text(swapped)
    os.utime(prompt, ns=(st.st_atime_ns, st.st_mtime_ns))
    _cold_lock_memo(project)
    r = cli("lock", "--check")
    assert r.exit_code == 1 and "prompts/triage" in r.output


def test_a_symlink_out_of_the_repository_is_noticed(project: Path, cli: Callable[..., Any], tmp_path: Path) -> None:
    prompt = project / "prompts" / "triage.md"
    outside = tmp_path / "outside.md"
    outside.write_bytes(prompt.read_bytes())  # same bytes: only the path's resolution changed
    prompt.unlink()
    prompt.symlink_to(outside)
    _cold_lock_memo(project)
    r = cli("lock", "--check")
    assert r.exit_code == 1 and "outside the repository" in r.output


def test_an_invalid_manifest_is_never_remembered(project: Path, cli: Callable[..., Any]) -> None:
    shutil.rmtree(project / MEMO)
    manifest = project / "agentcfg.yaml"
    manifest.write_text(manifest.read_text() + "\nbogus_top_level_key: 1\n")
    assert cli("lock").exit_code == 1
    assert not (project / MEMO / "@base.json").exists()
