"""Checking values against a tool's JSON Schemas at run time, without fetching anything.

``validate`` already refuses a ``$ref`` that leaves the schema; a release is checked again here
because it is the file the runtime trusts, and the validator's registry refuses to retrieve
any URI as a second line (a remote ``$ref`` never becomes a network or disk read in an agent).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentcfg.runtime.tool_errors import Violation
from agentcfg.runtime.values import thaw


class RemoteRef(ValueError):
    """A schema that refers outside itself."""


def _refuse_retrieval(uri: str) -> Any:
    raise RemoteRef(f"$ref '{uri}' points outside the schema; agentcfg never retrieves schemas")


def _refs(schema: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    stack = [(schema, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(value, str):
                    yield where, value
                else:
                    stack.append((value, f"{where}/{key}"))
        elif isinstance(node, list):
            stack.extend((value, f"{where}/{i}") for i, value in enumerate(node))


class SchemaGuard:
    """A compiled validator for one schema (Draft 2020-12 unless the schema says otherwise)."""

    def __init__(self, schema: Any) -> None:
        from jsonschema.validators import validator_for
        from referencing import Registry

        plain = thaw(schema)
        for where, ref in _refs(plain):
            if not ref.startswith("#"):
                raise RemoteRef(f"{where}: $ref '{ref}' points outside the schema (remote and file references "
                                "are refused)")
        from jsonschema import Draft202012Validator

        cls = validator_for(plain, default=Draft202012Validator)
        self._validator = cls(plain, registry=Registry(retrieve=_refuse_retrieval))  # type: ignore[call-arg]

    def violations(self, value: Any) -> list[Violation]:
        """Each way ``value`` breaks the schema, sorted by JSON path; [] when it is valid."""
        found = {(err.json_path, err.message) for err in self._validator.iter_errors(value)}
        return [Violation(path, reason) for path, reason in sorted(found)]
