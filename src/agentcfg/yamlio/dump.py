"""Block-style YAML for files agentcfg writes for people (imported tools, rendered output)."""

from __future__ import annotations

import json
import re
from typing import Any


def dump_yaml(value: Any) -> str:
    """Block-style YAML for files agentcfg writes for people (imported tools, rendered output)."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 100
    yaml.allow_unicode = True
    plain = json.loads(json.dumps(value))
    if _needs_escapes(plain):
        # Text with control characters or U+0085/U+2028/U+2029 must be written double-quoted with
        # escapes to read back the same. ruamel writes those breaks raw when allow_unicode is on
        # (a reader folds them into spaces) and can fold a long double-quoted line at a point
        # where the reader then adds a space, so: escape everything, never wrap.
        yaml.allow_unicode = False
        yaml.width = 1 << 30
    buf = io.StringIO()
    yaml.dump(plain, buf)
    return buf.getvalue()


_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _needs_escapes(value: Any) -> bool:
    if isinstance(value, str):
        return _NEEDS_ESCAPE.search(value) is not None
    if isinstance(value, dict):
        return any(_needs_escapes(k) or _needs_escapes(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_needs_escapes(v) for v in value)
    return False
