"""The one error type users see, findings, and the exit codes (docs/reference.md).

Every failure a user can cause is an :class:`AgentcfgError` carrying a message written for a
person, the file/line/artefact it concerns and a hint on how to fix it. The CLI maps it to an
exit code in exactly one place (``agentcfg.cli.app``); library callers catch it like any other
exception.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any, Iterable


class ExitCode(IntEnum):
    """Exit codes shared by every command."""

    OK = 0
    FOUND = 1  # the check found something: invalid config, stale lock, drift, refused promotion
    ERROR = 2  # the command could not do its job: usage, missing file, git failure


@dataclass(frozen=True)
class Location:
    """Where something is: a file (relative to the project root when possible), 1-based line/col."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


class AgentcfgError(Exception):
    """An error whose message is meant for the user.

    ``exit_code`` is 2 (could not do the job) unless a subclass says otherwise.
    """

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        artefact: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.artefact = artefact
        self.hint = hint

    def __str__(self) -> str:
        parts = []
        if self.location:
            parts.append(f"{self.location}: ")
        if self.artefact:
            parts.append(f"{self.artefact}: ")
        parts.append(self.message)
        if self.hint:
            parts.append(f"\n  hint: {self.hint}")
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "file": self.location.file if self.location else None,
            "line": self.location.line if self.location else None,
            "col": self.location.col if self.location else None,
            "artefact": self.artefact,
            "hint": self.hint,
            "exit_code": int(self.exit_code),
        }


class CheckFailed(AgentcfgError):
    """The command worked and found a problem (exit 1): stale lock, drift, refused promotion."""

    exit_code = ExitCode.FOUND


class UsageError(AgentcfgError):
    """The user asked for something malformed (exit 2)."""


class GitError(AgentcfgError):
    """git could not do what we asked (exit 2)."""


class BusyError(AgentcfgError):
    """Another agentcfg process holds the repository's writer mutex (exit 2)."""


@dataclass(frozen=True)
class Finding:
    """One problem found by ``validate``: ``file:line:col: artefact: message [code]``."""

    code: str
    message: str
    file: str
    line: int = 0
    col: int = 0
    artefact: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" fails validation; "warning" is reported only

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.col)

    def __str__(self) -> str:
        head = f"{self.location}: "
        if self.artefact:
            head += f"{self.artefact}: "
        text = f"{head}{self.message} [{self.code}]"
        if self.severity == "warning":
            text = f"{head}warning: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Findings:
    """An ordered collection of findings, errors and warnings together."""

    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if f.severity == "warning"]

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: (f.file, f.line, f.col, f.code, f.message))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class InvalidConfig(CheckFailed):
    """Raised by commands that need a valid manifest and found it invalid (exit 1)."""

    def __init__(self, findings: list[Finding]) -> None:
        first = findings[0]
        more = f" (and {len(findings) - 1} more; run `agentcfg validate`)" if len(findings) > 1 else ""
        super().__init__(
            f"{first.message} [{first.code}]{more}",
            location=first.location,
            artefact=first.artefact,
            hint=first.hint,
        )
        self.findings = findings


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
