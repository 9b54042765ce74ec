# task_env_rev.sh - a task's `env: {rev}` checks the suite's repository out
# at that commit for its trials: `jolt check` replays two tasks pinned to
# two commits and each grader sees its own task's tree.
. tests/integration/lib.sh
S="$JOLT_TEST_TMP/revs"
rm -rf "$S"; mkdir -p "$S/repo" "$S/tasks"
g() { git -c safe.directory='*' -c user.name=t -c user.email=t@example.com -C "$S/repo" "$@"; }
printf 'old\n' > "$S/repo/data.txt"
g init -q -b main && g add -A && g commit -q -m first
first=$(g rev-parse HEAD)
printf 'new\n' > "$S/repo/data.txt"
g commit -q -am second
cat > "$S/suite.yaml" <<YAML
name: revs
env: {repo: repo, rev: main}
tools:
  - {name: submit, description: Submit., run: {builtin: submit}}
YAML
# The answer is graded too: a task that an agent doing nothing passes is a
# failure of jolt check (sim:null).
task() { # ID REV-LINE WANT
	printf 'id: %s\nuser: What does data.txt hold?\n%s\ngrade:\n  - file: {path: data.txt, equals: "%s\\n"}\n  - answer: {exact: %s}\noracle:\n  - answer: %s\n' \
		"$1" "$2" "$3" "$3" "$3" > "$S/tasks/$1.yaml"
}
task pinned "env: {rev: $first}" old
task tip "" new
expect_exit 0 "jolt check: each task's oracle passes on its own revision" \
	$JOLT check "$S" --axes none
# The same graders swapped must fail: the trees really differ.
task pinned "env: {rev: $first}" new
task tip "" old
expect_exit 1 "jolt check fails when a task's grader expects the other revision" \
	$JOLT check "$S" --axes none
grep -q 'pinned' "$JOLT_TEST_TMP/last.out" && ok "the failing pinned task is named" ||
	notok "the failing pinned task is named"
task pinned "env: {rev: main}" old
expect_exit 2 "a branch name as a task's rev is refused" $JOLT check "$S" --axes none
grep -q 'tasks/pinned.yaml:3:12:.*40 hex digits' "$JOLT_TEST_TMP/last.err" &&
	ok "refusal names file:line:col" || notok "refusal names file:line:col"
