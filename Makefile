# Crowdstream `cs` build.  `make` builds build/cs; `make test` builds the
# sanitizer variant and runs every test; `make demo` runs the built-in demo.
# Sources are picked up by wildcard: a new file in pkg/, db/, player/ or cmd/
# needs no edit here.
# `make install PREFIX=/usr/local DESTDIR=` installs cs, cs.1, cs-play.service
# and its settings file; `make deb` makes a Debian package; `make check-arm64`
# cross-builds for arm64 and runs the tests under qemu-user (docs/testing.md).

# Plain `make` builds build/cs (fuzz.mk, included below, defines rules too).
.DEFAULT_GOAL := all
# Where the objects go: build/arm64 for the cross build (check-arm64).
BUILD   ?= build

CC      ?= cc
PKGS    := libavformat libavcodec libavfilter libavutil libswresample sndfile \
           rubberband liblo sdl2 libcjson libxml-2.0 sqlite3 libmicrohttpd \
           libebur128 libsystemd taglib zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -I. $(WARN) $(PKG_CFLAGS) -DCS_VERSION='"$(VERSION)"' -pthread
OPT     ?= -O2 -g
# libqm-dsp (Debian libqm-dsp-dev) ships no pkg-config file: its headers
# are under /usr/include/qm-dsp and include each other from there (QM_INC:
# check-arm64 points it into its sysroot).
QM_INC  ?= /usr/include/qm-dsp
QM_CXXFLAGS := -isystem $(QM_INC)
# The Debian -dev packages of the libraries linked without pkg-config.  With
# the owners of PKGS' .pc files they are what scripts/check-arm64.sh fetches
# for arm64 (`make print-deps`), so its sysroot follows this file.
NOPC_DEV := libqm-dsp-dev
LDLIBS  := $(PKG_LIBS) -lqm-dsp -lm -pthread
CXX     ?= g++
CXXFLAGS_BASE := -std=c++14 -D_GNU_SOURCE -I. -Wall -Wextra -Werror -Wshadow \
           -Wno-unused-parameter $(QM_CXXFLAGS) -pthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(wildcard pkg/*.c db/*.c player/*/*.c))
