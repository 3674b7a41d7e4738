"""`agentcfg attest TARGET --name NAME --junit|--json FILE [-- COMMAND...]`: bind eval results to a digest.

agentcfg runs no evals itself (they need models and networks); it is the one place that knows
which config an eval ran against. TARGET is an environment (the digest of the release committed
on HEAD) or a root digest found in a release's history or HEAD's lock. With a command, the
command runs first (argv as given, never through a shell) with AGENTCFG_ENV, AGENTCFG_DIGEST and
AGENTCFG_RELEASE in its environment, and its evidence file is recorded even when it fails: a
failing eval is evidence too. The command runs before the writer lock is taken: evals are slow.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg import gitio
from agentcfg.canonical import digest_bytes, pretty_json, short
from agentcfg.errors import AgentcfgError, UsageError
from agentcfg.evidence import store
from agentcfg.evidence.results import MAX_EVIDENCE_BYTES, EvalResults
from agentcfg.evidence.statement import build_statement, created_now
from agentcfg.evidence.targets import DigestTarget, resolve_target
from agentcfg.names import NAME_RE
from agentcfg.project import Project
from agentcfg.promotion import trailers as tr
from agentcfg.secrets import redact_text


@dataclass
class AttestResult:
    """What `attest` recorded (or, with ``recorded`` False, why it recorded nothing)."""

    name: str
    digest: str
    environment: str | None
    source: str | None
    recorded: bool
    verdict: str | None = None
    path: str | None = None  # relative to the manifest folder
    commit: str | None = None
    results: EvalResults | None = None
    command_exit: int | None = None
    problem: str | None = None  # why nothing was recorded

    @property
    def exit_code(self) -> int:
        """The command's exit code when one ran (128 + N when signal N ended it, as shells say);
        else 0 when recorded, 2 when not."""
        if self.command_exit is not None:
            code = 128 - self.command_exit if self.command_exit < 0 else self.command_exit
            return code if (self.recorded or code) else 2
        return 0 if self.recorded else 2

    def to_dict(self) -> dict[str, Any]:
        r = self.results
        return {"format_version": 1, "name": self.name, "digest": self.digest, "environment": self.environment,
                "source": self.source, "recorded": self.recorded, "verdict": self.verdict, "path": self.path,
                "commit": self.commit, "command_exit": self.command_exit, "problem": self.problem,
                "summary": r.summary.to_dict() if r else None, "metrics": r.metrics if r else None,
                "failures": r.failures if r else None}


def attest(target: str, *, name: str, junit: str | Path | None = None, json_file: str | Path | None = None,
           root: Path | str = ".", reason: str | None = None, no_commit: bool = False,
           command: list[str] | None = None, wait: float = 0.0) -> AttestResult:
    """Record eval evidence for ``target`` (an environment or a root digest); see the module docstring.

    ``wait``: seconds to queue behind another agentcfg writer (default: refuse at once)."""
    if not NAME_RE.fullmatch(name or ""):
        raise UsageError(f"'{name}' is not a valid evidence name",
                         hint="names use letters, digits, '_', '.' and '-' (it becomes a folder and a policy key)")
    if (junit is None) == (json_file is None):
        raise UsageError("give exactly one of --junit FILE or --json FILE")
    fmt, evidence = ("junit", Path(junit)) if junit is not None else ("json", Path(str(json_file)))
    project = Project.find(root)
    resolved = resolve_target(project, target)
    result = AttestResult(name, resolved.digest, resolved.environment, resolved.source, recorded=False)
    if command:
        before = _stat(evidence)
        result.command_exit = _run(command, resolved)
        if _stat(evidence) is None or _stat(evidence) == before:
            what = "wrote no" if _stat(evidence) is None else "did not rewrite"
            result.problem = (f"`{_argv0(command)}` exited {result.command_exit} and {what} {evidence}; "
                              "nothing recorded")
            return result
    data = _read_evidence(evidence)  # read once: what is parsed is what is hashed
    result.results = _parse(data, str(evidence), fmt)
    failed_command = result.command_exit not in (None, 0)
    result.verdict = "passed" if result.results.passed and not failed_command else "failed"
    statement, rel = _statement(project, resolved, name, fmt, evidence, data, result, command, reason)
    message = _message(resolved, name, result.verdict, reason)
    with store.writing(project, rel, commit=not no_commit, wait=wait):
        result.commit = store.write(project, rel, statement, message=None if no_commit else message)
    result.recorded, result.path = True, rel
    return result


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _argv0(command: list[str]) -> str:
    return redact_text(command[0])


def _run(command: list[str], resolved: DigestTarget) -> int:
    with _release_file(resolved) as release:
        env = {**os.environ, "AGENTCFG_ENV": resolved.environment or "", "AGENTCFG_DIGEST": resolved.digest,
               "AGENTCFG_RELEASE": str(release) if release else ""}
        try:
            return subprocess.run(command, env=env, check=False).returncode
        except FileNotFoundError:
            raise UsageError(f"cannot run `{_argv0(command)}`: no such program",
                             hint="the command after `--` runs without a shell: give a program on PATH "
                                  "and its arguments, e.g. `-- python -m pytest evals`") from None
        except OSError as exc:
            raise UsageError(f"cannot run `{_argv0(command)}`: {exc.strerror}") from None


@contextmanager
def _release_file(resolved: DigestTarget) -> Iterator[Path | None]:
    """The release file holding the digest: the environment's own file when it holds those
    bytes, else a temporary copy of the one from history (an older digest)."""
    if resolved.release_bytes is None:
        yield None
        return
    if resolved.release_path is not None and _bytes_or_none(resolved.release_path) == resolved.release_bytes:
        yield resolved.release_path
        return
    with tempfile.TemporaryDirectory(prefix="agentcfg-attest-") as folder:
        copy = Path(folder) / f"{resolved.environment or 'release'}.json"
        copy.write_bytes(resolved.release_bytes)
        yield copy


def _bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _read_evidence(evidence: Path) -> bytes:
    origin = str(evidence)
    try:
        size = evidence.stat().st_size
        if size > MAX_EVIDENCE_BYTES:
            raise AgentcfgError(f"{origin} is {size // (1024 * 1024)} MB; evidence files are limited to "
                                f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MB",
                                hint="attest a summary instead (--json, see docs/evidence.md)")
        return evidence.read_bytes()
    except FileNotFoundError:
        raise AgentcfgError(f"evidence file {origin} does not exist",
                            hint="give the file your eval run wrote (pytest: --junit-xml FILE)") from None
    except IsADirectoryError:
        raise AgentcfgError(f"evidence file {origin} is a folder, not a file") from None
    except OSError as exc:
        raise AgentcfgError(f"cannot read evidence file {origin}: {exc.strerror}") from None


def _parse(data: bytes, origin: str, fmt: str) -> EvalResults:
    from agentcfg.evidence.junit import parse_junit
    from agentcfg.evidence.results import parse_results_json

    return parse_junit(data, origin) if fmt == "junit" else parse_results_json(data, origin)


def _statement(project: Project, resolved: DigestTarget, name: str, fmt: str, evidence: Path, raw: bytes,
               result: AttestResult, command: list[str] | None, reason: str | None) -> tuple[bytes, str]:
    assert result.results is not None and result.verdict is not None
    r = result.results
    who = gitio.identity(project.paths.top) or ("", "")
    created = created_now()
    predicate = {
        "name": name, "format": fmt, "verdict": result.verdict, "summary": r.summary.to_dict(),
        "metrics": r.metrics, "suites": r.suites, "failures": r.failures,
        "evidence": {"path": _shown_path(project, evidence), "sha256": digest_bytes(raw)[7:], "size": len(raw)},
        "created": created, "attester": {"name": who[0], "email": who[1]},
        "reason": redact_text(reason.strip()) if reason and reason.strip() else None,
        "environment": resolved.environment, "source": resolved.source,
        "command": ({"argv": [redact_text(a) for a in command], "exit_code": result.command_exit}
                    if command else None),
    }
    statement = build_statement(digest=resolved.digest, env_label=resolved.environment or "agentcfg",
                                predicate=predicate)
    data = pretty_json(statement).encode("utf-8")
    return data, f"{store.folder_of(resolved.digest, name)}/{store.file_name(created, data)}"


def _shown_path(project: Project, evidence: Path) -> str:
    """The evidence file relative to the manifest folder, or its bare name when it lies outside."""
    full = evidence.resolve()
    try:
        return full.relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return full.name


def _message(resolved: DigestTarget, name: str, verdict: str, reason: str | None) -> str:
    subject = f"agentcfg: attest {name} on {short(resolved.digest)} ({verdict})"
    trailers = {tr.ENV: resolved.environment or "", tr.ACTION: "attest", tr.DIGEST: resolved.digest,
                tr.ATTESTATION: name, tr.VERDICT: verdict, tr.SOURCE: resolved.source or "",
                tr.REASON: redact_text(reason) if reason else ""}
    lines = [f"{key}: {tr.one_line(value)}" for key, value in trailers.items() if value]
    return f"{subject}\n\n" + "\n".join(lines) + "\n"

