# cli.sh - the command line contract: help, version, exit codes.
. tests/integration/lib.sh
expect_exit 0 "jolt --version" $JOLT --version
grep -q '^jolt [0-9]' "$JOLT_TEST_TMP/last.out" && ok "version printed" || notok "version printed"
expect_exit 0 "jolt --help" $JOLT --help
grep -q 'run ' "$JOLT_TEST_TMP/last.out" && grep -q 'check ' "$JOLT_TEST_TMP/last.out" \
	&& ok "help lists commands" || notok "help lists commands"
expect_exit 0 "jolt run --help" $JOLT run --help
grep -q -- '--resume' "$JOLT_TEST_TMP/last.out" && ok "run help lists --resume" || notok "run help lists --resume"
expect_exit 2 "no command" $JOLT
expect_exit 2 "unknown command" $JOLT frobnicate
expect_exit 2 "unknown flag" $JOLT run tests/fixtures/mini --frob
grep -q "unknown option '--frob'" "$JOLT_TEST_TMP/last.err" && ok "unknown flag named" || notok "unknown flag named"
expect_exit 2 "bad model spec" $JOLT run tests/fixtures/mini --model nonsense --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "unknown provider" $JOLT run tests/fixtures/mini --model zzz:m --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "bad sim profile" $JOLT run tests/fixtures/mini --model sim:tool=2 --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "bad history mode" $JOLT run tests/fixtures/mini --history none --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "bad shard" $JOLT run tests/fixtures/mini --shard 3/2 --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "missing suite" $JOLT run "$JOLT_TEST_TMP/nowhere" --out "$JOLT_TEST_TMP/x.db" -q
expect_exit 2 "report of a missing database" $JOLT report "$JOLT_TEST_TMP/none.db"
expect_exit 0 "mini run" $JOLT run tests/fixtures/mini --axes none --out "$JOLT_TEST_TMP/m.db" -q
expect_exit 2 "unknown report format" $JOLT report "$JOLT_TEST_TMP/m.db" --format pdf
expect_exit 2 "refuses to mix into an existing database without --resume" \
	$JOLT run tests/fixtures/mini --axes none --out "$JOLT_TEST_TMP/m.db" -q

# --tasks and --limit (run, check, perturb)
for c in run check perturb; do
	$JOLT $c --help > "$JOLT_TEST_TMP/h.out"
	grep -q -- '--tasks ID,GLOB' "$JOLT_TEST_TMP/h.out" && grep -q -- '--limit N' "$JOLT_TEST_TMP/h.out" \
		&& ok "$c help lists --tasks and --limit" || notok "$c help lists --tasks and --limit"
done
expect_exit 0 "run --tasks with a glob" $JOLT run tests/fixtures/mini --axes none --tasks 'wr*' --out "$JOLT_TEST_TMP/t1.db" -q
grep -q '^1 trials run' "$JOLT_TEST_TMP/last.out" && ok "the glob selects one task" || notok "the glob selects one task"
expect_exit 0 "run --limit 1" $JOLT run tests/fixtures/mini --axes none --limit 1 --out "$JOLT_TEST_TMP/t2.db" -q
grep -q '^1 trials run' "$JOLT_TEST_TMP/last.out" && ok "--limit 1 runs one task" || notok "--limit 1 runs one task"
expect_exit 0 "perturb --tasks a,b --limit 1" $JOLT perturb tests/fixtures/mini --tasks write,read --limit 1 --axes user
grep -q '^read/' "$JOLT_TEST_TMP/last.out" && ! grep -q '^write/' "$JOLT_TEST_TMP/last.out" \
	&& ok "--limit keeps the first task in suite order" || notok "--limit keeps the first task in suite order"
out="--out $JOLT_TEST_TMP/t3.db"
for c in run check perturb; do
	expect_exit 2 "$c --tasks matching nothing" $JOLT $c tests/fixtures/mini --tasks 'read,nosuch*' $out
	out=
	grep -q "'nosuch\*' matches no task" "$JOLT_TEST_TMP/last.err" && ok "$c names the pattern" || notok "$c names the pattern"
done
[ ! -e "$JOLT_TEST_TMP/t3.db" ] && ok "no database for a usage error" || notok "no database for a usage error"
expect_exit 2 "--limit 0" $JOLT check tests/fixtures/mini --limit 0

