"""The drawable model, labels, escaping and merged diff pictures, without any renderer."""

from __future__ import annotations

import re
from typing import Any

from graph_cases import HOSTILE, HOSTILE_NAMES, big_change, big_config, hostile_config
from hypothesis import given
from hypothesis import strategies as st

from agentcfg.graphs.changes import FOCUS_LIMIT, graph_changes, merge
from agentcfg.graphs.dot import to_dot
from agentcfg.graphs.escape import dot_text, ids_for, mermaid_text
from agentcfg.graphs.labels import clean, edge_label, node_lines
from agentcfg.graphs.markdown import PICTURE_BUDGET, graph_pictures
from agentcfg.graphs.mermaid import to_mermaid
from agentcfg.graphs.model import GraphEdge, approval_reasons, graphs_of
from agentcfg.semdiff import diff_configs


def _small(**graph: Any) -> dict[str, Any]:
    base = {"entry": "a", "nodes": {"a": {"agent": "x"}, "b": {"tool": "t"}},
            "edges": [{"from": "a", "to": "b", "when": "go"}, {"from": "b", "to": "END"}]}
    return {"models": {"m": {"provider": "openai", "id": "gpt-4o-2024-08-06"}},
            "agents": {"x": {"model": "m", "prompt": "p", "tools": ["t"]}},
            "tools": {"t": {"annotations": {"readOnlyHint": True}}},
            "orchestration": {"g": {**base, **graph}}}


@given(st.text(max_size=200))
def test_mermaid_text_leaves_nothing_mermaid_or_html_could_read(text: str) -> None:
    out = mermaid_text(text)
    assert not set(out.replace("<br>", "")) & set('"`<>&|[]{}()%\n\r')
    # every `;` closes an entity Mermaid decodes; nothing else is left but plain characters
    assert re.fullmatch(r"(?:[A-Za-z0-9 _.,:=!'/+*?@-]|#\d+;|<br>)*", out), out


@given(st.text(max_size=200))
def test_dot_text_never_ends_a_string_or_forms_an_escape(text: str) -> None:
    out = dot_text(text)
    assert not re.search(r'(?<!\\)(?:\\\\)*"', out)  # every quote escaped
    assert "\n" not in out and "\r" not in out
    assert not re.search(r"(?<!\\)(?:\\\\)*\\[NGETHLlr]", out.replace("\\n", ""))


def test_ids_never_come_from_names() -> None:
    names = HOSTILE_NAMES + ["n1", "n0"]  # "n0" twice: one node, one id
    ids = ids_for(names)
    assert list(ids.values()) == [f"n{i}" for i in range(len(set(names)))]
    assert ids["n1"] != "n1" and ids["n0"] != "n0"


def test_labels_redact_cut_and_flatten() -> None:
    assert clean("a\nb\t\tc\x00d") == "a b c\ufffdd"
    assert clean("x" * 100).endswith("…") and len(clean("x" * 100)) == 60
    secret = "sk-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
    assert secret not in clean(f"key == '{secret}'", 200)
    assert edge_label(GraphEdge("a", "b", "")) == "(blank condition)" and edge_label(GraphEdge("a", "b")) is None


def test_nodes_say_model_side_effects_and_approvers() -> None:
    (graph,) = graphs_of(_small())
    a, b = graph.nodes
    assert node_lines(a) == ["a", "agent: x", "model: gpt-4o-2024-08-06"]
    assert node_lines(b) == ["b", "tool: t", "read-only · open world"]  # MCP's default: open world
    assert graph.ends


def test_approval_reasons_follow_the_tool_and_the_policies() -> None:
    tool = {"approval": "required", "annotations": {"destructiveHint": True, "readOnlyHint": False}}
    policies = {"production": {"require_approval_for": ["destructive", "open_world"]},
                "staging": {"require_approval_for": []}}
    assert approval_reasons(tool, policies, None) == ("required by the tool", "destructive in production",
                                                      "open world in production")
    assert approval_reasons(tool, policies, "staging") == ("required by the tool",)
    assert approval_reasons({"annotations": {"readOnlyHint": True}}, policies, None) == ("open world in production",)
    assert approval_reasons({"annotations": {"readOnlyHint": True, "openWorldHint": False}}, policies, None) == ()


def test_odd_shapes_from_a_release_never_raise() -> None:
    config = {"orchestration": {"g": {"entry": 3, "nodes": {"a": "x", "b": {"human": "yes"}}, "max_steps": True,
                                      "edges": ["x", {"from": "a", "to": "ghost"}, {"from": None, "to": "END"}]},
                                "h": "not a graph"},
              "agents": [], "tools": None}
    graphs = graphs_of(config)
    assert [g.name for g in graphs] == ["g", "h"]
    assert {n.name: n.kind for n in graphs[0].nodes} == {"a": "unknown", "b": "unknown", "ghost": "unknown",
                                                         "": "unknown", "3": "unknown"}
    for graph in graphs:
        to_mermaid(graph)
        to_dot(graph)


