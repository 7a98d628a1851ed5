#!/usr/bin/env bash
# Run the whole test suite: starts a real Neo4j (from Maven Central jars) when Java 17/21 and
# Maven are on the machine, runs pytest, and stops the server again.
#
#   GRAPH_ENGINE_REQUIRE_NEO4J=1    fail instead of skipping the Neo4j tests when no server starts
#   GRAPH_ENGINE_REQUIRE_BROWSER=1  fail instead of skipping the browser tests without chromium
#   NEO4J_URI=...                   use this running server instead of starting one
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
started=0
stop_neo4j() { if [ "$started" = 1 ]; then bash scripts/neo4j-server.sh stop || true; fi; }
trap stop_neo4j EXIT

if [ -z "${NEO4J_URI:-}" ]; then
    if command -v java >/dev/null && command -v mvn >/dev/null; then
        # stop the server afterwards only if this run started it
        if NEO4J_PYTHON="$PY" bash scripts/neo4j-server.sh status >/dev/null 2>&1; then
            export NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}"
        elif NEO4J_PYTHON="$PY" bash scripts/neo4j-server.sh start; then
            started=1
            export NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}"
        elif [ "${GRAPH_ENGINE_REQUIRE_NEO4J:-0}" = 1 ]; then
            echo "Neo4j did not start and GRAPH_ENGINE_REQUIRE_NEO4J=1" >&2
            exit 1
        else
            echo "warning: Neo4j did not start; the Neo4j tests will be skipped" >&2
        fi
    else
        echo "note: no java/mvn here; the Neo4j tests will be skipped" >&2
    fi
fi
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-graph-engine-test}"
mkdir -p tests/artifacts
"$PY" -m pytest "$@"
