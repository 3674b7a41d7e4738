"""Read-only JSON values: what a loaded config hands out.

A :class:`~agentcfg.runtime.Config` must not be changed by the code running it (a handler that
edits ``tool.input_schema`` would change what the guard checks), yet its values go straight into
``json.dumps``, ``jsonschema`` and SDK constructors such as ``agents.FunctionTool`` or
``mcp.types.Tool``. ``MappingProxyType`` and tuples fail there (``json.dumps`` refuses a
mappingproxy; ``jsonschema`` does not count a tuple as an array; ``copy.deepcopy`` cannot pickle
a mappingproxy). So mappings are :class:`ReadOnlyDict` and lists :class:`ReadOnlyList`:
subclasses of ``dict`` and ``list`` (every ``isinstance`` check and the C JSON encoder accept
them) whose mutating methods raise ``TypeError``. Copying one (``copy.copy``, ``copy.deepcopy``,
``dict(x)``, pickling) gives plain, mutable ``dict``/``list`` values, which is what SDKs that
normalise a schema in place need.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NoReturn, SupportsIndex

_HOW = "a loaded config is read-only; copy.deepcopy(value) or .to_dict() gives a mutable copy"


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError(_HOW)


class ReadOnlyDict(dict[str, Any]):
    """A ``dict`` that refuses changes; its copies are plain dicts."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (thaw(self),))

    def __repr__(self) -> str:
        return f"ReadOnlyDict({dict.__repr__(self)})"


class ReadOnlyList(list[Any]):
    """A ``list`` that refuses changes; its copies are plain lists."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = remove = clear = sort = reverse = _refuse

    def pop(self, index: SupportsIndex = -1) -> NoReturn:
        _refuse()

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (thaw(self),))

    def __repr__(self) -> str:
        return f"ReadOnlyList({list.__repr__(self)})"

    def __hash__(self) -> int:  # type: ignore[override]
        raise TypeError("unhashable type: 'ReadOnlyList'")


EMPTY: ReadOnlyDict = ReadOnlyDict()


def freeze(value: Any) -> Any:
    """A deep read-only copy: mappings → :class:`ReadOnlyDict`, lists and tuples → :class:`ReadOnlyList`."""
    if isinstance(value, Mapping):
        return ReadOnlyDict({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return ReadOnlyList(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A deep plain, mutable copy (dicts and lists): JSON-ready."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value
