"""`agentcfg.load`: verified, read-only, env-resolved configs, and prompt rendering."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree, init_repo

import agentcfg
from agentcfg.canonical import digest_bytes
from agentcfg.errors import AgentcfgError, CheckFailed
from agentcfg.manifest.loader import load_manifest
from agentcfg.release import ReleaseFile
from agentcfg.rendering import Rendered, render_loaded
from agentcfg.runtime import Config, TemplateError, UnknownArtefact, load
from agentcfg.trees import WorkTree

MANIFEST = """\
name: shop
environments: [staging, production]
code:
  app: {repo: ., ref: main}
data:
  faq: {path: data/faq.md, role: corpus}
models:
  chat:
    provider: openai
    id: gpt-4o-2024-08-06
    parameters: {temperature: 0.2, api_key: "${env:OPENAI_API_KEY}"}
    fallbacks: [backup]
  backup: {provider: anthropic, id: claude-3-5-sonnet-20241022}
  embed: {provider: openai, id: text-embedding-3-small, kind: embedding, dims: 1536}
prompts:
  triage:
    template: |
      You help {{customer}} (<VIP> & "friends").
      {{#orders}}
      - order {{id}}: {{status}}
      {{/orders}}
      {{^orders}}
      No orders.
      {{/orders}}
      {{! internal note: keep it short }}
      Shop: {{shop.name}}
    variables: [customer, orders, shop]
  summary:
    format: jinja2
    template: "Summarise for {{ user }}:{% for t in turns %} [{{ t }}]{% endfor %}"
    variables: [user, turns]
  greet:
    format: f-string
    template: "Hello {name}, you have {count} new messages."
    variables: [name, count]
tools:
  lookup_order:
    description: Look up an order by id.
    inputSchema:
      type: object
      properties: {order_id: {type: string}}
      required: [order_id]
      additionalProperties: false
    annotations: {readOnlyHint: true, openWorldHint: false}
  refund_order:
    description: Refund an order.
    approval: required
    inputSchema:
      type: object
      properties: {order_id: {type: string}, amount: {type: number}}
      required: [order_id]
memory:
  tickets:
    store: {provider: qdrant, collection: tickets, url: "${env:QDRANT_URL}"}
    embedder: embed
    dims: 1536
    schema_version: "3"
agents:
  triage:
    model: chat
    prompt: triage
    tools: [lookup_order, refund_order]
    memory: tickets
orchestration:
  support:
    entry: triage
    max_steps: 10
    nodes:
      triage: {agent: triage}
      approve: {human: {approvers: [leads]}}
      refund: {tool: refund_order}
    edges:
      - {from: triage, to: approve, when: refund requested}
      - {from: approve, to: refund}
"""

ENV = {"OPENAI_API_KEY": "test-openai-key", "QDRANT_URL": "https://qdrant.internal:6333"}


class FakeResolver:
    """Pins code and data without network or git (the lock's resolvers are tested elsewhere)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def code(self, name: str, ref: Any) -> dict[str, Any]:
        return {"commit": "1" * 40}

    def data(self, name: str, ds: Any) -> dict[str, Any]:
        blob = (self.root / ds.path).read_bytes()
        return {"digest": digest_bytes(blob), "size": len(blob), "files": 1}


def release(root: Path, env: str, *, manifest: str = MANIFEST, action: str = "promote", hold: bool = False) -> Rendered:
    """Render ``manifest`` for ``env`` and write releases/<env>.json as promote would."""
    build_tree(root, {"agentcfg.yaml": manifest, "data/faq.md": "# FAQ\n"})
    loaded = load_manifest(WorkTree(root), env=env)
    rendered = render_loaded(loaded, FakeResolver(root))
    ReleaseFile(environment=env, digest=rendered.digest, source="2" * 40, action=action, from_="HEAD",
                reason=None, hold=hold, config=rendered.config).write(root / "releases" / f"{env}.json")
    return rendered


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "repo")
    release(root, "production")
    return root


@pytest.fixture
def cfg(project: Path) -> Config:
    return load("production", root=project, environ=ENV)


def test_load_verifies_and_exposes_identity(project: Path, cfg: Config) -> None:
    data = json.loads((project / "releases/production.json").read_text())
    assert cfg.digest == data["digest"] and cfg.digest.startswith("sha256:")
    assert (cfg.environment, cfg.name, cfg.action, cfg.hold) == ("production", "shop", "promote", False)
    assert cfg.source == "2" * 40
    assert cfg.origin.endswith("releases/production.json")
    assert repr(cfg) == f"<Config production {cfg.digest}>"


def test_one_changed_byte_is_refused(project: Path) -> None:
    path = project / "releases/production.json"
    data = path.read_bytes()
    load("production", root=project, environ=ENV)  # fine before
    i = data.index(b"order {{id}}")
    path.write_bytes(data[:i] + b"O" + data[i + 1:])  # one byte, still valid JSON
    with pytest.raises(CheckFailed, match="does not match its digest") as exc:
        load("production", root=project, environ=ENV)
    assert exc.value.exit_code == 1
    path.write_bytes(data[:-3] + b"X" + data[-2:])  # one byte that breaks the JSON
    with pytest.raises(AgentcfgError, match="not valid JSON"):
        load("production", root=project, environ=ENV)


def test_prompts_render_in_all_three_formats(cfg: Config) -> None:
    text = cfg.prompts["triage"].render(
        customer="Ada", orders=[{"id": 7, "status": "shipped"}, {"id": 9, "status": "lost"}], shop={"name": "S&Co"})
    assert text == ('You help Ada (<VIP> & "friends").\n- order 7: shipped\n- order 9: lost\nShop: S&Co\n')
    assert "No orders." in cfg.prompts["triage"].render(customer="Bo", orders=[], shop={})
    assert cfg.prompts["summary"].render(user="Ada", turns=["hi", "bye"]) == "Summarise for Ada: [hi] [bye]"
    assert cfg.prompts["greet"].render(name="Ada", count=3) == "Hello Ada, you have 3 new messages."


def test_render_refuses_undeclared_and_missing_variables(cfg: Config) -> None:
    greet = cfg.prompts["greet"]
    with pytest.raises(TemplateError, match="not declared: nmae; missing: name") as exc:
        greet.render(nmae="Ada", count=1)
    assert exc.value.artefact == "prompts/greet"
    assert "declares: name, count" in (exc.value.hint or "")
    with pytest.raises(TemplateError, match="missing: orders, shop"):
        cfg.prompts["triage"].render(customer="x")


def test_env_references_resolve_only_at_load(project: Path, cfg: Config) -> None:
    assert cfg.models["chat"].parameters["api_key"] == "test-openai-key"
    assert cfg.memory["tickets"].store["url"] == "https://qdrant.internal:6333"
    on_disk = (project / "releases/production.json").read_text()
    assert "${env:OPENAI_API_KEY}" in on_disk and "test-openai-key" not in on_disk
    assert "test-openai-key" not in repr(cfg.models["chat"]) + repr(cfg.models) + repr(cfg)


def test_missing_env_variable_names_it_and_the_artefact(project: Path) -> None:
    with pytest.raises(AgentcfgError) as exc:
        load("production", root=project, environ={"QDRANT_URL": "x"})
    err = exc.value
    assert "environment variable OPENAI_API_KEY is not set" in err.message
    assert err.artefact == "models/chat" and "parameters.api_key" in err.message
    with pytest.raises(AgentcfgError, match=r"QDRANT_URL is not set .*also missing: OPENAI_API_KEY \(models/chat\)"):
        load("production", root=project, environ={})  # every missing variable, in one error


def test_os_environ_is_the_default_source(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    assert agentcfg.load("production", root=project).models["chat"].parameters["api_key"] == "test-openai-key"


def test_config_is_read_only(cfg: Config) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.digest = "sha256:0"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.prompts["greet"] = cfg.prompts["triage"]  # type: ignore[index]
    with pytest.raises(TypeError):
        cfg.models["chat"].parameters["temperature"] = 1.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.prompts["greet"].template = "pwned"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        cfg.models["chat"].fallbacks.append("x")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        cfg.tools["lookup_order"].input_schema["properties"]["order_id"]["type"] = "integer"  # type: ignore[index]
    copy = cfg.to_dict()
    copy["models"]["chat"]["parameters"]["temperature"] = 1.0
    assert cfg.models["chat"].parameters["temperature"] == 0.2


def test_sections_and_artefacts_are_typed(cfg: Config) -> None:
    assert set(cfg.agents) == {"triage"} and len(cfg.tools) == 2
    agent = cfg.agents["triage"]
    assert (agent.model, agent.prompt, agent.tools, agent.memory) == ("chat", "triage",
                                                                      ("lookup_order", "refund_order"),
                                                                      "tickets")
    chat = cfg.models["chat"]
    assert (chat.provider, chat.id, chat.kind, chat.fallbacks) == ("openai", "gpt-4o-2024-08-06", "chat", ("backup",))
    assert cfg.models["embed"].dims == 1536 and chat.artefact_id == "models/chat"
    mem = cfg.memory["tickets"]
    assert (mem.embedder, mem.dims, mem.schema_version, mem.store["collection"]) == ("embed", 1536, "3", "tickets")
    graph = cfg.graphs["support"]
    assert graph.entry == "triage" and graph.max_steps == 10
    assert {n: node.kind for n, node in graph.nodes.items()} == {"approve": "human", "refund": "tool",
                                                                 "triage": "agent"}
    assert [(e.source, e.to, e.when) for e in graph.successors("triage")] == [("triage", "approve", "refund requested")]
    assert cfg.data["faq"].digest == digest_bytes(b"# FAQ\n") and cfg.data["faq"].size == 6
    assert cfg.code["app"].commit == "1" * 40 and cfg.code["app"].ref == "main"
    assert cfg.prompts["greet"].variables == ("name", "count")


def test_tools_expose_approval_hints_and_provider_shapes(cfg: Config) -> None:
    lookup, refund = cfg.tools["lookup_order"], cfg.tools["refund_order"]
    assert not lookup.requires_approval and refund.requires_approval
    assert lookup.hints["readOnlyHint"] and not lookup.hints["destructiveHint"]
    assert refund.hints["destructiveHint"] and refund.hints["openWorldHint"]  # MCP defaults
    assert lookup.as_format("openai") == {"type": "function", "function": {
        "name": "lookup_order", "description": "Look up an order by id.", "strict": True,
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"],
                       "additionalProperties": False}}}
    shapes = cfg.tools_for("triage", "anthropic")
    assert [t["name"] for t in shapes] == ["lookup_order", "refund_order"]
    assert shapes[1]["input_schema"]["required"] == ["order_id"]
    json.dumps(cfg.tools_for("triage", "mcp"))  # plain data, ready for an SDK


def test_unknown_names_say_what_exists(cfg: Config) -> None:
    with pytest.raises(UnknownArtefact, match="no prompts entry named 'gret' \\(did you mean 'greet'\\?\\)") as exc:
        cfg.prompts["gret"]
    assert isinstance(exc.value, KeyError) and exc.value.artefact == "prompts/gret"
    assert "gret" not in cfg.prompts and "greet" in cfg.prompts
    assert cfg.prompts.get("gret") is None


def test_load_by_path(project: Path) -> None:
    absolute = project / "releases/production.json"
    assert load(absolute, environ=ENV).environment == "production"
    assert load("releases/production.json", root=project, environ=ENV).digest == load(str(absolute), environ=ENV).digest
    with pytest.raises(AgentcfgError, match="no release file at"):
        load("releases/nope.json", root=project, environ=ENV)


def test_missing_environment_lists_released_ones(project: Path) -> None:
    with pytest.raises(AgentcfgError, match="'prodution' has no release.*did you mean 'production'") as exc:
        load("prodution", root=project)
    assert "released environments: production" in (exc.value.hint or "")
    with pytest.raises(AgentcfgError, match="not an environment name"):
        load("-rf", root=project)


def test_release_copied_to_another_environment_is_refused(project: Path) -> None:
    release(project, "staging")
    (project / "releases/production.json").write_bytes((project / "releases/staging.json").read_bytes())
    with pytest.raises(CheckFailed, match="is for environment 'staging', not 'production'"):
        load("production", root=project, environ=ENV)
    assert load("releases/production.json", root=project, environ=ENV).environment == "staging"


def test_a_rollback_release_on_hold_loads(tmp_path: Path) -> None:
    release(tmp_path, "production", action="rollback", hold=True)
    cfg = load("production", root=tmp_path, environ=ENV)
    assert cfg.action == "rollback" and cfg.hold


def test_jinja2_is_sandboxed_and_strict(tmp_path: Path) -> None:
    manifest = MANIFEST.replace('"Summarise for {{ user }}:{% for t in turns %} [{{ t }}]{% endfor %}"',
                                '"{{ user.__class__.__mro__ }}{% for t in turns %}{% endfor %}"')
    release(tmp_path, "production", manifest=manifest)
    cfg = load("production", root=tmp_path, environ=ENV)
    with pytest.raises(TemplateError, match="unsafe") as exc:
        cfg.prompts["summary"].render(user="x", turns=[])
    assert exc.value.artefact == "prompts/summary"
    from agentcfg.runtime.templates import render

    with pytest.raises(TemplateError, match="has no attribute 'nope'"):
        render("{{ a.nope }}", "jinja2", {"a": {}}, artefact="prompts/p")  # StrictUndefined: no silent hole
    with pytest.raises(TemplateError, match="line 1: jinja2 syntax error"):
        render("{% if %}", "jinja2", {}, artefact="prompts/p")


def test_jinja2_missing_names_the_optional_dependency(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from agentcfg.runtime import templates

    monkeypatch.setitem(sys.modules, "jinja2", None)  # `import jinja2` now raises ImportError
    monkeypatch.setitem(sys.modules, "jinja2.sandbox", None)
    templates._jinja_env.cache_clear()
    try:
        with pytest.raises(TemplateError, match="optional dependency jinja2 is not installed") as exc:
            cfg.prompts["summary"].render(user="x", turns=[])
        assert "agentcfg-gitops[jinja2]" in (exc.value.hint or "")
        assert cfg.prompts["greet"].render(name="a", count=1)  # other formats unaffected
    finally:
        templates._jinja_env.cache_clear()


def test_fstring_refuses_private_attributes(tmp_path: Path) -> None:
    manifest = MANIFEST.replace('"Hello {name}, you have {count} new messages."',
                                '"{name.__class__.__init__.__globals__} {count}"')
    release(tmp_path, "production", manifest=manifest)
    cfg = load("production", root=tmp_path, environ=ENV)
    with pytest.raises(TemplateError, match="private attribute"):
        cfg.prompts["greet"].render(name="x", count=1)


def test_public_api_lists_load() -> None:
    assert "load" in agentcfg.__all__ and agentcfg.load is load
    assert agentcfg.Config is Config


def test_a_promoted_release_of_the_example_loads_renders_and_detects_tampering(example_repo: Path, cli: Any) -> None:
    """Issue 6's "done when": promote for real, load, render a prompt, flip one byte, refused."""
    from conftest import commit_all

    assert cli("lock").exit_code == 0
    commit_all(example_repo, "lock")
    r = cli("promote", "HEAD", "staging", "--reason", "first")
    assert r.exit_code == 0, r
    env = {"QDRANT_URL": "https://qdrant.internal"}
    cfg = agentcfg.load("staging", root=example_repo, environ=env)
    assert cfg.digest == json.loads((example_repo / "releases/staging.json").read_text())["digest"]
    assert cfg.source == json.loads((example_repo / "releases/staging.json").read_text())["source"]
    triage = cfg.agents["triage"]
    text = cfg.prompts[triage.prompt].render(
        company_name="Acme Outfitters", customer_name="Ada", channel="email",
        recent_orders=[{"id": "A-1", "placed_at": "2024-05-01", "status": "shipped"}])
    assert text.startswith("You are the first-line support triage agent for Acme Outfitters.\n\n"
                           "The customer is Ada and wrote to us via email.\nTheir recent orders:\n"
                           "- order A-1, placed 2024-05-01, status: shipped\n\nDecide the route")
    assert "no orders on record" not in text
    assert cfg.tools_for("triage", "openai")  # the agent's tools in a provider's shape
    with pytest.raises(AgentcfgError, match="QDRANT_URL is not set"):
        agentcfg.load("staging", root=example_repo, environ={})
    path = example_repo / "releases/staging.json"
    data = path.read_bytes()
    i = data.index(b"first-line support")
    path.write_bytes(data[:i] + b"F" + data[i + 1:])
    with pytest.raises(CheckFailed, match="does not match its digest"):
        agentcfg.load("staging", root=example_repo, environ=env)
    assert cli("verify", "staging").exit_code == 1  # the CLI agrees