def test_a_node_named_end_is_a_node() -> None:
    config = _small(nodes={"a": {"agent": "x"}, "END": {"tool": "t"}}, edges=[{"from": "a", "to": "END"}])
    (graph,) = graphs_of(config)
    assert not graph.ends and "endnode" not in to_mermaid(graph)


def test_merge_marks_every_kind_of_change() -> None:
    (old,) = graphs_of(_small())
    (new,) = graphs_of(_small(entry="b", max_steps=5, nodes={"a": {"agent": "x"}, "b": {"tool": "t"}, "c": {"tool": "t"}},
                              edges=[{"from": "a", "to": "b", "when": "go now"}, {"from": "b", "to": "c"}]))
    picture = merge(old, new)
    assert {n.name: n.status for n in picture.nodes} == {"a": None, "b": None, "c": "added"}
    assert {(e.source, e.target): e.status for e in picture.edges} == {
        ("a", "b"): "changed", ("b", "c"): "added", ("b", "END"): "removed"}
    assert picture.entry_status == "changed"
    assert picture.notes == ("entry: a → b", "max_steps: None → 5")


def test_a_model_change_elsewhere_changes_the_agent_node() -> None:
    old = _small()
    new = _small()
    new["models"]["m"] = {"provider": "openai", "id": "gpt-4o-2024-11-20"}
    (change,) = graph_changes(old, new)
    assert [(n.name, n.status) for n in change.picture.nodes] == [("a", "changed"), ("b", None)]
    assert graph_changes(old, old) == []


def test_a_renamed_graph_is_compared_with_its_old_self() -> None:
    old = _small()
    new = {**old, "orchestration": {"g2": old["orchestration"]["g"]}}
    assert graph_changes(old, new, renamed={"g": "g2"}) == []
    assert [(c.name, c.kind) for c in graph_changes(old, new)] == [("g", "removed"), ("g2", "added")]


def test_a_big_change_is_cut_to_its_neighbourhood() -> None:
    old = big_config(200)
    (change,) = graph_changes(old, big_change(old))
    assert change.total_nodes == 200 and change.shown is not None
    shown = {n.name for n in change.shown.nodes}
    assert {"step100", "step101", "step150"} <= shown  # changed edge's ends and the changed node
    assert {"step149", "step151"} <= shown and len(shown) < FOCUS_LIMIT  # neighbours, nothing else
    assert change.shown.entry == ""  # the entry is not near: no start marker
    names = {n.name for n in change.shown.nodes}
    assert all(e.source in names and e.target in names for e in change.shown.edges)


def test_too_many_changes_are_not_drawn() -> None:
    old = big_config(200)
    new = big_config(200)
    for edge in new["orchestration"]["big"]["edges"]:
        edge["when"] = "x"
    (change,) = graph_changes(old, new)
    assert (change.shown, change.scope) == (None, "none")
    assert "Too many changed nodes to draw" in "\n".join(graph_pictures(diff_configs(old, new)))


def test_spread_out_changes_are_drawn_without_neighbours() -> None:
    old = big_config(200)
    new = big_config(200)
    for i in range(0, 180, 3):
        new["orchestration"]["big"]["nodes"][f"step{i:03d}"] = {"human": {"approvers": ["x"]}}
    (change,) = graph_changes(old, new)
    assert change.scope == "changed" and change.shown is not None
    assert all(n.status for n in change.shown.nodes)
    assert "only the changed ones" in "\n".join(graph_pictures(diff_configs(old, new)))


def test_many_changed_graphs_stay_within_one_comment() -> None:
    graphs = {f"g{i}": big_config(40)["orchestration"]["big"] for i in range(12)}
    new = {**big_config(40), "orchestration": graphs}
    lines = graph_pictures(diff_configs({}, new))
    text = "\n".join(lines)
    assert 0 < text.count("```mermaid") < 12 and "Not drawn: the pictures above fill this comment" in text
    assert len(text) < PICTURE_BUDGET + 5_000


def test_hostile_text_never_reaches_the_source_raw() -> None:
    (graph,) = graphs_of(hostile_config())
    mermaid, dot = to_mermaid(graph), to_dot(graph)
    assert "`" not in mermaid and "<script" not in mermaid and "%%{" not in mermaid
    assert "\x00" not in dot
    assert not re.search(r'(?<!\\)"; DROP', dot)  # the quote stays escaped
    assert not re.search(r"(?<!\\)(?:\\\\)*\\N", dot)  # no escString DOT would expand
    assert all(len(line) < 2000 for line in mermaid.splitlines())
    assert HOSTILE[-1] not in mermaid


def test_secret_looking_literals_are_redacted_before_escaping() -> None:
    from hardening.canaries import CANARIES

    for secret in CANARIES.values():
        config = _small(edges=[{"from": "a", "to": "b", "when": f"token == '{secret}'"}],
                        nodes={"a": {"agent": "x"}, "b": {"human": {"approvers": [secret]}}})
        (graph,) = graphs_of(config)
        for text in (to_mermaid(graph), to_dot(graph)):
            assert secret not in text and mermaid_text(secret) not in text and dot_text(secret) not in text
            assert "redacted" in text
