# Crowdstream `cs` build.  `make` builds build/cs; `make test` builds the
# sanitizer variant and runs every test; `make demo` runs the built-in demo.
# Sources are picked up by wildcard: a new file in pkg/, db/, player/ or cmd/
# needs no edit here.

CC      ?= cc
PKGS    := libavformat libavcodec libavfilter libavutil libswresample sndfile \
           rubberband liblo sdl2 libcjson libxml-2.0 sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -I. $(WARN) $(PKG_CFLAGS) -DCS_VERSION='"$(VERSION)"' -pthread
OPT     ?= -O2 -g
# libqm-dsp (Debian libqm-dsp-dev) ships no pkg-config file: its headers
# are under /usr/include/qm-dsp and include each other from there.
QM_CXXFLAGS := -isystem /usr/include/qm-dsp
LDLIBS  := $(PKG_LIBS) -lqm-dsp -lm -pthread
CXX     ?= g++
CXXFLAGS_BASE := -std=c++14 -D_GNU_SOURCE -I. -Wall -Wextra -Werror -Wshadow \
           -Wno-unused-parameter $(QM_CXXFLAGS) -pthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(wildcard pkg/*.c db/*.c player/*/*.c))
LIB_CXX  := $(sort $(wildcard pkg/*.cpp))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

# Two build flavours share one rule set: build/rel (optimised) and build/san
# (AddressSanitizer + UBSan, used by the tests).
define flavour
$(1)_OBJ  := $$(patsubst %.c,build/$(1)/%.o,$$(LIB_SRC)) build/$(1)/gen/schema.o \
             $$(patsubst %.cpp,build/$(1)/%.o,$$(LIB_CXX))
$(1)_CMD  := $$(patsubst %.c,build/$(1)/%.o,$$(CMD_SRC))
$(1)_UNIT := $$(patsubst tests/unit/%.c,build/$(1)/unit/%,$$(UNIT_SRC))
$(1)_TOOL := $$(patsubst tests/tools/%.c,build/$(1)/tools/%,$$(TOOL_SRC))

build/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC [$(1)] $$<"
	@$$(CC) $$(BASE_CFLAGS) $(2) -MMD -MP -c $$< -o $$@

build/$(1)/%.o: %.cpp
	@mkdir -p $$(dir $$@)
	@echo "  CXX [$(1)] $$<"
	@$$(CXX) $$(CXXFLAGS_BASE) $(2) -MMD -MP -c $$< -o $$@

build/$(1)/gen/schema.o: build/gen/schema.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(BASE_CFLAGS) $(2) -c $$< -o $$@

build/$(1)/libcs.a: $$($(1)_OBJ)
	@rm -f $$@
	@ar rcs $$@ $$^

build/$(1)/cs: $$($(1)_CMD) build/$(1)/libcs.a
	@echo "  LD [$(1)] $$@"
	@$$(CC) $(2) -o $$@ $$($(1)_CMD) build/$(1)/libcs.a $$(LDLIBS) -lstdc++

build/$(1)/unit/%: tests/unit/%.c tests/unit/unit.c tests/unit/unit.h build/$(1)/libcs.a
	@mkdir -p $$(dir $$@)
	@echo "  LD [$(1)] $$@"
	@$$(CC) $$(BASE_CFLAGS) $(2) -o $$@ $$< tests/unit/unit.c build/$(1)/libcs.a $$(LDLIBS) -lstdc++

build/$(1)/tools/%: tests/tools/%.c build/$(1)/libcs.a
	@mkdir -p $$(dir $$@)
	@echo "  LD [$(1)] $$@"
	@$$(CC) $$(BASE_CFLAGS) $(2) -o $$@ $$< build/$(1)/libcs.a $$(LDLIBS) -lstdc++

-include $$(patsubst %.o,%.d,$$($(1)_OBJ) $$($(1)_CMD))
endef

build/gen/schema.c: db/schema.sql db/gen-schema.sh
	@mkdir -p $(dir $@)
	sh db/gen-schema.sh $< $@

$(eval $(call flavour,rel,$(OPT)))
$(eval $(call flavour,san,-O1 -g $(SAN_FLAGS)))
# build/vg: no sanitizers, for valgrind memcheck (scripts/valgrind.sh); rel's
# flags (other levels raise other -Werror warnings).  GCC's maybe-uninitialized
# guesses are off: memcheck checks that for real.
$(eval $(call flavour,vg,$(OPT) -Wno-maybe-uninitialized))
include tests/fuzz/fuzz.mk

.PHONY: all deps test check demo bench fuzz valgrind clean
all: build/rel/cs
	@ln -sf rel/cs build/cs

deps:
	@bash scripts/install-deps.sh all

# Everything the test suite runs: both flavours of cs, unit binaries, tools.
test-build: build/rel/cs build/san/cs $(san_UNIT) $(san_TOOL) $(rel_TOOL)
	@ln -sf rel/cs build/cs

test: deps
	@$(MAKE) --no-print-directory -j2 test-build
	@bash tests/run.sh

check: test

demo: deps
	@$(MAKE) --no-print-directory -j2 all
	@bash scripts/demo.sh

# Unit binaries and a subset of e2e commands under valgrind memcheck (a few
# minutes; CI runs it after make test, see README).
valgrind:
	@$(MAKE) --no-print-directory -j2 build/vg/cs $(vg_UNIT) $(rel_TOOL)
	@bash scripts/valgrind.sh

bench: deps
	@$(MAKE) --no-print-directory -j2 all $(rel_TOOL)
	@for b in tests/bench/*/run.sh; do echo "== $$b"; bash $$b || exit 1; done

clean:
	rm -rf build
