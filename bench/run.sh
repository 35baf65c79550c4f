#!/usr/bin/env bash
# Runs the benchmarks of bench/ on a release build, against SQLite (or PostgreSQL) filled by `subsidia bench-data`.
#   bench/run.sh [applications] [seconds]        (defaults: 100000 applications, 15 s per script)
# The server runs as in service (--env production: templates cached, Secure cookies); every script runs with wrk
# at 64 connections on 2 threads; /health runs first and last in the same run.
# Prints one RESULT line per script (requests/s, p50/p95/p99, errors); copy them into bench/RESULTS.md.
# BENCH_ONLY="autosave submit" runs only those scripts (health always runs first and last); BENCH_BIN names a
# binary already built; BENCH_KEEP=1 leaves the server running at the end (for perf), and prints its pid;
# BENCH_DATABASE_URL runs them on PostgreSQL (below).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
SECONDS_PER_RUN=${2:-15}
PORT=${BENCH_PORT:-8099}
DATA=${BENCH_DATA:-bench/data}
mkdir -p "$DATA"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
[ -n "${BENCH_BIN:-}" ] || swift build -c release --product subsidia 2>&1 | tail -1
BIN=${BENCH_BIN:-.build/release/subsidia}
export SUBSIDIA_DEMO=1
# BENCH_DATABASE_URL=postgres://… runs the same scripts on PostgreSQL (scripts/postgres.sh starts one); else the
# embedded SQLite file. DATABASE_URL itself is ignored, so that the tests' database is never filled by mistake.
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$BENCH_DATABASE_URL"
else
  export SQLITE_PATH="$DATA/bench.sqlite"
  unset DATABASE_URL
fi

echo "== Data ($N applications)"
"$BIN" bench-data --applications "$N" --out "$DATA/applications.txt" --log warning
# What bench-data wrote (up to 1 GB for a new database) is written back now, not during the first scripts.
sync

echo "== Server"
# A server left on the port (BENCH_KEEP=1) would answer instead of this one, which could not listen.
if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then echo "port $PORT is taken by another server"; exit 1; fi
"$BIN" serve --env production --port "$PORT" --log warning > "$DATA/server.log" 2>&1 &
SERVER=$!
# A moment for the last requests wrk left in flight: stopped under them, Vapor shut Fluent down while a /health
# still ran, which then crashed on its missing database (seen once, at the end of a run).
trap 'sleep 1; kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.2; done

