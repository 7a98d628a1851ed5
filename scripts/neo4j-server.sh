#!/usr/bin/env bash
# Run a real Neo4j 5.26 Community server for tests/benchmarks, built from Maven Central jars
# (no Docker, no Neo4j download site needed).
#
#   scripts/neo4j-server.sh start    fetch jars (cached in .neo4j/lib and ~/.m2), start in the
#                                    background, wait until Bolt answers a query with the password
#   scripts/neo4j-server.sh stop     stop it (SIGTERM, clean shutdown), wait for exit
#   scripts/neo4j-server.sh status   exit 0 if running and answering, 1 otherwise
#   scripts/neo4j-server.sh fetch    only fetch the jars
#
# start is idempotent (returns 0 if already running). Works from any cwd.
#
# Environment (all optional):
#   NEO4J_PASSWORD      password for user neo4j        (default graph-engine-test, >= 8 chars)
#   NEO4J_BOLT_PORT     Bolt port on 127.0.0.1         (default 7687)
#   NEO4J_HEAP_MAX      JVM -Xmx                       (default 1g; e.g. 2g for the 1M-rel benchmark)
#   NEO4J_HEAP_INIT     JVM -Xms                       (default 256m)
#   NEO4J_PAGECACHE     server.memory.pagecache.size   (default 128m)
#   NEO4J_KEEP=1        keep .neo4j/home (data) from the previous run instead of wiping it
#   NEO4J_START_TIMEOUT seconds to wait for Bolt       (default 180)
#   NEO4J_JAVA          java binary (default: java on PATH if it is 17 or 21, else a JDK 17 in /usr/lib/jvm)
#   NEO4J_JAVA_OPTS     extra JVM options
#   NEO4J_PYTHON        python used for the readiness check (default python3; needs `neo4j` driver,
#                       otherwise falls back to a TCP check + the launcher's own Cypher check)
#
# Client: bolt://127.0.0.1:7687, auth ("neo4j", $NEO4J_PASSWORD), database "neo4j".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="$ROOT/.neo4j"
LIB="$N/lib"
HOME_DIR="$N/home"
PIDFILE="$N/neo4j.pid"
OUT="$N/neo4j.out"
POM="$ROOT/tests/neo4j/pom.xml"
LAUNCHER="$ROOT/tests/neo4j/Neo4jServer.java"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

export NEO4J_PASSWORD="${NEO4J_PASSWORD:-graph-engine-test}"
export NEO4J_BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
export NEO4J_PAGECACHE="${NEO4J_PAGECACHE:-128m}"
HEAP_MAX="${NEO4J_HEAP_MAX:-1g}"
HEAP_INIT="${NEO4J_HEAP_INIT:-256m}"
TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
PY="${NEO4J_PYTHON:-python3}"

log() { echo "[neo4j-server] $*" >&2; }

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

pick_java() {
    if [ -n "${NEO4J_JAVA:-}" ]; then echo "$NEO4J_JAVA"; return; fi
    local j m
    if j="$(command -v java)"; then
        m="$(java_major "$j")"
        if [ "$m" = 17 ] || [ "$m" = 21 ]; then echo "$j"; return; fi
    fi
    for j in /usr/lib/jvm/*17*/bin/java /usr/lib/jvm/*21*/bin/java; do
        [ -x "$j" ] && { echo "$j"; return; }
    done
    log "no Java 17/21 found (Neo4j 5.26 needs 17 or 21); set NEO4J_JAVA"; exit 1
}

fetch() {
    local stamp
    stamp="$(sha1sum "$POM" | cut -c1-40)"
    if [ -f "$LIB/.complete" ] && [ "$(cat "$LIB/.complete")" = "$stamp" ]; then
        return 0
    fi
    log "fetching Neo4j jars from Maven Central into $LIB"
    rm -rf "$LIB.tmp"
    mkdir -p "$N"
    # (sed: mvn 3.8 prints stray ANSI resets even in batch mode)
    mvn -B -q -f "$POM" "$DEP_PLUGIN:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$LIB.tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
    echo "$stamp" >"$LIB.tmp/.complete"
    rm -rf "$LIB"
    mv "$LIB.tmp" "$LIB"
    log "jars: $(du -sh "$LIB" | cut -f1) in $(ls "$LIB" | wc -l) files"
}

