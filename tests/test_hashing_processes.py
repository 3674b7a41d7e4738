"""Large cold data sets are hashed in worker processes (hashing._hash_in_processes): the digest,
the stat cache and the refusals are the same as on the thread path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentcfg import hashing
from agentcfg.errors import AgentcfgError
from agentcfg.warm.digests import StatCache


def _data(root: Path, n: int = 24) -> Path:
    folder = root / "data"
    for i in range(n):
        sub = folder / f"part{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:03}.bin").write_bytes(os.urandom(2048 + i))
    return folder


def test_processes_and_threads_give_the_same_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _data(tmp_path)
    threads = hashing.hash_data(folder, boundary=tmp_path, artefact="data/x")
    monkeypatch.setattr(hashing, "PROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(hashing, "_processes_allowed", lambda: True)
    cache = StatCache(None)
    processes = hashing.hash_data(folder, boundary=tmp_path, artefact="data/x", cache=cache)
    assert (processes.digest, processes.size, processes.files) == (threads.digest, threads.size, threads.files)
    assert len(cache._load()) == 24  # every file's digest was stored from the workers' results


def test_a_file_that_vanishes_is_reported_from_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _data(tmp_path)
    monkeypatch.setattr(hashing, "PROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(hashing, "_processes_allowed", lambda: True)
    real_walk = hashing._walk

    def walk_then_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
        files = list(real_walk(*args, **kwargs))
        Path(files[5].real).unlink()
        yield from files

    monkeypatch.setattr(hashing, "_walk", walk_then_delete)
    with pytest.raises(AgentcfgError) as err:
        hashing.hash_data(folder, boundary=tmp_path, artefact="data/x")
    assert "vanished" in err.value.message and err.value.artefact == "data/x"


def test_library_callers_hash_with_threads() -> None:
    # Under pytest (or any other program) __main__ is not agentcfg's: a spawned worker would
    # re-import it, so worker processes are reserved for the agentcfg command line.
    assert hashing._processes_allowed() is False


def test_the_command_line_hashes_large_data_in_processes(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "agentcfg"
    script.write_text("from agentcfg import hashing\nif __name__ == '__main__':\n"
                      "    print(hashing._processes_allowed())\n")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    assert r.stdout.strip() == "True"  # a console script named agentcfg
