# libFuzzer harnesses (included by the Makefile).  The library is rebuilt with
# clang into build/fuzz/ with -fsanitize=fuzzer-no-link,address,undefined; each
# tests/fuzz/fuzz_<target>.c links into build/fuzz/<target>.
#
#   make fuzz                      every target for FUZZ_SECONDS (30) each
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=osc
#   build/fuzz/osc build/fuzz/corpus/osc tests/fuzz/seeds/osc   (by hand)
#
# Seeds live in tests/fuzz/seeds/<target>/; new corpus entries go to
# build/fuzz/corpus/<target>/ (not committed).  A crash leaves
# build/fuzz/crash-<target>-*: turn it into a unit test before fixing it.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(filter-out -Werror,$(BASE_CFLAGS)) -O1 -g $(FUZZ_SAN)
FUZZ_ALL     := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
fuzz_OBJ     := $(patsubst %.c,build/fuzz/%.o,$(LIB_SRC)) build/fuzz/gen/schema.o

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [fuzz] $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/fuzz/gen/schema.o: build/gen/schema.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

build/fuzz/libcs.a: $(fuzz_OBJ)
	@rm -f $@
	@ar rcs $@ $^

build/fuzz/%: tests/fuzz/fuzz_%.c build/fuzz/libcs.a
	@echo "  LD [fuzz] $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libcs.a $(LDLIBS) -lstdc++

fuzz-build: $(addprefix build/fuzz/,$(FUZZ_ALL))

# One target at a time (the machine is shared); stops at the first crash.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	    mkdir -p build/fuzz/corpus/$$t; \
	    build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=build/fuzz/crash-$$t- $(FUZZ_ARGS) \
	        build/fuzz/corpus/$$t tests/fuzz/seeds/$$t 2>build/fuzz/$$t.log \
	    || { tail -n 60 build/fuzz/$$t.log; exit 1; }; \
	    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' build/fuzz/$$t.log | tail -n 2; \
	done

# Deterministic replay of the committed seeds (and so of every crash turned
# into a seed): what CI runs, since a timed fuzz run could find something new
# on any given day.
fuzz-check: fuzz-build
	@for t in $(FUZZ_ALL); do \
	    build/fuzz/$$t -runs=0 tests/fuzz/seeds/$$t >build/fuzz/$$t.check.log 2>&1 \
	    || { echo "fuzz-check $$t failed:"; tail -n 40 build/fuzz/$$t.check.log; exit 1; }; \
	    echo "fuzz-check $$t: $$(ls tests/fuzz/seeds/$$t | wc -l) seeds replayed"; \
	done

.PHONY: fuzz-build fuzz-check
-include $(patsubst %.o,%.d,$(fuzz_OBJ))