URL="http://127.0.0.1:$PORT"
JAR="$DATA/cookies.txt"
rm -f "$JAR"
token() { grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
# Production mode marks the cookie Secure, which curl keeps but does not send over http: send it by hand.
cookie_of() { awk '$6 == "subsidia_session" { print $7 }' "$JAR" | tail -1; }
LOGIN_CSRF=$(curl -fs -c "$JAR" "$URL/login" | token)
ANON="subsidia_session=$(cookie_of)"
curl -fs -c "$JAR" -H "Cookie: $ANON" -o /dev/null --data-urlencode "email=bench@subsidia.example" \
  --data-urlencode "password=subsidia-demo-2026" --data-urlencode "next=/" --data-urlencode "_csrf=$LOGIN_CSRF" "$URL/login"
export BENCH_COOKIE="subsidia_session=$(cookie_of)"
export BENCH_CSRF=$(curl -fs -H "Cookie: $BENCH_COOKIE" "$URL/account/tokens" | token)
export BENCH_IDS="$DATA/applications.txt" BENCH_DIR="$(pwd)/bench" BENCH_THREADS=2
[ -n "$BENCH_CSRF" ] && [ "$BENCH_COOKIE" != "subsidia_session=" ] || { echo "login failed"; exit 1; }

# An officer's session for the instruction pages, and the demo communes call they read.
OFFICER_JAR="$DATA/officer-cookies.txt"
rm -f "$OFFICER_JAR"
OFFICER_CSRF=$(curl -fs -c "$OFFICER_JAR" "$URL/login" | token)
OFFICER_ANON="subsidia_session=$(awk '$6 == "subsidia_session" { print $7 }' "$OFFICER_JAR" | tail -1)"
curl -fs -c "$OFFICER_JAR" -H "Cookie: $OFFICER_ANON" -o /dev/null --data-urlencode "email=officer@subsidia.example" \
  --data-urlencode "password=subsidia-demo-2026" --data-urlencode "next=/" --data-urlencode "_csrf=$OFFICER_CSRF" "$URL/login"
export BENCH_OFFICER_COOKIE="subsidia_session=$(awk '$6 == "subsidia_session" { print $7 }' "$OFFICER_JAR" | tail -1)"
export BENCH_CALL=$(curl -fs -H "Cookie: $BENCH_OFFICER_COOKIE" "$URL/staff/applications" \
  | grep -o 'value="[0-9A-Fa-f-]\{36\}"[^>]*>COM-DEMO-[0-9]*<' | head -1 | cut -d'"' -f2)
[ -n "$BENCH_CALL" ] || { echo "officer login or call lookup failed"; exit 1; }
RANKED=$(curl -fs -H "Cookie: $BENCH_OFFICER_COOKIE" "$URL/staff/calls/$BENCH_CALL/ranking" | grep -o 'sur [0-9]*' | head -1 | sed 's/sur //')
export BENCH_RANKING_PAGES=$(( (${RANKED:-50} + 49) / 50 ))

# Submitted applications of the benchmark user, read from the dashboard's paging line (0 when none).
submitted() { curl -fs -H "Cookie: $BENCH_COOKIE" "$URL/applications?status=submitted" | grep -o 'sur [0-9]*' | head -1 | sed 's/sur //' || true; }
wanted() { [ -z "${BENCH_ONLY:-}" ] || [ "$1" = health ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
run() {
  wanted "$1" || return 0
  echo "== $1"
  wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --timeout 5s -s "bench/$1.lua" "$URL" | grep -E "RESULT|Non-2xx|Socket errors" || true
}
# The processor is named: the same scripts gave /health three times faster on one VM of this kind than on another.
cpu() {
  awk -F': *' '/^model name/ { n = $2 } /^cpu family/ { f = $2 } /^model\t/ { m = $2 }
    END { print n ", family " f " model " m }' /proc/cpuinfo
}
echo "$(nproc) cores ($(cpu)), $(date -u +%Y-%m-%dT%H:%MZ), $(wc -l < "$DATA/applications.txt") applications of the benchmark user"
run health
echo "ranking: ${RANKED:-0} ranked applications in ${BENCH_RANKING_PAGES} pages"
# Officers are few: the instruction pages are measured at 4 connections (latency), then at 64 (throughput).
# One connection is one person's latency; wrk needs as many connections as threads.
run_c() {
  wanted "$1" || return 0
  echo "== $1 ($2 connections)"
  wrk -t"$([ "$2" -gt 1 ] && echo 2 || echo 1)" -c"$2" -d"${SECONDS_PER_RUN}s" --timeout 5s -s "bench/$1.lua" "$URL" \
    | grep -E "RESULT|Non-2xx|Socket errors" || true
}
run_c queue 1
run_c queue 4
run_c queue 64
run_c ranking 1
run_c ranking 4
run_c ranking 64
# Exports of every submitted application of the call, streamed; the server's peak memory (VmHWM, which counts the
# database file's pages mapped in) before and after, and the largest anonymous memory (RssAnon: the server's own
# allocations) seen every 0.1 s while each export runs.
# The ranking at 64 connections leaves requests in flight for about a second after wrk stops: the exports are
# timed once they are done, each export alone.
sleep 3
if wanted export; then
echo "server peak memory before the exports: $(grep VmHWM /proc/$SERVER/status | awk '{ print $2 / 1024 " MB" }')"
for format in csv xlsx; do
  echo "== export $format"
  (while sleep 0.1; do grep RssAnon /proc/$SERVER/status | awk '{ print $2 }'; done > "$DATA/rss.txt") &
  SAMPLER=$!
  curl -fs -H "Cookie: $BENCH_OFFICER_COOKIE" -o "$DATA/export.$format" -w "RESULT time=%{time_total}s bytes=%{size_download}\n" \
    "$URL/staff/applications.$format?call=$BENCH_CALL"
  kill $SAMPLER
  echo "rows: $( [ "$format" = csv ] && echo $(( $(wc -l < "$DATA/export.csv") - 1 )) || echo "see csv" ); server peak memory: $(grep VmHWM /proc/$SERVER/status | awk '{ print $2 / 1024 " MB" }'); largest anonymous memory during the export: $(sort -n "$DATA/rss.txt" | tail -1 | awk '{ print $1 / 1024 " MB" }')"
done
# The exports' files (85 MB) would be written back by the kernel some seconds later, into the next scripts' fsyncs:
# the autosave's p99 after the exports was 35–108 ms without this sync, 25–39 ms with it (bench/RESULTS.md).
sync
fi
run_c tasks 1
run tasks
run autosave
run budget
if wanted submit; then
  BEFORE=$(submitted); BEFORE=${BEFORE:-0}
  run submit
  AFTER=$(submitted); AFTER=${AFTER:-0}
  echo "submissions made: $((AFTER - BEFORE)) in ${SECONDS_PER_RUN} s = $(( (AFTER - BEFORE) / SECONDS_PER_RUN ))/s"
  # Each draft is submitted once: when all are, the rest of the run measures the answer to a second submission.
  if [ "$AFTER" -ge "$(wc -l < "$DATA/applications.txt")" ]; then
    echo "every draft of the benchmark user was submitted before the end: the rate is a lower bound (fewer seconds)"
  fi
fi
run health
if [ "${BENCH_KEEP:-0}" = 1 ]; then
  trap - EXIT
  declare -p BENCH_COOKIE BENCH_CSRF BENCH_IDS BENCH_DIR BENCH_THREADS BENCH_OFFICER_COOKIE BENCH_CALL BENCH_RANKING_PAGES \
    | sed 's/^declare -x /export /' > "$DATA/env.sh"
  echo "server left running: pid $SERVER, port $PORT; its sessions for wrk by hand: . $DATA/env.sh"
fi
