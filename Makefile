# jolt - build, test, demo. See README.md and docs/architecture.md.
#   make            build build/jolt (installs missing packages first)
#   make test       unit, golden and integration tests
#   make demo       run the starter suite on the simulator, write a report
#   make DEV=1      warnings as errors
#   make SANITIZE=address,undefined | SANITIZE=thread
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
CC ?= cc
PKGS := yaml-0.1 jansson libgit2 libpcre2-8 sqlite3 libcurl libmicrohttpd

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

.PHONY: all deps test demo install clean bench fuzz check-flags golden suites

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
	@$(MAKE) --no-print-directory $(BUILD)/jolt $(TEST_BINS) $(FUZZ_REPLAYS)
	@sh tests/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/jolt
	@rm -f $(BUILD)/demo.db $(BUILD)/demo.db-wal $(BUILD)/demo.db-shm
	$(BUILD)/jolt run suites/starter --model sim:brittle --repeats 2 --out $(BUILD)/demo.db
	$(BUILD)/jolt report $(BUILD)/demo.db --format md -o $(BUILD)/demo-report.md
	@echo; cat $(BUILD)/demo-report.md; echo
	@echo "report written to $(BUILD)/demo-report.md; every trial and its trace are in $(BUILD)/demo.db"

# Benchmarks print ratios against a baseline measured in the same run.
$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJS) $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(LIB_OBJS) -o $@ $(ALL_LDFLAGS) $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/jolt $(BUILD)/bench/bench_perturb
	@sh scripts/bench-suite.sh suites/starter $(BUILD)/bench/suite1000 1000
	$(BUILD)/bench/bench_perturb $(BUILD)/bench/suite1000
	@JOLT=$(BUILD)/jolt BUILD=$(BUILD) sh tests/bench/check.sh suites/starter

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

# Regenerate golden files deliberately; review with git diff tests/golden.
golden: deps
	@$(MAKE) --no-print-directory $(TEST_BINS)
	sh scripts/golden.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/jolt $(DESTDIR)$(PREFIX)/bin/jolt

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)