# pid from the pid file if that process is alive and is our launcher
running_pid() {
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'Neo4jServer.java' || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$NEO4J_BOLT_PORT") 2>/dev/null; }

# Wait until Bolt answers `RETURN 1` with the password. $1: pid to watch (0 = none), $2: seconds.
wait_ready() {
    local pid="$1" secs="$2"
    if "$PY" -c 'import neo4j' 2>/dev/null; then
        "$PY" - "$pid" "$secs" "$OUT" <<'PY'
import os, sys, time
from neo4j import GraphDatabase
pid, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
uri = "bolt://127.0.0.1:%s" % os.environ["NEO4J_BOLT_PORT"]
auth = ("neo4j", os.environ["NEO4J_PASSWORD"])
end = time.monotonic() + secs
last = "launcher has not printed NEO4J_READY yet"
while True:
    if pid:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("server process %d exited" % pid)
    # Bolt opens before the launcher has set the password; probing with the new password
    # too early trips the auth-failure lockout, so wait for the launcher's marker first.
    try:
        with open(out, errors="replace") as f:
            ready = "NEO4J_READY" in f.read()
    except OSError:
        ready = False
    if ready or pid == 0:
        try:
            with GraphDatabase.driver(uri, auth=auth, connection_timeout=2,
                                      connection_acquisition_timeout=5) as d:
                with d.session(database="neo4j") as s:
                    s.run("RETURN 1").consume()
            sys.exit(0)
        except Exception as e:  # not up yet
            last = e
    if time.monotonic() > end:
        sys.exit("Bolt not ready after %ss: %r" % (secs, last))
    time.sleep(0.5)
PY
        return $?
    fi
    # Fallback without the Python driver: port open + the launcher's own Cypher check
    # (it prints NEO4J_READY only after setting the password and running a query).
    local end=$((SECONDS + secs))
    while :; do
        if [ "$pid" != 0 ] && ! kill -0 "$pid" 2>/dev/null; then
            log "server process $pid exited"; return 1
        fi
        if port_open && grep -q NEO4J_READY "$OUT" 2>/dev/null; then return 0; fi
        [ "$SECONDS" -lt "$end" ] || break
        sleep 0.5
    done
    log "Bolt not ready after ${secs}s"
    return 1
}

show_logs() {
    log "---- tail $OUT ----"
    tail -n 40 "$OUT" >&2 2>/dev/null || true
    if [ -f "$HOME_DIR/logs/debug.log" ]; then
        log "---- tail $HOME_DIR/logs/debug.log ----"
        tail -n 40 "$HOME_DIR/logs/debug.log" >&2 || true
    fi
}

start() {
    local pid
    if pid="$(running_pid)"; then
        log "already running (pid $pid), waiting for Bolt"
        if wait_ready "$pid" "$TIMEOUT"; then return 0; fi
        show_logs; return 1
    fi
    rm -f "$PIDFILE"
    if port_open; then
        log "port 127.0.0.1:$NEO4J_BOLT_PORT is already in use by another process"; return 1
    fi
    fetch
    local java
    java="$(pick_java)"
    if [ "${NEO4J_KEEP:-0}" != 1 ]; then rm -rf "$HOME_DIR"; fi
    mkdir -p "$HOME_DIR"
    # JVM flags as in Neo4j's own neo4j.conf (server.jvm.additional): without the add-opens the
    # page cache runs in "fallback mode" and native tx-log file access fails (warnings only).
    local -a jopts=(
        "-Xms$HEAP_INIT" "-Xmx$HEAP_MAX"
        -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+DisableExplicitGC
        -XX:+ExitOnOutOfMemoryError
        -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true
        -Dlog4j2.disable.jmx=true
        --add-opens=java.base/java.nio=ALL-UNNAMED
        --add-opens=java.base/java.io=ALL-UNNAMED
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
        --add-opens=java.base/java.lang=ALL-UNNAMED
        --enable-native-access=ALL-UNNAMED
    )
    # shellcheck disable=SC2206
    [ -n "${NEO4J_JAVA_OPTS:-}" ] && jopts+=($NEO4J_JAVA_OPTS)
    log "starting Neo4j ($java, -Xmx$HEAP_MAX, pagecache $NEO4J_PAGECACHE) on bolt://127.0.0.1:$NEO4J_BOLT_PORT"
    local t0=$SECONDS
    cd "$N"
    setsid nohup "$java" "${jopts[@]}" -cp "$LIB/*" "$LAUNCHER" "$HOME_DIR" \
        </dev/null >"$OUT" 2>&1 &
    pid=$!
    echo "$pid" >"$PIDFILE"
    if wait_ready "$pid" "$TIMEOUT"; then
        log "ready (pid $pid) after $((SECONDS - t0))s; log: $OUT, $HOME_DIR/logs/debug.log"
        return 0
    fi
    log "Neo4j did not become ready"
    show_logs
    stop
    return 1
}

stop() {
    local pid i
    if ! pid="$(running_pid)"; then
        rm -f "$PIDFILE"; log "not running"; return 0
    fi
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 120); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; log "stopped"; return 0; }
        sleep 0.5
    done
    log "still alive after 60s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
    rm -f "$PIDFILE"
}

status() {
    local pid
    if pid="$(running_pid)"; then
        if wait_ready "$pid" 0 2>/dev/null; then
            echo "running (pid $pid), bolt://127.0.0.1:$NEO4J_BOLT_PORT answering"; return 0
        fi
        echo "running (pid $pid), Bolt not answering (yet)"; return 1
    fi
    echo "not running"; return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) stop; start ;;
    fetch) fetch ;;
    *) echo "usage: $0 {start|stop|status|restart|fetch}" >&2; exit 2 ;;
esac
