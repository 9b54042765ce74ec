#!/bin/sh
# report_html.sh - the HTML report of two small runs (two models, two
# databases), one trace and one detail made hostile
# (</script><img src=x onerror=alert(1)>), opened in headless Chromium
# (html_browser.py): no console error, no CSP violation, no dialog and no
# network request; the charts and the trial browser are there; the hostile
# trial opens beside its baseline with the perturbation marked, its markup
# shown as text. Saves a screenshot for review and prints its path.
# Chromium comes from `make deps`; without it the test fails, unless
# JOLT_SKIP_BROWSER=1 says to skip the browser half.
. "$(dirname "$0")/lib.sh"
D=$JOLT_TEST_TMP/report_html
rm -rf "$D"
mkdir -p "$D"
chmod 755 "$D"
EVIL='</script><img src=x onerror=alert(1)>'
SEL="--tasks doc-bridge-year,doc-designer-birthplace --levels 1,3"
SEL="$SEL --ops tool_rename,user_typo,noise_files,truncate"

# shellcheck disable=SC2086
expect_exit 0 "run sim:brittle with repeats" $JOLT run suites/starter \
	--model sim:brittle $SEL --repeats 2 --out "$D/brittle.db"
# shellcheck disable=SC2086
expect_exit 0 "run sim:robust" $JOLT run suites/starter \
	--model sim:robust $SEL --out "$D/robust.db"

# The first failing tool_rename trial gets hostile text in its trace (a
# tool result, the thinking, the answer) and its detail.
id=$(sqlite3 "$D/brittle.db" "SELECT id FROM trials WHERE operator =
	'tool_rename' AND outcome = 'fail' ORDER BY id LIMIT 1")
sqlite3 "$D/brittle.db" "UPDATE traces SET trace = json_set(trace,
	'\$.messages[1].content', 'find $EVIL', '\$.answer', '$EVIL',
	'\$.messages[2].thinking', 'think $EVIL') WHERE trial_id = $id;
	UPDATE trials SET detail = 'evil $EVIL', task = task WHERE id = $id"
variant=$(sqlite3 "$D/brittle.db" "SELECT variant FROM trials
	WHERE id = $id")
check "a hostile trial to open" test -n "$variant"

expect_exit 0 "report --format html of two databases" $JOLT report \
	"$D/brittle.db" "$D/robust.db" --format html -o "$D/report.html"
check "no raw markup from the trace or the detail" \
	sh -c "! grep -q '<img' '$D/report.html'"
check "one executable script" \
	test "$(grep -o '<script>' "$D/report.html" | wc -l)" -eq 1
expect_exit 0 "report --help lists html" $JOLT report --help
check "report --help says what html holds" \
	grep -q 'html (one self-contained page' "$JOLT_TEST_TMP/last.out"

if [ "${JOLT_SKIP_BROWSER:-0}" = 1 ]; then
	ok "# SKIP headless chromium (JOLT_SKIP_BROWSER=1)"
	exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
	notok "chromium is not installed: run make deps (or set JOLT_SKIP_BROWSER=1)"
	exit 0
fi
shot=$D/report.png
if python3 "$(dirname "$0")/html_browser.py" "$D/report.html" "$shot" \
	"$variant" > "$D/browser.json" 2> "$D/browser.err"; then
	ok "the report opens in headless chromium"
else
	notok "the report opens in headless chromium"
	sed 's/^/#   /' "$D/browser.err" | tail -20
	exit 0
fi
echo "# screenshot: $shot"
# The checks on what the browser saw, one line each: "ok|notok<TAB>name".
python3 - "$D/browser.json" "$EVIL" > "$D/checks" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
evil = sys.argv[2]
p, t = d.get("page") or {}, d.get("trace") or {}
checks = [
    ("no console error, exception, CSP violation or dialog",
     d["errors"] == [], d["errors"]),
    ("no network request", d["requests"] == [], d["requests"]),
    ("every chart is drawn",
     {"chart-drops", "chart-heatmap", "chart-level-tool", "chart-level-user",
      "chart-level-env", "chart-level-response", "chart-passk"}
     <= set(p.get("charts", [])), p.get("charts")),
    ("the leaderboard has both models", p.get("leaderboard_rows") == 2,
     p.get("leaderboard_rows")),
    ("the trial list shows a page of trials",
     0 < p.get("list_rows", 0) <= 50 and "of 54 trials" in p.get("count", ""),
     (p.get("list_rows"), p.get("count"))),
    ("no element from the hostile text", p.get("imgs") == 0, p.get("imgs")),
    ("the hostile trial opens beside its baseline",
     t.get("opened") and t.get("columns") == 2, t),
    ("its steps: thinking, calls, results",
     t.get("steps", 0) >= 1 and t.get("thinking", 0) >= 1 and
     t.get("calls", 0) >= 1 and t.get("results", 0) >= 1, t),
    ("what the perturbation changed is marked",
     t.get("marks", 0) > 0 and "renamed tools" in t.get("changed", ""),
     (t.get("marks"), t.get("changed"))),
    ("the hostile markup is shown as text",
     ("find " + evil) in t.get("text", "") and
     ("think " + evil) in t.get("text", ""), t.get("errors")),
]
for name, good, why in checks:
    print(("ok\t" if good else "notok\t") + name +
          ("" if good else " (got: " + json.dumps(why)[:600] + ")"))
print("#\tchromium: load %.2f s, open a trace %.2f s" %
      (d.get("load_seconds", 0), d.get("open_seconds", 0)))
EOF
tab=$(printf '\t')
while IFS=$tab read -r verdict what; do
	case $verdict in
	ok) ok "$what" ;;
	notok) notok "$what" ;;
	*) echo "# $what" ;;
	esac
done < "$D/checks"
