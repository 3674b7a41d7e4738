from __future__ import annotations

from pathlib import Path

from conftest import build_tree


def test_version_and_help(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout.startswith("agentcfg ")
    r = cli("--help")
    assert r.exit_code == 0 and "GitOps" in r.stdout


def test_init_then_validate(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert cli("init", "proj").exit_code == 0
    monkeypatch.chdir(tmp_path / "proj")
    r = cli("validate")
    assert r.exit_code == 0, r
    # init never overwrites
    (tmp_path / "proj" / "agentcfg.yaml").write_text("name: mine\n")
    r = cli("init", ".")
    assert (tmp_path / "proj" / "agentcfg.yaml").read_text() == "name: mine\n"
    assert "kept" in r.stderr


def test_missing_manifest_is_exit_2(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code == 2
    assert "no agentcfg.yaml" in r.stderr


def test_findings_point_at_file_and_line(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    build_tree(tmp_path, {"agentcfg.yaml": "name: x\nmodels:\n  m:\n    provider: openai\n    id: gpt-4o\n    knd: chat\n"})
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code == 1
    assert "agentcfg.yaml:6:5: models/m: unknown key 'knd' (did you mean 'kind'?) [unknown-key]" in r.stdout
