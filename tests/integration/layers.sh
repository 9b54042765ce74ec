# layers.sh - no #include runs upward (scripts/layers.sh): the real tree is
# clean, and the checker does fail, naming file, line and include, on a
# copy with one upward include added.
. tests/integration/lib.sh
L=scripts/layers.sh

sh $L . > "$JOLT_TEST_TMP/layers.out" 2>&1
if [ $? -eq 0 ]; then ok "the tree has no upward include"; else
	notok "the tree has no upward include"
	sed 's/^/#   /' "$JOLT_TEST_TMP/layers.out"
fi

# A copy of the tree with perturb/registry.c reaching up into cli.
C="$JOLT_TEST_TMP/layers-copy"
rm -rf "$C"; mkdir -p "$C"
cp -r harness perturb reports scripts "$C"/
[ -d scaffolds ] && cp -r scaffolds "$C"/
n=$(($(wc -l < "$C/perturb/registry.c") + 1))
echo '#include "cli/cli.h"' >> "$C/perturb/registry.c"
expect_exit 1 "an upward include fails the check" sh $L "$C"
grep -q "^perturb/registry.c:$n: #include \"cli/cli.h\" runs upward" "$JOLT_TEST_TMP/last.out" &&
	ok "the failure names file, line and include" ||
	{ notok "the failure names file, line and include"; sed 's/^/#   /' "$JOLT_TEST_TMP/last.out"; }

# The rule itself on a small synthetic tree: allowed edges pass, each kind
# of violation fails.
S="$JOLT_TEST_TMP/layers-mini"
mk() {
	rm -rf "$S"; mkdir -p "$S/harness/core" "$S/harness/world" "$S/harness/run" \
		"$S/harness/serve" "$S/harness/cli" "$S/perturb" "$S/reports"
	echo '#include "core/common.h"' > "$S/harness/core/a.c"
	printf '#include "core/a.h"\n#include "perturb/p.h"\n' > "$S/perturb/p.c"
	printf '#include "perturb/p.h"\n#include "world/w.h"\n' > "$S/harness/world/w.c"
	printf '#include "reports/r.h"\n#include "world/w.h"\n#include "model/m.h"\n' > "$S/harness/run/r.c"
	printf '#include "model/m.h"\n#include <stdio.h>\n' > "$S/harness/serve/s.c"
	printf '#include "run/run.h"\n#include "serve/serve.h"\n' > "$S/harness/cli/main.c"
	echo '#include "core/common.h"' > "$S/reports/r.c"
}
mk
expect_exit 0 "allowed includes pass" sh $L "$S"
mk; echo '#include "perturb/p.h"' >> "$S/reports/r.c"
expect_exit 1 "a sibling include (reports -> perturb) fails" sh $L "$S"
mk; echo '#include "world/w.h"' >> "$S/harness/serve/s.c"
expect_exit 1 "serve including world fails" sh $L "$S"
mk; echo '#include "run/run.h"' >> "$S/harness/world/w.c"
expect_exit 1 "world including run fails" sh $L "$S"
mk; echo '#include "common.h"' >> "$S/harness/core/a.c"
expect_exit 1 "an include that does not name its folder fails" sh $L "$S"
grep -q 'harness/core/a.c:2: #include "common.h" does not name its folder' "$JOLT_TEST_TMP/last.out" &&
	ok "the unnamed folder is reported with its line" ||
	notok "the unnamed folder is reported with its line"
