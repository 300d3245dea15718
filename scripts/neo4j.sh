#!/usr/bin/env bash
# A real Neo4j 5.26 Community server for tests and development, on 127.0.0.1.
#
#   scripts/neo4j.sh start    fetch (once, from Maven Central, cached), start, wait for Bolt,
#                             write the connection settings to $CACHE/neo4j/env
#   scripts/neo4j.sh stop     stop it
#   scripts/neo4j.sh status   say whether it runs and where
#
# CURAGRAPH_CACHE names the cache directory (default: .cache in the repository).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${CURAGRAPH_CACHE:-$ROOT/.cache}"
STATE="$CACHE/neo4j"
LIB="$STATE/lib"
JAR="$ROOT/scripts/neo4j/target/neo4j-test-server-1.0.jar"
PIDFILE="$STATE/server.pid"
ENVFILE="$STATE/env"
LOG="$STATE/server.log"
TX_TIMEOUT="${CURAGRAPH_NEO4J_TX_TIMEOUT_S:-60}"

build() {
  # rebuilt when the launcher's sources or pom change, or this cache holds another build's libraries
  local want
  want="$(cat "$ROOT/scripts/neo4j/pom.xml" "$ROOT"/scripts/neo4j/src/main/java/curagraph/*.java | cksum | cut -d' ' -f1)"
  if [[ -f "$JAR" && -f "$LIB/.built-from" && "$(cat "$LIB/.built-from")" == "$want" ]]; then
    return
  fi
  command -v mvn >/dev/null || { echo "neo4j.sh: Maven (mvn) is needed to fetch Neo4j" >&2; exit 2; }
  command -v java >/dev/null || { echo "neo4j.sh: Java 17+ is needed to run Neo4j" >&2; exit 2; }
  echo "neo4j.sh: building the Neo4j test server (dependencies from Maven Central, cached in $CACHE/m2)" >&2
  rm -rf "$LIB"
  mvn -q -B -f "$ROOT/scripts/neo4j/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
    package dependency:copy-dependencies -DoutputDirectory="$LIB" >&2
  echo "$want" >"$LIB/.built-from"
}

running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

start() {
  mkdir -p "$STATE"
  if running; then
    # this checkout's launcher jar too (tests that start and stop a Neo4j of their own use it),
    # built without touching the libraries the running server loads
    if [[ ! -f "$JAR" ]] && command -v mvn >/dev/null; then
      mvn -q -B -f "$ROOT/scripts/neo4j/pom.xml" -Dmaven.repo.local="$CACHE/m2" package >&2
    fi
    echo "neo4j.sh: already running ($(cat "$ENVFILE" | grep URI))" >&2
    return
  fi
  build
  local port password data
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
  data="$STATE/data"
  rm -rf "$data"
  nohup java -Xmx2g -cp "$JAR:$LIB/*" curagraph.Neo4jTestServer "$port" "$password" "$data" "$TX_TIMEOUT" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 180); do
    if grep -q '^READY' "$LOG"; then
      umask 077
      {
        echo "CURAGRAPH_NEO4J_URI=bolt://127.0.0.1:$port"
        echo "CURAGRAPH_NEO4J_USER=neo4j"
        echo "CURAGRAPH_NEO4J_PASSWORD=$password"
      } >"$ENVFILE"
      echo "neo4j.sh: Neo4j ready at bolt://127.0.0.1:$port (settings in $ENVFILE)" >&2
      return
    fi
    if ! running; then
      echo "neo4j.sh: Neo4j exited while starting; log: $LOG" >&2
      tail -20 "$LOG" >&2
      exit 2
    fi
    sleep 1
  done
  echo "neo4j.sh: Neo4j did not start within 180 s; log: $LOG" >&2
  stop
  exit 2
}

stop() {
  if running; then
    kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 30); do running || break; sleep 1; done
    running && kill -9 "$(cat "$PIDFILE")"
  fi
  rm -f "$PIDFILE" "$ENVFILE"
}

status() {
  if running; then
    grep URI "$ENVFILE"
  else
    echo "not running"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/neo4j.sh start|stop|status" >&2; exit 2 ;;
esac
