"""The native path: plain data from yaml-rs (a Rust YAML 1.2 parser), where it reads as ruamel does.

Building Python values from libyaml's events (events.py) costs about 150 µs for a small tool
file, most of it in creating ~100 Python event objects; yaml-rs builds the same values in Rust in a
fraction of that. It is not ruamel, though: it resolves plain scalars by its own rules (``_0`` and
``0X1F`` are numbers to it and text to ruamel, ``.iNf`` is infinity), silently drops unknown
tags, expands aliases, and accepts texts ruamel refuses (a date as a key, ``["a":1]``, a key
broken over lines in ``{...}``, an empty block scalar read as a line break). So a text takes this
path only when nothing in it can be read differently:

* linear scans decline every construct where the two may part: tags, anchors, aliases,
  explicit keys, directives, several documents, tabs and the line breaks libyaml counts
  differently, characters outside YAML's printable set, surrogate escapes, flow collections
  that span lines or hold a quote that does not start a node, and block scalars that are empty,
  more indented at their start than their text, or carry an indentation indicator;
* every token the two may resolve differently (anything starting like a number, ``<<``, ``=``)
  is read by both and must come out the same value of the same type; a token is judged once
  per process. The keywords (``null``, ``true``, ``~``, ...) read alike and are not judged;
* the values yaml-rs builds are walked for what the data-only composer refuses: a key that is
  not a string (or a date), nesting deeper than the limit, more values than the budget.

Everything else (and every text yaml-rs rejects) falls through to the libyaml path, which
accepts or refuses it as before, so errors are worded by the same code on every machine.
Without yaml-rs installed (a platform with no wheel), this path is simply never taken.
tests/test_yamlio_native_path.py holds it to the pure-Python reading.
"""

from __future__ import annotations

import re
from typing import Any

from agentcfg.yamlio import MAX_DEPTH, MAX_NODES

