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


def _check_reading(project: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file `lock --check` reads (the manifest may not be loaded: the memo must answer)."""
    from agentcfg import trees

    _cold_lock_memo(project)
    read: list[str] = []
    real = trees.read_regular_file
    monkeypatch.setattr(trees, "read_regular_file", lambda path, *a, **k: (read.append(str(path)), real(path, *a, **k))[1])
    with monkeypatch.context() as m:
        _forbid_loading(m)
        assert cli("lock", "--check").exit_code == 0
    return read


def test_unchanged_files_are_not_even_read(project: Path, cli: Callable[..., Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    read = _check_reading(project, cli, monkeypatch)
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


def _head(path: Path) -> tuple[dict[str, Any], list[str]]:
    import json

    head, *texts = path.read_text().split("\n")
    return json.loads(head), texts


def test_an_environment_memo_holds_only_what_its_overlay_changed(project: Path) -> None:
    """The sections an overlay leaves alone, and the base's answers, are stored once: in the
    base's memo, which the environment's memo names by its id."""
    base, base_texts = _head(project / MEMO / "@base.json")
    env, env_texts = _head(project / MEMO / "production.json")
    assert env["base"] == base["id"] and base["base"] is None
    assert env["prepared"]["static_from_base"], "the overlay changed every section?"
    assert len(env_texts) < len(base_texts)
    assert not env["answers"]["reads"] or len(env["answers"]["reads"]) < len(base["answers"]["reads"])
    assert (project / MEMO / "production.json").stat().st_size < (project / MEMO / "@base.json").stat().st_size / 2


def _spy_loads(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    loaded: list[str | None] = []
    real = loader.load_manifest

    def spy(*a: Any, **k: Any) -> Any:
        loaded.append(k.get("env"))
        return real(*a, **k)

    monkeypatch.setattr(loader, "load_manifest", spy)
    return loaded


def test_an_environment_memo_made_with_another_base_memo_is_not_used(project: Path, cli: Callable[..., Any],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    cold = (project / "agentcfg.lock").read_bytes()
    path = project / MEMO / "@base.json"
    head, texts = _head(path)
    head["id"] = "0" * 24  # as if the base memo had been replaced since the environment's was made
    path.write_text("\n".join([json.dumps(head), *texts]))
    _cold_lock_memo(project)
    with monkeypatch.context() as m:
        loaded = _spy_loads(m)
        assert cli("lock", "--check").exit_code == 0
    assert sorted(loaded) == ["production", "staging"]  # the base memo still holds; the environments render again
    assert (project / "agentcfg.lock").read_bytes() == cold


@pytest.mark.parametrize("damage", ["drop a section", "swap sections", "bad head"])
def test_a_damaged_memo_is_rendered_again(project: Path, cli: Callable[..., Any], damage: str) -> None:
    cold = (project / "agentcfg.lock").read_bytes()
    path = project / MEMO / "@base.json"
    head_line, *texts = path.read_text().split("\n")
    if damage == "drop a section":
        texts = texts[:-1]
    elif damage == "swap sections":
        texts = [texts[1], texts[0], *texts[2:]]
    else:
        head_line = head_line[:-10]
    path.write_text("\n".join([head_line, *texts]))
    _cold_lock_memo(project)
    r = cli("lock", "--check")
    assert r.exit_code == 0, r.output  # the memo is not used: lock renders again, and agrees
    shutil.rmtree(project / MEMO)
    _cold_lock_memo(project)
    assert cli("lock").exit_code == 0
    assert (project / "agentcfg.lock").read_bytes() == cold


def test_a_file_both_memos_read_is_read_once(project: Path, cli: Callable[..., Any],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Files too fresh to be vouched for by their stamps are read again to be compared: once per
    `lock`, not once for the base's memo and again for each environment's."""
    for p in [*(project / "prompts").rglob("*"), *(project / "tools").rglob("*")]:
        os.utime(p)  # now: inside the racy window again
    assert cli("validate").exit_code == 0  # records the answers anew, with fresh stamps
    read = _check_reading(project, cli, monkeypatch)
    fresh = [p for p in read if "/prompts/" in p or "/tools/" in p]
    assert fresh and len(fresh) == len(set(fresh)), sorted(fresh)
