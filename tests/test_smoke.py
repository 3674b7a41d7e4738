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
    build_tree(tmp_path,
               {"agentcfg.yaml": "name: x\nmodels:\n  m:\n    provider: openai\n    id: gpt-4o\n    knd: chat\n"})
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code == 1
    assert "agentcfg.yaml:6:5: models/m: unknown key 'knd' (did you mean 'kind'?) [unknown-key]" in r.stdout


def _run_whole_app(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """The app with every command built (what main does only for other argument lists)."""
    from agentcfg.cli.app import _register_commands, app

    _register_commands()
    try:
        app(args=list(args), prog_name="agentcfg")
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_building_only_the_named_command_changes_nothing(cli, capsys, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """main() lets typer build only the command the arguments start with (cli/app.py,
    _only_the_command): its help, usage errors and exit codes are those of the whole app."""
    from agentcfg.cli.app import _command_name, _register_commands, app

    monkeypatch.chdir(tmp_path)
    _register_commands()
    names = [_command_name(c) for c in app.registered_commands]
    assert {"validate", "lock", "diff", "promote", "rollback", "history"} <= set(names)
    for name in names:
        for args in ([name, "--help"], [name, "--no-such-option"]):
            r = cli(*args)
            assert (r.exit_code, r.stdout, r.stderr) == _run_whole_app(capsys, *args), args
    assert len(app.registered_commands) == len(names) and app.registered_groups  # never changed
    r = cli("rollbak", "production")  # a typo still gets the whole app's suggestion
    assert r.exit_code == 2 and "rollback" in r.stderr


def test_the_console_script_defers_full_garbage_collections() -> None:
    """cli/entry.run (the `agentcfg` script) raises the collector's thresholds for its own
    short-lived process; importing agentcfg or calling main() leaves Python's defaults alone."""
    import subprocess
    import sys

    code = ("import gc, sys\nbefore = gc.get_threshold()\nimport agentcfg.cli.entry as e\n"
            "sys.argv = ['agentcfg', '--version']\ntry:\n    e.run()\nexcept SystemExit:\n    pass\n"
            "print(before[2] == gc.get_threshold()[2], e.main(['--version']) == 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "True"
    assert out.split()[-2] == "False"  # run() changed the full-collection threshold
