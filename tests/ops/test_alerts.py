"""Issue 25, point 3: the alerting rules pass promtool's checks and unit tests, and the rules
and the Grafana dashboard name only metrics (and routes) the service exports."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import moderation.analyzer.batcher  # noqa: F401  (registers its metrics)
import moderation.metrics  # noqa: F401
from tests.ops.tools import tool

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "moderation.json"
SUFFIXES = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_sum", "_count", "_created"],
            "gauge": [""], "summary": ["", "_sum", "_count", "_created"]}
NAME = re.compile(r"\bmoderation_[a-z0-9_]+")
ROUTE = re.compile(r'route="([^"]+)"')


def exported_names() -> set[str]:
    """Sample names of the process metrics (prometheus_client) and of the gauges collected from
    the database at scrape time (GaugeMetricFamily in the source)."""
    names = {family.name + suffix for family in REGISTRY.collect() if family.name.startswith("moderation_")
             for suffix in SUFFIXES.get(family.type, [""])}
    for source in (ROOT / "moderation").rglob("*.py"):
        names |= set(re.findall(r'GaugeMetricFamily\(\s*"(moderation_[a-z0-9_]+)"', source.read_text()))
    return names


def route_templates(app) -> set[str]:
    from moderation.observability import _template

    return {_template(rule.rule) for rule in app.url_map.iter_rules()}


def rule_expressions() -> dict[str, str]:
    return {rule["alert"]: rule["expr"] for group in yaml.safe_load(RULES.read_text())["groups"]
            for rule in group["rules"]}


def dashboard_expressions() -> dict[str, str]:
    found = {}
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel.get("targets", []):
            found[f"{panel['title']} {target['refId']}"] = target["expr"]
    return found


def test_promtool_checks_the_rules():
    promtool = tool("promtool")
    result = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rule_expressions())} rules found" in result.stdout


def test_promtool_unit_tests_every_alert():
    promtool = tool("promtool")
    tests = yaml.safe_load((RULES.parent / "alerts_test.yml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert tested == set(rule_expressions()), "every alert has a case where it fires"
    result = subprocess.run([promtool, "test", "rules", "alerts_test.yml"], cwd=RULES.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "SUCCESS" in result.stdout, result.stdout + result.stderr


def test_every_alert_says_what_to_do():
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            assert rule["annotations"]["summary"] and len(rule["annotations"]["description"]) > 80, rule["alert"]
            assert rule["labels"]["severity"] in ("warning", "critical")


def test_rules_and_dashboard_name_exported_metrics_and_real_routes(app):
    names, routes = exported_names(), route_templates(app)
    # The gauges the rules were written for are among them (the check is not vacuous).
    assert {"moderation_database_up", "moderation_scoring_model_up", "moderation_http_requests_total",
            "moderation_webhook_endpoints", "moderation_queue_oldest_waiting_age_seconds"} <= names
    expressions = {**rule_expressions(), **dashboard_expressions()}
    assert len(expressions) > 30
    for where, expr in expressions.items():
        used = set(NAME.findall(expr))
        # Prometheus's own `up` is the only other series a rule may use.
        assert used or re.match(r"up\{", expr), f"{where}: names no metric of the service"
        assert used <= names, f"{where}: unknown metric(s) {sorted(used - names)}"
        for route in ROUTE.findall(expr):
            assert route in routes, f"{where}: no route {route}"


def test_dashboard_covers_what_ops_watch():
    dashboard = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    text = json.dumps(dashboard)
    for metric in ("moderation_comments_waiting", "moderation_queue_oldest_waiting_age_seconds",
                   "moderation_comments_scored_total", "moderation_comments_unscored",
                   "moderation_webhook_attempts_total", "moderation_http_request_duration_seconds_bucket"):
        assert metric in text
    assert "histogram_quantile(0.99" in text
    # Decisions per moderator: no such metric, and the dashboard says so.
    assert any(panel["type"] == "text" and "No metric" in panel["options"]["content"]
               for panel in dashboard["panels"])


def test_dashboard_queries_are_valid_promql(tmp_path):
    """Each panel's query, as a recording rule, goes through promtool's PromQL parser (with
    Grafana's $__rate_interval as Prometheus would see it)."""
    promtool = tool("promtool")
    rules = [{"record": f"dashboard:query{index}", "expr": expr.replace("$__rate_interval", "5m")}
             for index, expr in enumerate(dashboard_expressions().values())]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
