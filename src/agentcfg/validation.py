"""`validate`: schema, cross-references, prompt variables, graphs, files, secrets, policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.errors import Finding
from agentcfg.lockcheck import LOCK_FILE
from agentcfg.names import MANIFEST_FILE
from agentcfg.project import Project

FORMAT_VERSION = 1


@dataclass
class ValidationReport:
    """Every finding of one run. ``ok`` is False when any finding is an error."""

    environments: list[str | None]
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def from_dict(cls, blob: dict[str, Any]) -> "ValidationReport":
        """The report that :meth:`to_dict` gave (agentcfg.warm.reports keeps reports this way)."""
        return cls(environments=list(blob["environments"]), findings=[Finding(**f) for f in blob["findings"]])

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "ok": self.ok,
            "environments": self.environments,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }


def validate(root: Path | str = ".", *, env: str | None = None) -> ValidationReport:
    """Validate the manifest at ``root``.

    Without ``env``, the base manifest and every environment listed in ``environments:`` (with
    its overlay) are checked, and each distinct finding is reported once. With ``env``, only that
    environment is checked, including its policies.

    When the working tree answers every question of the last run the same, the saved report is
    returned (agentcfg.warm.reports).
    """
    from agentcfg.warm import reports

    saved = reports.fresh_report(root, env)
    if saved is not None:
        try:
            return ValidationReport.from_dict(saved)
        except (KeyError, TypeError, ValueError):
            pass  # a memo from a different shape of report: validate for real
    from agentcfg.warm.answers import AnsweringTree

    project = Project.find(root)
    tree = AnsweringTree(project.worktree())
    refs: list[tuple[str, str, str]] = []
    report = validate_tree(project, env=env, tree=tree, refs=refs)
    if (project.root / MANIFEST_FILE).is_file():
        reports.save(project.root, project.repo_root, env, tree.answers, report.to_dict(), refs=refs)
    return report


def validate_tree(project: Project, *, env: str | None = None, tree: Any = None,
                  refs: list[tuple[str, str, str]] | None = None) -> ValidationReport:
    """Validate the working tree; the local code refs asked about are appended to ``refs`` as
    (repository, ref, commit), with "" as the commit of a ref that names nothing."""
    from agentcfg import checks
    from agentcfg.manifest.loader import load_manifest

    tree = tree or project.worktree()
    cache = project.parse_cache if project.state_dir.parent.is_dir() else None
    base = load_manifest(tree, cache=cache)
    targets: list[str | None] = [env] if env else [None]
    if env is None and base.manifest is not None:
        targets += list(dict.fromkeys(base.manifest.environments))
    report = ValidationReport(environments=targets)
    seen: set[tuple[Any, ...]] = set()
    loads: dict[str | None, Any] = {}
    for target in targets:
        loaded = base if target is None else load_manifest(tree, env=target, cache=cache, base=base)
        loads[target] = loaded
        if target is not None and None in targets and base.manifest is not None:
            # What the overlay leaves alone is the base manifest's, checked a moment ago: the
            # checks of one artefact at a time would only find the same findings again.
            loaded.settled = loaded.unchanged()
        checks.run_all(loaded)
        if loaded.manifest is not None:
            from agentcfg.checks import refs as ref_check

            resolved = ref_check.check(loaded, project)
            if refs is not None:
                refs.extend(r for r in resolved if r not in refs)
        if target is not None and loaded.manifest is not None:
            from agentcfg.policy import check_policies

            check_policies(loaded, target)
        for f in loaded.findings:
            key = (f.code, f.file, f.line, f.col, f.message)
            if key not in seen:
                seen.add(key)
                report.findings.append(_redacted(f))
    if env is None and not report.errors and hasattr(tree, "answers") and (project.root / LOCK_FILE).is_file():
        # Where there is a lock to check, `lock --check` loads, checks and prepares this very
        # manifest next (CI runs it right after): leave it the prepared configs, for as long as
        # the tree answers the same (agentcfg.warm.prepared).
        from agentcfg.lockbuild import remember_prepared

        remember_prepared(project, tree, loads)
    project.save_caches()
    report.findings.sort(key=lambda f: (f.severity != "error", f.file, f.line, f.col, f.code))
    return report


def _redacted(finding: Finding) -> Finding:
    """The finding with secret-looking text hidden: messages quote values and keys ("unknown key
    'sk-…'", "got '…'"), and a report is printed, posted to pull requests and kept in CI logs."""
    from dataclasses import replace

    from agentcfg.secrets import redact_text

    hint = redact_text(finding.hint) if finding.hint else finding.hint
    return replace(finding, message=redact_text(finding.message), hint=hint)