# What this path leaves to the others. Each pattern starts with a character class or is a fixed
# string, so every scan is linear in the text and skips ahead at C speed. "Space" is YAML's: a
# space or a line break (Python's \s also takes U+00A0 and U+3000, which YAML reads as text).
_ODD = re.compile(  # tabs; NEL/LS/PS (libyaml breaks lines there); a BOM; outside YAML's printable set
    "[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    "|\r(?!\n)")  # a line break that is a lone CR
_MARKERS = ("\n---", "\n...", "\n%")  # several documents, document ends, directives
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n\r"
_NODE_PROPERTY = re.compile(r"[!&*?](?<![^ \r\n\[\]{},:].)")  # a tag, anchor, alias or explicit key (`?a` to libyaml) where a node starts
_ODD_COLON = re.compile(
    r":(?<![^ \r\n\[\]{},:].)(?=[^ \r\n])"  # a plain scalar starting with a colon
    r"|:[\[\]{},]")  # a colon against a flow indicator: ruamel reads `[::]` as ["::"], yaml-rs as [{":": None}]
_SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")
# Flow collections: yaml-rs takes keys ruamel refuses when a collection spans lines (`{a\n b: 1}`,
# a quoted key broken over lines) or a quoted key is followed right away by its colon inside a
# sequence (`["a":1]`). So a line must close every collection it opens, once its whole quoted
# scalars (which start and end where a node does) are set aside as text; any other quote after
# the collection's first bracket declines the text.
_QUOTED = re.compile(
    r"""(?<=[ \[{,])(?:"(?:[^"\\\n]|\\.)*+"|'(?:[^'\n]|'')*+')(?=[ ,\]}\r]|:[ \r]|:?$)""")
_FLOW_START = re.compile(r"[\[{](?<![^ \r\[{,:].)")
_COMMENT = re.compile(r" #[^\n]*")
_BRACKET = re.compile(r"[\[\]{}]")
# Block scalars: yaml-rs reads an empty block as "\n" (ruamel: ""), accepts leading blank lines
# more indented than the text (ruamel refuses them), and reads `|` or `>` inside a flow
# collection as text. So each indicator must be a plain header ending its line (flow collections
# end on their line, above), followed by empty lines only, then a more indented line.
_BLOCK_INDICATOR = re.compile(r"[|>](?<![^ \r\n\[\]{},:].)")
_BLOCK_HEADER = re.compile(r"[|>][+-]?(?: +#[^\n]*| *)\r?(?:\n|\Z)")
_BLOCK_START = re.compile(r"(?:\r?\n)*+( *+)([^ \r\n])?")  # possessive: no backtracking over blank lines

# A token the two readers may resolve differently: it starts where a plain scalar can start and
# runs to the next space or flow indicator (a key's ``:`` is dropped). The keywords (`null`,
# `true`, `False`, `~`, ...) are not scanned: both read every one of them alike, and every other
# word beginning with a letter is a string to both (tests/test_yamlio_native_path.py).
_TOKEN = re.compile(
    r"(?=[-+._0-9<=])(?<![^\s\[\]{},:])"
    r"(?:[-+]?[._0-9]|[<=])"  # numbers, even without digits (ruamel takes `-_` for one), `.inf`, `.NaN`
    r"[^\s\[\]{},]*"
)
# Plain decimals both readers take for the same int or float (the bulk of a config's numbers):
# settled without asking either.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,17})?:?")
_AS_VALUE = "value"  # a date: a string to both readers as a value, refused by ruamel as a key

# token -> True (read alike), False, or _AS_VALUE: a fact about the two readers' code, so kept for
# the process, within a bound (a crafted file must not grow it without end).
_agreed: dict[str, bool | str] = {}
_AGREED_MAX = 50_000
_UNSEEN_MAX = 2_000  # tokens judged per text: past this, the other paths are as quick


class _Declined(Exception):
    pass


def available() -> bool:
    try:
        import yaml_rs  # noqa: F401
    except ImportError:
        return False
    return True


def load_data(text: str) -> Any:
    """The data of ``text`` (a mapping or a sequence), or None when this path declines it."""
    if _declined(text):
        return None
    dated = False
    unseen = 0
    for token in _TOKEN.findall(text):
        agreed = _agreed.get(token)
        if agreed is None:
            if _PLAIN_NUMBER.fullmatch(token):
                continue
            unseen += 1
            if unseen > _UNSEEN_MAX:
                return None
            if len(_agreed) >= _AGREED_MAX:
                _agreed.clear()
            agreed = _agreed[token] = _same_reading(token)
        if agreed is _AS_VALUE:
            dated = True
        elif not agreed:
            return None
    import yaml_rs

    try:
        data = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except Exception:  # noqa: BLE001 - its syntax errors, duplicates, alias limits: the other paths word them
        return None
    if type(data) is not dict and type(data) is not list:
        return None  # a bare scalar or an empty document: read differently (see events.compose)
    try:
        _check(data, dated)
    except _Declined:
        return None
    return data


def _declined(text: str) -> bool:
    if not text.endswith("\n") or text.startswith(("...", "%")) or any(m in text for m in _MARKERS):
        return True  # (a last line without its line break ends a block scalar differently)
    if text.isascii():  # the common case, checked at C speed: deleting the printable leaves nothing
        if text.encode("ascii").translate(None, _PRINTABLE_ASCII) or ("\r" in text and _ODD.search(text)):
            return True
    elif _ODD.search(text):
        return True
    if any(c in text for c in "!&*?") and _NODE_PROPERTY.search(text):
        return True
    if _ODD_COLON.search(text) or ("\\" in text and _SURROGATE_ESCAPE.search(text)):
        return True
    if ("[" in text or "{" in text) and _odd_flow(text):
        return True
    return _odd_block(text)


def _odd_flow(text: str) -> bool:
    """Whether a flow collection spans lines or holds a quote it cannot place (see _QUOTED)."""
    for line in text.split("\n"):
        if "[" not in line and "{" not in line:
            continue
        quoted = '"' in line or "'" in line
        if quoted:
            line = _QUOTED.sub("", line)
        start = _FLOW_START.search(line)
        if start is None:
            continue
        rest = line[start.start():]
        if quoted and ('"' in rest or "'" in rest):
            rest = _COMMENT.sub("", rest, count=1)
            if '"' in rest or "'" in rest:
                return True
        depth = 0
        for bracket in _BRACKET.findall(rest):
            depth += 1 if bracket in "[{" else -1
            if depth < 0:
                return True
        if depth:
            return True
    return False


def _odd_block(text: str) -> bool:
    """Whether a block scalar's header, leading lines or emptiness may be read differently."""
    for found in _BLOCK_INDICATOR.finditer(text):
        at = found.start()
        header = _BLOCK_HEADER.match(text, at)
        if header is None:
            return True  # an indentation indicator, text after the indicator
        start = _BLOCK_START.match(text, header.end())
        if start is None or start.group(2) is None:
            return True  # a blank line holding spaces, or the end of the text: no content yet
        line_start = text.rfind("\n", 0, at) + 1
        prefix = text[line_start:at]
        column = len(prefix) - len(prefix.lstrip(" -"))  # where its key (or item) starts, at least
        if len(start.group(1)) <= column:
            return True  # no content: an empty block
    return False


def _check(root: Any, dated: bool) -> None:
    """Refuse (``_Declined``) non-string keys (with ``dated``, date keys too: ruamel refuses
    them), nesting beyond MAX_DEPTH, more than MAX_NODES values."""
    budget = MAX_NODES - 1
    level, depth = [root], 0
    while level:
        inner: list[Any] = []
        add = inner.append
        for node in level:
            budget -= len(node)
            if type(node) is dict:
                for key, value in node.items():
                    if type(key) is not str or (dated and _is_date(key)):
                        raise _Declined
                    if type(value) is dict or type(value) is list:
                        add(value)
            else:
                for value in node:
                    if type(value) is dict or type(value) is list:
                        add(value)
        depth += 1
        if budget < 0 or (inner and depth >= MAX_DEPTH):
            raise _Declined  # the libyaml path refuses it, with a position
        level = inner


def _is_date(text: str) -> bool:
    from agentcfg.yamlio import events

    return events._resolve_plain(text) in events._VERBATIM


def _same_reading(token: str) -> bool | str:
    """Whether yaml-rs and ruamel's YAML 1.2 resolver read the plain scalar ``token`` alike."""
    import yaml_rs

    if token.endswith(":"):
        token = token[:-1]  # "1:" is the key 1
    ours = _ruamel_value(token)
    if ours is _Declined:
        return False
    try:
        theirs = yaml_rs.loads(f"k: {token}\n", parse_datetime=False)
    except Exception:  # noqa: BLE001
        return False
    if type(theirs) is not dict or list(theirs) != ["k"]:
        return False
    value = theirs["k"]
    if type(value) is not type(ours) or value != ours:
        return False
    return _AS_VALUE if _is_date(token) else True


def _ruamel_value(token: str) -> Any:
    """The value the libyaml path builds for the plain scalar ``token`` (``_Declined`` where it
    steps aside)."""
    from agentcfg.yamlio import events

    tag = events._resolve_plain(token)
    if tag == events._STR:
        return token
    try:
        return events.value_of(tag, token)
    except events.Unusual:
        return _Declined  # merge keys, "=", "!", "&", "*", NaN, infinities, numbers with no digits
