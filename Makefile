# jolt - build, test, demo. See README.md and docs/architecture.md.
#   make            build build/jolt (installs missing packages first)
#   make test       unit, golden and integration tests
#   make demo       run the starter suite on the simulator, write a report
#   make bench      throughput figures on an optimised build (installs wrk)
#   make DEV=1      warnings as errors
#   make SANITIZE=address,undefined | SANITIZE=thread
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
CC ?= cc
PKGS := yaml-0.1 jansson libgit2 libpcre2-8 sqlite3 libcurl libmicrohttpd zlib

BUILD := build
CFLAGS_BASE := -std=gnu11 -O2 -g -fopenmp -pthread -D_GNU_SOURCE \
	-I. -Iharness -MMD -MP
ifeq ($(DEV),1)
CFLAGS_BASE += -Wall -Wextra -Werror -Wvla -Wstrict-prototypes -Wshadow \
	-Wno-unused-parameter
endif
ifneq ($(SANITIZE),)
CFLAGS_BASE += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -O1
LDFLAGS_SAN := -fsanitize=$(SANITIZE)
endif
# Races inside uninstrumented system libraries (see the file).
export TSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/tsan.supp

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -fopenmp -pthread $(LDFLAGS_SAN) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

SRCS := $(sort $(wildcard harness/*/*.c perturb/*.c scaffolds/*.c reports/*.c))
LIB_SRCS := $(filter-out harness/cli/main.c,$(SRCS))
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAYS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/tests/replay_%)

.PHONY: all deps test demo install clean bench bench-deps fuzz check-flags \
	golden suites test-sanitize test-bins check-suites

all: deps
	@$(MAKE) --no-print-directory $(BUILD)/jolt

deps:
	@sh scripts/deps.sh

# Rebuild everything a flag change touches: objects depend on a file that
# changes only when the flags do.
$(BUILD)/flags: check-flags
	@:
check-flags:
	@mkdir -p $(BUILD)
	@echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' > $(BUILD)/flags.new
	@cmp -s $(BUILD)/flags.new $(BUILD)/flags || mv $(BUILD)/flags.new $(BUILD)/flags
	@rm -f $(BUILD)/flags.new

$(BUILD)/obj/%.o: %.c $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/jolt: $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $< $(LIB_OBJS) -o $@ $(ALL_LDFLAGS) $(LIBS) -lcmocka

# A fuzz target linked with replay.c: runs its corpus as a test.
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB_OBJS) $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< tests/fuzz/replay.c $(LIB_OBJS) -o $@ $(ALL_LDFLAGS) $(LIBS)

test: deps
	@$(MAKE) --no-print-directory test-bins
	@sh tests/run.sh $(BUILD)

test-bins: $(BUILD)/jolt $(TEST_BINS) $(FUZZ_REPLAYS)

# The tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and
# the threaded parts (HTTP loop, scheduler, server, store) under
# ThreadSanitizer, each in its own build directory. The long known-answer
# runs are left out (they exercise the same code as the runs kept).
SAN_TESTS ?= test_backend_http test_cli test_common test_csv test_dialect* \
	test_driver test_env test_grade test_http test_perturb* test_report \
	test_execmemo test_power test_robust test_sandbox test_scaffold test_serve \
	test_sim test_visible replay_fuzz_* validity \
	bad_input bad_suites cli contain crash plan refused_key resume serve tls
TSAN_TESTS ?= test_http test_backend_http test_serve test_driver test_execmemo http resume
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1
test-sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=address,undefined test-bins
	@JOLT_TESTS="$(SAN_TESTS)" sh tests/run.sh build-asan
	@$(MAKE) --no-print-directory BUILD=build-tsan SANITIZE=thread test-bins
	@JOLT_TESTS="$(TSAN_TESTS)" sh tests/run.sh build-tsan

# The demo: every axis (one operator each, at level 2), two repeats so the
# noise floor shows, on the look-up, document and file tasks of the
# starter suite (the repair tasks run the repositories' tests and take
# most of a full run's time). It ends with the drop per axis and the
# report's path: a self-contained HTML page with the trace viewer.
DEMO_OPS := tool_rename,sys_persona,user_typo,move_files,transient
DEMO_TASKS := doc-*,fin-*,ops-*
DEMO_FORMAT := html
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/jolt
	@rm -f $(BUILD)/demo.db $(BUILD)/demo.db-wal $(BUILD)/demo.db-shm
	$(BUILD)/jolt run suites/starter --model sim:brittle --ops $(DEMO_OPS) \
		--levels 2 --repeats 2 --tasks '$(DEMO_TASKS)' --out $(BUILD)/demo.db
	@$(BUILD)/jolt report $(BUILD)/demo.db --format $(DEMO_FORMAT) -o $(BUILD)/demo-report.$(DEMO_FORMAT)
	@echo; $(BUILD)/jolt report $(BUILD)/demo.db --format md | \
		awk '/^## Robustness by axis/ { p = 1 } p && /^Pairs:/ { exit } p'
	@echo "report: $(BUILD)/demo-report.$(DEMO_FORMAT) (every trial and its trace: $(BUILD)/demo.db)"

# Benchmarks print ratios against a baseline measured in the same run:
# scripts/bench.sh runs every tests/bench/*.sh on an optimised build of its
# own (-O2, no sanitizers, whatever this make was given).
BENCH_BUILD := $(BUILD)-bench
$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJS) $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(LIB_OBJS) -o $@ $(ALL_LDFLAGS) $(LIBS)

bench: deps bench-deps
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) SANITIZE= DEV= \
		$(BENCH_BUILD)/jolt $(BENCH_BUILD)/bench/bench_perturb
	@sh scripts/bench.sh $(BENCH_BUILD)

# What only `make bench` needs (wrk).
bench-deps:
	@sh scripts/deps.sh bench

# libFuzzer over each target for FUZZ_SECONDS, growing its corpus.
# Needs clang (installed here if missing).
FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v clang >/dev/null || (apt-get install -y -qq clang >/dev/null)
	@mkdir -p $(BUILD)/fuzz
	@for src in $(FUZZ_SRCS); do \
		name=$$(basename $$src .c); corpus=tests/fuzz/corpus/$${name#fuzz_}; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s over $$corpus"; \
		clang -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
			-I. -Iharness $(PKG_CFLAGS) $$src $(LIB_SRCS) \
			-o $(BUILD)/fuzz/$$name $(PKG_LIBS) -lm -fopenmp -pthread || exit 1; \
		mkdir -p $$corpus; \
		$(BUILD)/fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $$corpus || exit 1; \
	done

# Regenerate the shipped suites from their generators, byte for byte
# (scripts/suites/gen_*.py; review with git status suites/).
suites: deps
	@for g in $(sort $(wildcard scripts/suites/gen_*.py)); do \
		echo "suites: $$g"; python3 $$g || exit 1; \
	done

# The full check of every shipped suite: every operator at every level,
# seeds 1..3 (make test checks a fixed sample of each). Long: see
# suites/CHECKS.md for the last figures.
check-suites: all
	@sh scripts/check_suites.sh $(BUILD)/jolt

# Regenerate golden files deliberately; review with git diff tests/golden.
golden: deps
	@$(MAKE) --no-print-directory $(TEST_BINS)
	sh scripts/golden.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/jolt $(DESTDIR)$(PREFIX)/bin/jolt

clean:
	rm -rf $(BUILD) $(BUILD)-bench

-include $(OBJS:.o=.d)
