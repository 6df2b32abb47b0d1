#!/bin/sh
# make bench: every benchmark, one "figure: NAME VALUE UNIT" line per figure.
set -eu
build=${1:-build}
echo "== tap commit (local store, synchronous=FULL)"
"$build/bench/bench_tap_commit"
echo "== technician PIN check (argon2id, on the render loop's thread)"
"$build/bench/bench_pin_verify"
echo "== slip alerts: detection delay and false alarms (simulated departments, the server's rules)"
"$build/bench/bench_slip"
echo "== slip alerts where detection is hard: small drops, few taps, day-to-day noise, beside a calibrated daily threshold"
"$build/bench/bench_slip_scenarios"

# The sync benchmarks push to a throwaway PostgreSQL 15 on loopback
# (tests/sync/pg_cluster.py: a temp dir, a free port, trust auth, fsync=off),
# stopped whatever happens.  The fleet keeps one connection per kiosk, so
# 1000 kiosks need max_connections above 1000: the one option passed.
echo "== comments: a department page and the API over 5000 comments moderated on read, a phone post"
python3 bench/comments_bench.py "$build"

echo "== sync to PostgreSQL (a throwaway cluster: tests/sync/pg_cluster.py)"
statedir=$(mktemp -d /tmp/wowbench-pg.XXXXXX)
state=$statedir/cluster.json
stop_cluster() {
    python3 tests/sync/pg_cluster.py stop "$state" 2>/dev/null || true
    rm -rf "$statedir"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM
python3 tests/sync/pg_cluster.py start "$state" --opt max_connections=1100 2>/dev/null
conninfo=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["conninfo"])' "$state")
echo "cluster: $conninfo (python3 tests/sync/pg_cluster.py start STATE --opt max_connections=1100)"
echo "== kiosk (real binary, SDL dummy driver, software renderer; then beside a slow database)"
python3 bench/kiosk_bench.py "$build" --pg-state "$state" --accessible
echo "== the on-screen keyboard: key press to frame (\"Tell us more\"), dummy and X11"
python3 bench/keyboard_bench.py "$build"
echo "== display paths side by side: dummy, X11 under Xvfb (no GL stack), Chromium --kiosk beside them"
python3 bench/display_bench.py "$build"
echo "== sync: a 30-day offline backlog, then idle rounds"
"$build/bench/bench_sync_backlog" "$conninfo"
echo "== sync: a fleet of 1000 kiosks on one PostgreSQL"
"$build/bench/bench_sync_fleet" "$conninfo"
echo "== sync: the same fleet through PgBouncer (transaction pooling, 20 server connections)"
python3 bench/fleet_pooled.py "$build"
echo "== catalog rollout: wowdash catalog import to 1000 kiosks reporting the new version (60 s interval)"
"$build/bench/bench_sync_catalog_rollout" "$conninfo" "$build/app/dash/wowdash"
echo "== tap to dashboard: 1000 kiosks (real sync threads) and wowdash serve on one PostgreSQL"
"$build/bench/bench_sync_tap_dashboard" "$conninfo" "$build/app/dash/wowdash"
echo "== dashboard: a 1000-kiosk year in PostgreSQL (its own cluster), rollups, pages, CSV"
python3 bench/dash_bench.py "$build"
echo "== internal teams: the customers' answers traced to them over a year of follow-ups (400 kiosks)"
python3 bench/attributed_bench.py "$build"
echo "== dashboard under load: 100 keep-alive clients on /overview (seed.py's world, SQLite)"
python3 bench/dash_load.py "$build"
echo "== the kmsdrm path in the virtual kiosk (qemu-system-aarch64, TCG): the image as make vm-test builds it"
if [ "$(id -u)" -eq 0 ] && [ -f "${WOW_VM_CACHE:-/var/cache/wowkiosk-vm}/image/wowkiosk.img" ]; then
    bash tests/vm/vm-test.sh "$build" || echo "vm-test failed (its figures above, if any, are not to be quoted)"
else
    echo "skipped: needs root and a built image (sudo make vm-test once)"
fi
