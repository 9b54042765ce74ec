#!/bin/sh
# report.sh - `make bench`: how long `jolt report` takes to write the md,
# json and html reports of 100,000 trials, and how long Chromium takes to
# open the html one and one of its traces.
#
# The database is synthetic, built in SQL: a small real run gives the
# schema and a template trace; 4 models x 500 tasks x 2 repeats x (the
# baseline and 24 variants: 5 axes, 2 operators, levels 1-3) trials are
# inserted with random outcomes (perturbed trials pass less often), each
# with the template trace made distinct (its task, variant and a tool
# result with 300 random hex characters, so chunks do not compress
# better than real ones). Run with JOLT=an optimised jolt and BUILD=the
# build directory (make bench sets both); N=trials (a multiple of 4000).
set -eu
: "${JOLT:=build/jolt}"
: "${BUILD:=build}"
N=${N:-100000}
TARGET=10 # seconds per report
D=$BUILD/bench/report
mkdir -p "$D"
chmod 755 "$D"
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -s "$D/big-$N.db" ]; then
	rm -f "$D"/seed.db* "$D/big.db"
	"$JOLT" run suites/starter --model sim:brittle --tasks doc-bridge-year \
		--ops tool_rename --levels 1 --out "$D/seed.db" > /dev/null
	sqlite3 "$D/seed.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
	cp "$D/seed.db" "$D/big.db"
	sqlite3 "$D/big.db" > /dev/null <<EOF
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TEMP TABLE tpl AS SELECT trace FROM traces
	WHERE trial_id = (SELECT min(id) FROM trials WHERE axis = 'tool');
DELETE FROM traces;
DELETE FROM trials;
CREATE TEMP TABLE axes(a INTEGER PRIMARY KEY, name TEXT);
INSERT INTO axes VALUES (0, 'tool'), (1, 'system'), (2, 'user'),
	(3, 'env'), (4, 'response');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
	WHERE i < $N - 1),
g AS (SELECT i, i % 4 AS m, (i / 4) % 500 AS t, (i / 2000) % 2 AS rep,
	i / 4000 AS vv FROM n),
h AS (SELECT g.*, (vv - 1) % 5 AS ax, ((vv - 1) / 5) % 3 + 1 AS lvl,
	((vv - 1) / 5) / 3 AS op FROM g)
INSERT INTO trials(run_id, key, model, scaffold, suite, task, variant, axis,
	operator, level, seed, repeat, outcome, reward, steps, tokens_in,
	tokens_out, latency_ms, error_class, malformed_calls, answer, detail,
	finished)
SELECT 1, printf('sim:m%d|native|bench|task-%03d|%s|%d', m, t,
	CASE vv WHEN 0 THEN 'baseline' ELSE printf('task-%03d/%s.op%d@%d#1',
		t, (SELECT name FROM axes WHERE a = ax), op, lvl) END, rep),
	printf('sim:m%d', m), 'native', 'bench', printf('task-%03d', t),
	CASE vv WHEN 0 THEN 'baseline' ELSE printf('task-%03d/%s.op%d@%d#1',
		t, (SELECT name FROM axes WHERE a = ax), op, lvl) END,
	CASE vv WHEN 0 THEN 'baseline' ELSE (SELECT name FROM axes
		WHERE a = ax) END,
	CASE vv WHEN 0 THEN '' ELSE printf('op%d', op) END,
	CASE vv WHEN 0 THEN 0 ELSE lvl END, CASE vv WHEN 0 THEN 0 ELSE 1 END,
	rep, CASE WHEN abs(random()) % 1000 < 5 THEN 'infra_error'
		WHEN abs(random()) % 100 < 85 THEN 'pass' ELSE 'fail' END,
	0, 3, 1200, 150, 240, '', 0, 'answer', NULL, '2026-01-01T00:00:00Z'
FROM h;
-- perturbed trials fail more often: more at higher levels and models
UPDATE trials SET outcome = 'fail'
	WHERE axis != 'baseline' AND outcome = 'pass'
	AND abs(random()) % 100 < 5 * (level + CAST(substr(model, 6) AS INT));
UPDATE trials SET reward = outcome = 'pass',
	error_class = CASE outcome WHEN 'pass' THEN '' WHEN 'fail'
		THEN 'graded_fail' ELSE 'infra_model' END,
	detail = CASE outcome WHEN 'pass' THEN NULL
		ELSE 'grade[0] (answer): expected 1847' END;
INSERT INTO traces(trial_id, trace)
SELECT id, json_set((SELECT trace FROM tpl),
	'\$.messages[1].content', 'In what year was ' || task || ' done?',
	'\$.messages[3].content', 'result for ' || variant || ': ' ||
		hex(randomblob(150)),
	'\$.variant', variant, '\$.answer', answer)
FROM trials;
EOF
	mv "$D/big.db" "$D/big-$N.db"
fi
db=$D/big-$N.db
n=$(sqlite3 "$db" "SELECT count(*) FROM trials")
mb=$(sqlite3 "$db" "SELECT sum(length(trace)) / 1000000 FROM traces")

# "WALL CPU": seconds of wall clock and of CPU (user + system) a command
# takes. The verdict is on CPU time: on a shared machine the wall clock
# says more about the neighbours (the load average is printed with it).
# OpenMP threads waiting at a barrier spin by default, and on a busy
# machine that spinning is CPU time too: passive waiting makes the figure
# the work done.
export OMP_WAIT_POLICY=passive
seconds() {
	python3 -c 'import resource, subprocess, sys, time
t = time.time()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.1f %.1f" % (time.time() - t, r.ru_utime + r.ru_stime))' "$@"
}
md=$(seconds "$JOLT" report "$db" --format md -o "$D/r.md")
json=$(seconds "$JOLT" report "$db" --format json -o "$D/r.json")
html=$(seconds "$JOLT" report "$db" --format html -o "$D/r.html")
size=$(du -m "$D/r.html" | cut -f1)
load=$(cut -d' ' -f1 /proc/loadavg)
echo "$n $mb $md $json $html $size $TARGET $load" | awk '{
	verdict = ($4 < $10 && $6 < $10 && $8 < $10) ? "holds" : "MISSED"
	printf "report: %d trials (%d MB of traces): md %.1f s json %.1f s " \
		"html %.1f s (%d MB) CPU time (target < %d s each): %s; " \
		"wall clock %.1f / %.1f / %.1f s at load average %s\n", \
		$1, $2, $4, $6, $8, $9, $10, verdict, $3, $5, $7, $11
}'

if command -v chromium > /dev/null 2>&1; then
	python3 "$here/../integration/html_browser.py" "$D/r.html" \
		"$D/r.png" "task-007" > "$D/browser.json"
	python3 - "$D/browser.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = d.get("trace") or {}
print("report: chromium opens the html in %.1f s, a trace in %.1f s "
      "(%s; %d errors, %d requests)" % (d["load_seconds"],
      d["open_seconds"], "opened beside its baseline" if t.get("opened")
      and t.get("columns") == 2 else "opened" if t.get("opened") else
      "NOT OPENED", len(d["errors"]),
      len(d["requests"])))
EOF
fi