# Unit tests that also link a cmd/ file (the library holds no cmd/ code):
# test_faults_found checks cs play's allow-list build under allocation faults.
UNIT_CMD_TESTS := test_faults_found
UNIT_CMD_test_faults_found := cmd/play_allow
LIB_CXX  := $(sort $(wildcard pkg/*.cpp))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
# What every unit binary links besides its test_*.c: the framework
# (unit.c), the engine rig (rig.c) and shared collectors (rb_collect.c).
UNIT_LIB := $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

# Build flavours share one rule set: build/rel (optimised), build/san
# (AddressSanitizer + UBSan, used by the tests), build/vg and build/inj.
# $(3): extra objects linked into that flavour's cs only.
define flavour
$(1)_OBJ  := $$(patsubst %.c,$(BUILD)/$(1)/%.o,$$(LIB_SRC)) $(BUILD)/$(1)/gen/schema.o \
             $$(patsubst %.cpp,$(BUILD)/$(1)/%.o,$$(LIB_CXX))
$(1)_CMD  := $$(patsubst %.c,$(BUILD)/$(1)/%.o,$$(CMD_SRC))
$(1)_UNIT := $$(patsubst tests/unit/%.c,$(BUILD)/$(1)/unit/%,$$(UNIT_SRC))
$(1)_TOOL := $$(patsubst tests/tools/%.c,$(BUILD)/$(1)/tools/%,$$(TOOL_SRC))

$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC [$(1)] $$<"
	@$$(CC) $$(BASE_CFLAGS) $(2) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/%.o: %.cpp
	@mkdir -p $$(dir $$@)
	@echo "  CXX [$(1)] $$<"
	@$$(CXX) $$(CXXFLAGS_BASE) $(2) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/gen/schema.o: $(BUILD)/gen/schema.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(BASE_CFLAGS) $(2) -c $$< -o $$@

$(BUILD)/$(1)/libcs.a: $$($(1)_OBJ)
	@rm -f $$@
	@ar rcs $$@ $$^

$(BUILD)/$(1)/cs: $$($(1)_CMD) $(BUILD)/$(1)/libcs.a $(3)
	@echo "  LD [$(1)] $$@"
	@$$(CC) $(2) -o $$@ $$($(1)_CMD) $(3) $(BUILD)/$(1)/libcs.a $$(LDLIBS) -lstdc++

$(BUILD)/$(1)/unit/%: tests/unit/%.c $(UNIT_LIB) $(wildcard tests/unit/*.h) $(BUILD)/$(1)/libcs.a $(3)
	@mkdir -p $$(dir $$@)
	@echo "  LD [$(1)] $$@"
	@$$(CC) $$(BASE_CFLAGS) $(2) -o $$@ $$< $(UNIT_LIB) $$(filter $(BUILD)/$(1)/cmd/%.o,$$^) $(3) \
	    $(BUILD)/$(1)/libcs.a $$(LDLIBS) -lstdc++
# A unit test of a cmd/ file (no main) names it: $$(UNIT_CMD_<test>).
$$(foreach t,$$(UNIT_CMD_TESTS),$$(eval $(BUILD)/$(1)/unit/$$(t): $$(patsubst %,$(BUILD)/$(1)/%.o,$$(UNIT_CMD_$$(t)))))

$(BUILD)/$(1)/tools/%: tests/tools/%.c $(BUILD)/$(1)/libcs.a
	@mkdir -p $$(dir $$@)
	@echo "  LD [$(1)] $$@"
	@$$(CC) $$(BASE_CFLAGS) $(2) -o $$@ $$< $(BUILD)/$(1)/libcs.a $$(LDLIBS) -lstdc++

-include $$(patsubst %.o,%.d,$$($(1)_OBJ) $$($(1)_CMD))
endef

$(BUILD)/gen/schema.c: db/schema.sql db/gen-schema.sh
	@mkdir -p $(dir $@)
	sh db/gen-schema.sh $< $@

# The release build defines NDEBUG: the assert()s that state invariants (ring
# indices, the pending lists, voice states) run in san, vg, inj and fuzz,
# never on stage (docs/testing.md "Build flavours").
$(eval $(call flavour,rel,$(OPT) -DNDEBUG))
$(eval $(call flavour,san,-O1 -g $(SAN_FLAGS)))
# build/vg: no sanitizers, for valgrind memcheck (scripts/valgrind.sh); rel's
# flags (other levels raise other -Werror warnings).  GCC's maybe-uninitialized
# guesses are off: memcheck checks that for real.
$(eval $(call flavour,vg,$(OPT) -Wno-maybe-uninitialized))
# build/inj: san plus the fault-injection shim (tests/faults/shim.c): our
# objects' allocation and write-side I/O calls are wrapped at link time, so
# production code is untouched (docs/testing.md "Fault injection").
INJ_WRAP := $(foreach f,malloc calloc realloc strdup strndup realpath write fsync fdatasync \
              rename fflush fclose sf_writef_float sf_close,-Wl,--wrap=$(f))
$(eval $(call flavour,inj,-O1 -g $(SAN_FLAGS) $(INJ_WRAP),$(BUILD)/inj/tests/faults/shim.o))
include tests/fuzz/fuzz.mk

.PHONY: all deps test check demo bench fuzz valgrind faults soak clean install uninstall deb check-deb check-arm64 print-deps man
all: $(BUILD)/rel/cs
	@ln -sf rel/cs $(BUILD)/cs

deps:
	@bash scripts/install-deps.sh --dev

# Everything the test suite runs: both flavours of cs, unit binaries, tools.
test-build: build/rel/cs build/san/cs $(san_UNIT) $(san_TOOL) $(rel_TOOL)
	@ln -sf rel/cs build/cs

test: deps
	@$(MAKE) --no-print-directory -j2 test-build
	@bash tests/run.sh -j 2

check: test

demo: deps
	@$(MAKE) --no-print-directory -j2 all
	@bash scripts/demo.sh

# Unit binaries and a subset of e2e commands under valgrind memcheck (a few
# minutes; CI runs it after make test, docs/testing.md).
valgrind:
	@$(MAKE) --no-print-directory -j2 build/vg/cs $(vg_UNIT) $(rel_TOOL)
	@bash scripts/valgrind.sh

# Fault injection: every counted allocation and write, in turn, fails
# (tests/faults/run.sh; FAULT_STEP=k tries every k-th point only).
faults:
	@$(MAKE) --no-print-directory -j2 build/inj/cs build/inj/unit/test_faults_found build/rel/cs $(rel_TOOL)
	@build/inj/unit/test_faults_found
	@bash tests/faults/run.sh

bench: deps
	@$(MAKE) --no-print-directory -j2 all $(rel_TOOL)
	@for b in tests/bench/*/run.sh; do echo "== $$b"; bash $$b || exit 1; done

# Soak by hand (issue 21): 4 h of cs play live on the dummy driver with a
# movement script; memory, open files, CPU, underruns (tests/e2e/soak.sh;
# make test runs it for 60 s; SOAK_SECONDS=N for another length).
soak:
	@$(MAKE) --no-print-directory -j2 build/rel/cs
	@CS_ROOT=$(CURDIR) CS_REL_BIN=$(CURDIR)/build/rel/cs SOAK_STRICT=1 SOAK_SECONDS=$${SOAK_SECONDS:-14400} \
	    bash tests/e2e/soak.sh

clean:
	rm -rf build

# ---- install, man page, Debian package ----
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
# systemd reads /usr/local/lib/systemd/system too; the package uses /lib.
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(if $(filter /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc))
COMPDIR    ?= $(PREFIX)/share/bash-completion/completions
# A bash completion, when the project has one (installed as `cs`).
COMPLETION := $(firstword $(wildcard dist/cs.bash-completion scripts/cs-completion.bash dist/cs-completion.bash))

# The man page is made from `cs --help` and every `cs CMD --help`, so it is
# as true as they are (tests/e2e/install.sh checks every option is in it).
$(BUILD)/cs.1: $(BUILD)/rel/cs scripts/gen-man.sh
	bash scripts/gen-man.sh $(BUILD)/rel/cs $@
man: $(BUILD)/cs.1

$(BUILD)/cs-play.service: dist/cs-play.service.in
	@mkdir -p $(dir $@)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< >$@.tmp && mv $@.tmp $@

install: $(BUILD)/rel/cs $(BUILD)/cs.1
	@rm -f $(BUILD)/cs-play.service
	@$(MAKE) --no-print-directory $(BUILD)/cs-play.service BINDIR=$(BINDIR) SYSCONFDIR=$(SYSCONFDIR)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	install -m 755 $(BUILD)/rel/cs $(DESTDIR)$(BINDIR)/cs
	install -m 644 $(BUILD)/cs.1 $(DESTDIR)$(MANDIR)/man1/cs.1
	install -m 644 $(BUILD)/cs-play.service $(DESTDIR)$(UNITDIR)/cs-play.service
	@# The settings file is the admin's: never overwritten.
	@[ -e $(DESTDIR)$(SYSCONFDIR)/default/cs-play ] || \
	    install -m 644 dist/cs-play.default $(DESTDIR)$(SYSCONFDIR)/default/cs-play
	$(if $(COMPLETION),install -d $(DESTDIR)$(COMPDIR) && install -m 644 $(COMPLETION) $(DESTDIR)$(COMPDIR)/cs)
	@# Disabled by default: `systemctl enable --now cs-play` starts it.
	@[ -n "$(DESTDIR)" ] || ! [ -d /run/systemd/system ] || systemctl daemon-reload || true

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cs $(DESTDIR)$(MANDIR)/man1/cs.1 $(DESTDIR)$(UNITDIR)/cs-play.service \
	      $(DESTDIR)$(COMPDIR)/cs
	@[ ! -e $(DESTDIR)$(SYSCONFDIR)/default/cs-play ] || \
	    echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/default/cs-play (your settings)"

# make deb [DEB_ARCH=arm64 after make check-arm64's build]: build/cs_<version>_<arch>.deb.
DEB_ARCH ?= $(shell dpkg --print-architecture)
deb: $(BUILD)/rel/cs
	@BUILD=$(BUILD) DEB_ARCH=$(DEB_ARCH) VERSION=$(VERSION) bash scripts/make-deb.sh

# The package installed in a clean debootstrapped Debian 12 (root, network).
check-deb: deb
	@bash scripts/check-deb-chroot.sh

# ---- arm64 (the Raspberry Pi): cross-build, tests under qemu-user ----
# The cross compilers and qemu first (install-deps.sh --cross-arm64: a no-op
# when present), as make test installs its own; the native build/rel/cs is
# the other side of the render comparison.
check-arm64:
	@bash scripts/install-deps.sh --cross-arm64
	@$(MAKE) --no-print-directory -j$${JOBS:-2} build/rel/cs
	@bash scripts/check-arm64.sh

# What the build links, for scripts/check-arm64.sh: pkg-config modules, then
# the -dev packages of the libraries that have no .pc file.
print-deps:
	@echo $(PKGS)
	@echo $(NOPC_DEV)