# a task without tools, a `command:` shorthand grader, a failing oracle
mkdir -p "$JOLT_TEST_TMP/plain" && cp -r tests/fixtures/mini/. "$JOLT_TEST_TMP/plain/"
cat > "$JOLT_TEST_TMP/plain/tasks/ask.yaml" <<'YAML'
id: ask
user: What is 6 times 7? Answer with the number.
tools: []
grade:
  - answer: {number: 42}
oracle:
  - answer: "42"
YAML
cat > "$JOLT_TEST_TMP/plain/tasks/hello.yaml" <<'YAML'
id: hello
user: Create hello.txt containing hello.
tools: [write_file]
grade:
  - command: "grep -qx hello hello.txt"
oracle:
  - call: {name: write_file, args: {path: hello.txt, content: "hello\n"}}
  - answer: done
YAML
expect_exit 0 "check a task without tools and a command shorthand" \
	$JOLT check "$JOLT_TEST_TMP/plain" --tasks ask,hello --axes user,system --levels 1 --failures-only
grep -q '^2 tasks and' "$JOLT_TEST_TMP/last.out" && ok "both tasks checked" || notok "both tasks checked"
expect_exit 0 "perturb: no tool-axis variant of a task without tools" $JOLT perturb "$JOLT_TEST_TMP/plain" --tasks ask --axes tool
[ ! -s "$JOLT_TEST_TMP/last.out" ] && ok "tool operators do not apply" || notok "tool operators do not apply"
expect_exit 0 "run a task without tools" $JOLT run "$JOLT_TEST_TMP/plain" --tasks ask --axes none --out "$JOLT_TEST_TMP/p.db" -q
grep -q 'pass 1, fail 0' "$JOLT_TEST_TMP/last.out" && ok "the plain question passes" || notok "the plain question passes"
expect_exit 0 "run a command-shorthand grader" $JOLT run "$JOLT_TEST_TMP/plain" --tasks hello --axes none --out "$JOLT_TEST_TMP/h.db" -q
grep -q 'pass 1, fail 0' "$JOLT_TEST_TMP/last.out" && ok "the shorthand grader passes" || notok "the shorthand grader passes"
sed -i 's/answer: "42"/answer: "41"/' "$JOLT_TEST_TMP/plain/tasks/ask.yaml"
expect_exit 1 "check exits 1 when an oracle fails" $JOLT check "$JOLT_TEST_TMP/plain" --tasks ask --axes none
grep -q '^FAIL  mini/ask/baseline' "$JOLT_TEST_TMP/last.out" && ok "the failure is listed" || notok "the failure is listed"

# Out-of-range numbers are refused, never rewritten (issue 13)
for a in "--seed 0" "--repeats 0" "--variants 0" "--concurrency 0" "--workers 0" \
	"--max-steps 0" "--max-tokens 0" "--request-timeout 0" "--timeout -1" "--repeats -3"; do
	expect_exit 2 "run $a is refused" $JOLT run tests/fixtures/mini --axes none $a --out "$JOLT_TEST_TMP/co.db" -q
	flag=${a%% *}
	grep -q -- "$flag" "$JOLT_TEST_TMP/last.err" && ok "run $a: the message names $flag" \
		|| notok "run $a: the message names $flag"
done
[ ! -e "$JOLT_TEST_TMP/co.db" ] && ok "a refused run writes no database" || notok "a refused run writes no database"
expect_exit 2 "perturb --seed 0 is refused" $JOLT perturb tests/fixtures/mini --seed 0
expect_exit 2 "perturb --variants 0 is refused" $JOLT perturb tests/fixtures/mini --variants 0
expect_exit 2 "serve --stall-ms 0 is refused" $JOLT serve --stall-ms 0 --listen 127.0.0.1:0
expect_exit 0 "run --timeout 0 (unlimited) --seed 7" $JOLT run tests/fixtures/mini --axes none --timeout 0 --seed 7 \
	--out "$JOLT_TEST_TMP/t0.db" -q
cfg=$(sqlite3 "$JOLT_TEST_TMP/t0.db" "SELECT config FROM runs" 2>/dev/null)
echo "$cfg" | grep -q '"timeout": *0[,.}]' && ok "--timeout 0 is kept as 0 (unlimited)" \
	|| notok "--timeout 0 is kept as 0 (unlimited): $cfg"
echo "$cfg" | grep -q '"seed": *7[,}]' && ok "--seed 7 is kept" || notok "--seed 7 is kept: $cfg"
