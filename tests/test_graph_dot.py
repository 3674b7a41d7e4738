"""DOT output through Graphviz itself (`dot -Tsvg`): it parses, draws every node and edge, and a
hostile label stays text. Skipped (with the reason) where Graphviz is not installed; CI installs
it (`.ci/run`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from graph_cases import (
    EXPECTED_TEXTS,
    HOSTILE,
    big_change,
    big_config,
    demo_pull_request,
    example_config,
    hostile_config,
    hostile_manifest_repo,
    restructured,
)

from agentcfg.graphs.changes import graph_changes
from agentcfg.graphs.dot import to_dot
from agentcfg.graphs.model import Graph, graphs_of

DOT = shutil.which("dot")
pytestmark = pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed (apt install graphviz)")
SVG = "{http://www.w3.org/2000/svg}"


def svg_of(source: str) -> ET.Element:
    assert DOT is not None
    done = subprocess.run([DOT, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert not done.stderr.strip(), done.stderr.decode("utf-8", "replace")  # no warning either
    return ET.fromstring(done.stdout)


def texts(svg: ET.Element) -> str:
    return "\n".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))


def drawn(svg: ET.Element, kind: str) -> int:
    return sum(1 for g in svg.iter(f"{SVG}g") if g.get("class") == kind)


def check(graph: Graph) -> ET.Element:
    svg = svg_of(to_dot(graph))
    markers = (graph.entry in {n.name for n in graph.nodes}) + graph.ends  # start, END
    assert drawn(svg, "node") == len(graph.nodes) + markers
    assert drawn(svg, "edge") == len(graph.edges) + (graph.entry in {n.name for n in graph.nodes})
    assert not [el for el in svg.iter() if el.tag in (f"{SVG}script", f"{SVG}foreignObject")]
    assert not [el for el in svg.iter() if any(k.lower().startswith("on") for k in el.attrib)]
    return svg


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return example_config(tmp_path_factory.mktemp("dot"))


def test_the_example_draws_with_models_hints_approvers_and_conditions(example: dict[str, Any]) -> None:
    (graph,) = graphs_of(example, "production")
    text = texts(check(graph))
    for expected in ("support_flow (max_steps 25)", "model: gpt-4o-2024-08-06", "approvers: support-leads",
                     "writes · destructive · open world", "route == 'refund'", "start", "END",
                     "needs approval: required by the tool, destructive in production"):
        assert expected in text


def test_a_graph_of_200_nodes_draws_whole() -> None:
    (graph,) = graphs_of(big_config(200))
    assert len(graph.nodes) == 200
    check(graph)


def test_hostile_labels_parse_and_stay_text() -> None:
    (graph,) = graphs_of(hostile_config())
    text = texts(check(graph))
    for expected in EXPECTED_TEXTS:
        assert expected in text, expected
    assert "\\N \\G \\E" in text  # escStrings never expanded into the node's or graph's name
    assert HOSTILE[-1] not in text and "x" * 59 + "…" in text  # long text is cut


def test_hostile_text_written_in_the_manifest_stays_text(tmp_path: Path, cli: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(hostile_manifest_repo(tmp_path))
    r = cli("graph", "production", "--format", "dot")
    assert r.exit_code == 0, r
    text = texts(check(graphs_of_output(cli)))
    for expected in ('answer "FAQ" <b>#1</b>; [x]', "<script>alert(1)</script>", "`code`",
                     '<img src=x onerror="alert(2)">'):
        assert expected in text, expected
    assert text == texts(svg_of(r.stdout))


def graphs_of_output(cli: Any) -> Graph:
    """The graph `agentcfg graph --format json` reports, as the model the writers draw."""
    import agentcfg

    (graph,) = agentcfg.graph("production", root=".").graphs
    assert json.loads(cli("graph", "production", "--format", "json").stdout)["graphs"][0] == graph.to_dict()
    return graph


@pytest.mark.parametrize(("edit", "marks"), [(demo_pull_request, ["(changed)"]),
                                              (restructured, ["(added)", "(removed)"])])
def test_diff_pictures_parse(example: dict[str, Any], edit: Any, marks: list[str]) -> None:
    (change,) = graph_changes(example, edit(example), "production")
    text = texts(check(change.picture))
    for mark in marks:
        assert mark in text


def test_a_removed_and_an_added_graph_parse(example: dict[str, Any]) -> None:
    changes = graph_changes(example, big_config(30))
    assert [(c.name, c.kind) for c in changes] == [("big", "added"), ("support_flow", "removed")]
    for change in changes:
        assert f"({change.kind})" in texts(check(change.picture))


def test_a_cut_of_a_big_changed_graph_parses() -> None:
    old = big_config(200)
    (change,) = graph_changes(old, big_change(old))
    assert change.shown is not None and len(change.shown.nodes) < 40
    check(change.shown)


def test_several_graphs_are_several_digraphs(tmp_path: Path) -> None:
    config = {**big_config(12), "orchestration": {**big_config(12)["orchestration"],
                                                  **hostile_config()["orchestration"]}}
    text = "\n".join(to_dot(g) for g in graphs_of(config))
    source = tmp_path / "two.dot"
    source.write_text(text, encoding="utf-8")
    assert DOT is not None
    done = subprocess.run([DOT, "-Tsvg", "-O", str(source)], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("two.dot*.svg")) == ["two.dot.2.svg", "two.dot.svg"]
