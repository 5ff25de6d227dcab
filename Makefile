# Every target creates or reuses .venv in the checkout and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: serve test browser ops-tools screenshots bench bench-all install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch==2.13.0 first: it is the local CPU wheel; a plain "torch" would pull a multi-GB CUDA build.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/moderation serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

# The console's browser tests drive Debian's chromium (Playwright cannot download its own here):
# installed when missing and this runs as root with apt-get; otherwise those tests skip, or fail
# when MODERATION_REQUIRE_BROWSER=1 (CI).
browser:
	@if ! [ -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The deployment checks (tests/ops: systemd-analyze verify and systemd-socket-activate on the
# units, nginx -t on the site, promtool on the alerts) run Debian's tools: installed like
# chromium above; without them those tests skip, or fail when MODERATION_REQUIRE_OPS_TOOLS=1 (CI).
# No service starts (Debian images refuse it with policy-rc.d; the tests run the tools alone).
OPS_TOOLS := /usr/bin/systemd-analyze:systemd /usr/sbin/nginx:nginx /usr/bin/promtool:prometheus /usr/bin/openssl:openssl
ops-tools:
	@missing=""; for pair in $(OPS_TOOLS); do [ -x "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing$$missing for the deployment checks"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Every test runs on SQLite, and also on PostgreSQL when MODERATION_TEST_DATABASE_URL is set.
test: $(STAMP) browser ops-tools
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Ours vs Isso 0.14 vs the floor (a Flask app serving the same bytes): intake with and without
# the scorer, reads, revalidations (304), a million stored; ours on SQLite and PostgreSQL;
# writes bench/results/http.{md,json} and docs/benchmarks.md. About 25 minutes
# (BENCH_ARGS=--quick: a smoke test of a few minutes, written to bench/results/http_quick.*).
bench: $(STAMP)
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

# Every benchmark: the above, scoring throughput, the closing sweep, the review queue, the
# console (queue page HTML, and a -> next card in the browser), the soak, webhooks, analyze, and
# scoring under a saturating intake load, a public read's round trips on PostgreSQL (about 25 minutes).
bench-all: bench
	$(BIN)/python -m bench.scoring_throughput
	$(BIN)/python -m bench.closing_sweep
	$(BIN)/python -m bench.queue_latency
	$(BIN)/python -m bench.console_queue
	$(BIN)/python -m bench.console_browser --database postgres
	$(BIN)/python -m bench.soak
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.analyze_throughput
	$(BIN)/python -m bench.loaded_scoring
	$(BIN)/python -m bench.pg_roundtrips
	$(BIN)/python -m bench.report

# The README's console pictures (docs/console-*.png), made from the running console.
screenshots: $(STAMP) browser
	$(BIN)/python -m tools.console_screenshots --out docs

clean:
	rm -rf $(VENV) instance .pytest_cache
