"""Type-checking a loaded manifest, artefact by artefact, into findings that say where.

One bad entry never hides the others' findings: each artefact is validated on its own, the valid
ones make up the manifest model, and pydantic's errors are reworded (unknown keys with "did you
mean", numbers YAML read where a string was meant, with the text to quote).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

from pydantic import BaseModel, ValidationError

from agentcfg.errors import did_you_mean
from agentcfg.manifest.model import SECTION_MODELS, Manifest
from agentcfg.names import NAME_RE, SECTIONS, artefact_id

if TYPE_CHECKING:
    from agentcfg.manifest.loader import FromBase, Loaded


SameModel = Callable[[str, Any], Any]
"""(artefact id, loaded entry) -> the model an earlier load of this run made of the very same
entry, or None. Type-checking is a function of the entry alone, so that model is this one's."""


def typecheck(loaded: Loaded, raw: dict[str, Any], shared: FromBase | None = None,
              same_model: SameModel | None = None) -> Manifest:
    """Validate artefact by artefact so one bad entry never hides the others' findings."""
    top: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in Manifest.model_fields:
            loaded.finding("unknown-key", f"unknown key '{key}'{did_you_mean(key, Manifest.model_fields)}", (key,),
                           hint="see `agentcfg schema` for the manifest's keys")
            continue
        if key in SECTIONS or key == "policies":
            if value is None:
                continue
            if not isinstance(value, dict):
                loaded.finding("type", f"'{key}' must be a mapping of name: definition", (key,))
                continue
            top[key] = _typecheck_section(loaded, key, value, shared, same_model)
        else:
            top[key] = value
    scalars = {k: v for k, v in top.items() if k not in SECTIONS and k != "policies"}
    try:
        head = Manifest.model_validate({**scalars})
    except ValidationError as exc:
        _report(loaded, exc, (), None, Manifest)
        # Keep what is usable of the head so the sections' checks still run (all findings in one run).
        description = scalars.get("description")
        head = Manifest.model_construct(name=str(raw.get("name", "")),
                                        description=description if isinstance(description, str) else None)
        if isinstance(raw.get("environments"), list):
            envs = [e for e in raw["environments"] if isinstance(e, str)]
            head = head.model_copy(update={"environments": envs})
    sections = {k: v for k, v in top.items() if k in SECTIONS or k == "policies"}
    return head.model_copy(update=sections)


def _typecheck_section(loaded: Loaded, section: str, entries: dict[str, Any],
                       shared: FromBase | None = None, same_model: SameModel | None = None) -> dict[str, Any]:
    from agentcfg.artefacts.policies import Policy

    model = SECTION_MODELS.get(section, Policy)
    valid: dict[str, Any] = {}
    for name, entry in entries.items():
        if shared is not None:
            hit, checked = shared.model(section, name)
            if hit:  # its findings, if any, came with the base's (see FromBase.of)
                if checked is not None:
                    valid[name] = checked
                continue
        aid = artefact_id(section, name)
        if not NAME_RE.match(name):
            loaded.finding("invalid-name", f"'{name}' is not a valid name", (section, name), artefact=aid,
                           hint="names start with a letter or digit and use only letters, digits, '_', '-', '.'")
            continue
        if aid in loaded.broken:
            continue
        if not isinstance(entry, dict):
            loaded.finding("type", f"the definition must be a mapping, not {_kind(entry)}", (section, name),
                           artefact=aid)
            continue
        earlier = same_model(aid, entry) if same_model is not None else None
        if earlier is not None:
            valid[name] = earlier
            continue
        try:
            valid[name] = model.model_validate(entry)
        except ValidationError as exc:
            _report(loaded, exc, (section, name), aid, model)
    return valid


def _report(loaded: Loaded, exc: ValidationError, prefix: tuple[Any, ...], aid: str | None,
            model: type[BaseModel]) -> None:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = prefix + loc
        kind = err["type"]
        value = err.get("input")
        field_name = ".".join(str(p) for p in loc) or (prefix[-1] if prefix else "manifest")
        if kind == "extra_forbidden":
            key = str(loc[-1])
            known = _fields_at(model, loc[:-1])
            loaded.finding("unknown-key", f"unknown key '{key}'{did_you_mean(key, known)}", path, artefact=aid,
                           hint=f"allowed keys: {', '.join(sorted(known))}" if known else None)
        elif kind == "missing":
            loaded.finding("missing-key", f"missing required key '{field_name}'", path[:-1], artefact=aid)
        elif kind in ("string_type",) and isinstance(value, (int, float, bool)):
            text = loaded.sources.raw_text(path) or str(value)
            what = "a boolean" if isinstance(value, bool) else "a number"
            loaded.finding("not-a-string", f"'{field_name}' must be a string; YAML read `{text}` as {what}"
                           f" ({value!r})", path, artefact=aid, hint=f"quote it: \"{text}\"")
        elif kind == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
            loaded.finding("invalid-value", msg, path, artefact=aid)
        else:
            shown = _kind(value) if isinstance(value, (dict, list)) else repr(value)
            loaded.finding("type", f"'{field_name}': {err['msg'].lower()} (got {shown})", path, artefact=aid)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string",
            type(None): "null"}.get(type(value), type(value).__name__)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at ``loc`` inside ``model`` (for "did you mean")."""
    current: Any = model
    for part in loc:
        current = _strip_optional(current)
        origin = typing.get_origin(current)
        if origin is dict:
            current = typing.get_args(current)[1]  # `part` is a key: step into the value type
        elif origin is list:
            current = typing.get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part)) or next(
                (f for f in current.model_fields.values() if f.alias == part), None)
            if info is None:
                return []
            current = info.annotation
        else:
            return []
    current = _strip_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp
