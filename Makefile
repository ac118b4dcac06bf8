# gctrace - one plain Makefile.
#
#   make                 build everything into build/
#   make test            run every test (cmocka unit tests and end-to-end)
#   make test-asan       the tests under AddressSanitizer + UBSan (build-asan/),
#                        then test-asan-shim
#   make test-asan-shim  the recorder shim itself under ASan + UBSan, preloaded
#                        into the end-to-end tests (build-asan-shim/)
#   make test-tsan       libgoc's tests under ThreadSanitizer (build-tsan/)
#   make test-helgrind   libgoc's tests under Valgrind's Helgrind (build-hg/)
#   make test-real       real programs from Debian under gctrace run, default
#                        options (tests/real/run.sh; needs
#                        scripts/install-deps.sh --real)
#   make test-debian13   the README's Quick start in a fresh Debian 13 root
#   make bench           benchmarks (bench/README.md)
#   make install PREFIX=/usr/local DESTDIR=   (and make uninstall)
#
# Outputs mirror the installed layout, so that bin/gctrace finds
# ../lib/libgctrace.so in the build tree and after installation alike.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
SAN     ?=
# The shim runs inside programs that were not built with a sanitizer, so
# its own sanitizer flags are separate (test-asan builds it without,
# test-asan-shim with).
SHIM_SAN ?= $(SAN)
OPT     ?= -O2

# WERROR=1 makes every warning an error (CI builds so: .ci/run).
WERROR  ?=
WARN     = -Wall -Wextra $(if $(WERROR),-Werror)
CFLAGS  ?= $(OPT) -g
# -MMD -MP: each object's header dependencies, written beside it (.d)
# and read at the end of this file, so that no rule lists headers.
DEPFLAGS = -MMD -MP
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN) $(DEPFLAGS) -D_GNU_SOURCE -fPIC \
             -Iinclude -Icommon
SHIM_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SHIM_SAN) $(DEPFLAGS) -D_GNU_SOURCE -fPIC \
             -Iinclude -Icommon
LDFLAGS ?=
ALL_LDFLAGS = $(LDFLAGS) $(SAN)

OBJ = $(BUILD)/obj
OUT_LIB = $(BUILD)/lib
OUT_BIN = $(BUILD)/bin
OUT_LIBEXEC = $(BUILD)/libexec

# ---------------------------------------------------------------- libgoc
LIB_SRCS  := $(wildcard lib/*.c)
LIB_OBJS  := $(LIB_SRCS:lib/%.c=$(OBJ)/lib/%.o)
LIBT_OBJS := $(LIB_SRCS:lib/%.c=$(OBJ)/lib-trace/%.o)

# The version is said once, in goc.h; the shared libraries carry it in
# their file names and their soname (libgoc.so.MAJOR), and the
# unversioned names are links for the linker, as Debian's -dev packages
# have them.
VERSION       := $(shell sed -n 's/^\#define GOC_VERSION "\(.*\)"/\1/p' include/goc.h)
SOVERSION     := $(firstword $(subst ., ,$(VERSION)))

LIBGOC        = $(OUT_LIB)/libgoc.a
LIBGOC_SO     = $(OUT_LIB)/libgoc.so.$(VERSION)
LIBGOC_T      = $(OUT_LIB)/libgoc_trace.a
LIBGOC_T_SO   = $(OUT_LIB)/libgoc_trace.so.$(VERSION)
LIB_LIBS      = -lpthread -ldl
# libgoc's lock calls end in a tail call to pthread's (lib/sync.c), so
# that the recorder sees the program's line as where a lock was taken;
# kept so at every OPT (the sanitizer builds use -O1, where gcc does not
# make tail calls by default).
LIB_CFLAGS    = -fvisibility=hidden -foptimize-sibling-calls

$(OBJ)/lib/%.o: lib/%.c $(OBJ)/lib/%.d
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c $< -o $@

$(OBJ)/lib-trace/%.o: lib/%.c $(OBJ)/lib-trace/%.d
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -DGOC_TRACE -c $< -o $@

$(LIBGOC): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIBGOC_T): $(LIBT_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
# so_links FILE: FILE's soname link and its unversioned link beside it.
so_links = cd $(dir $(1)) && \
    ln -sf $(notdir $(1)) $(basename $(basename $(basename $(notdir $(1))))).$(SOVERSION) && \
    ln -sf $(notdir $(1)) $(basename $(basename $(basename $(notdir $(1)))))

$(LIBGOC_SO): $(LIB_OBJS)
	$(CC) -shared $(ALL_LDFLAGS) -Wl,-soname,libgoc.so.$(SOVERSION) -o $@ $^ $(LIB_LIBS)
	$(call so_links,$@)
$(LIBGOC_T_SO): $(LIBT_OBJS)
	$(CC) -shared $(ALL_LDFLAGS) -Wl,-soname,libgoc_trace.so.$(SOVERSION) -o $@ $^ $(LIB_LIBS)
	$(call so_links,$@)

lib: $(LIBGOC) $(LIBGOC_SO) $(LIBGOC_T) $(LIBGOC_T_SO)

# ---------------------------------------------------------------- common
# Code shared by the shim and the gctrace command.  The shim links only the
# parts that need neither sqlite nor libdw.
COMMON_SHIM_SRCS := common/options.c common/safe_file.c
COMMON_SHIM_OBJS := $(COMMON_SHIM_SRCS:common/%.c=$(OBJ)/shim-common/%.o)
COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:common/%.c=$(OBJ)/common/%.o)

# PROJECT_URL: the project's home page, named in SARIF reports (the
# tool's informationUri, each rule's helpUri under docs/findings.md).
PROJECT_URL ?=
COMMON_DEFS := $(if $(PROJECT_URL),-DGCT_PROJECT_URL='"$(PROJECT_URL)"')

$(OBJ)/common/%.o: common/%.c $(OBJ)/common/%.d $(BUILD)/gen/schema.h \
                   $(BUILD)/gen/empty_trace.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(COMMON_DEFS) -I$(BUILD)/gen -fvisibility=hidden -c $< -o $@

# The schema is kept as SQL (docs link to it) and compiled in as a string.
$(BUILD)/gen/schema.h: common/schema.sql
	@mkdir -p $(@D)
	{ echo 'static const char gct_schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

# The empty trace (the schema's tables), made once here by the sqlite that
# gctrace links and copied into each new trace instead of running the
# CREATE statements at every finish (common/gen/empty_trace.c says why).
$(BUILD)/gen/empty_trace.h: common/gen/empty_trace.c $(BUILD)/gen/schema.h
	$(CC) -std=c11 -O1 -D_GNU_SOURCE -I$(BUILD)/gen -o $(BUILD)/gen/empty_trace $< \
	    -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -lm -lpthread -ldl
	$(BUILD)/gen/empty_trace $(BUILD)/gen/empty_trace.db > $@.tmp
	mv $@.tmp $@

# ---------------------------------------------------------------- the shim
PRELOAD_SRCS := $(wildcard preload/*.c)
PRELOAD_OBJS := $(PRELOAD_SRCS:preload/%.c=$(OBJ)/preload/%.o)
LIBGCTRACE   := $(OUT_LIB)/libgctrace.so

$(OBJ)/preload/%.o: preload/%.c $(OBJ)/preload/%.d
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) -fvisibility=hidden -ftls-model=initial-exec -c $< -o $@

$(OBJ)/shim-common/%.o: common/%.c $(OBJ)/shim-common/%.d
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) -fvisibility=hidden -c $< -o $@

# -z nodelete: the recorder's end is an exit handler of its own
# (preload/init.c, exit_last), which must outlive a dlclose.
$(LIBGCTRACE): $(PRELOAD_OBJS) $(COMMON_SHIM_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared $(LDFLAGS) $(SHIM_SAN) -Wl,-soname,libgctrace.so -Wl,-z,nodelete -o $@ $^ -lunwind -ldl -lpthread

preload: $(LIBGCTRACE)

# ---------------------------------------------------------------- gctrace
VIEWER_SRCS := $(wildcard viewer/*.c viewer/tui/*.c)
VIEWER_OBJS := $(VIEWER_SRCS:viewer/%.c=$(OBJ)/viewer/%.o)
GCTRACE     := $(OUT_BIN)/gctrace
# sqlite and libdw are linked in statically: the finishing step runs at
# the exit of every traced program, and resolving and relocating those two
# libraries at its start was 2-3 ms of its 12-17 (docs/bench-shim.md).
# Their static archives come with the same -dev packages, but libdw's does
# not link everywhere (Debian 13's needs elfutils' internal libeu, which
# no package ships): scripts/libdw-link.sh finds out once per build tree,
# and where it fails libdw and libelf are linked dynamically
# (docs/portability.md).  DW_DEPS: what libdw's archive needs.
# LIBDW_LINK=dynamic, given when a build tree is first made (or after
# make clean), skips the attempt: the dynamic link, where the static works.
LIBDW_LINK ?= auto
LINK_MK := $(BUILD)/gen/link.mk
ifneq ($(filter-out clean fuzz-clean uninstall test-debian13,$(or $(MAKECMDGOALS),all)),)
-include $(LINK_MK)
endif
$(LINK_MK): scripts/libdw-link.sh
	@mkdir -p $(@D)
	sh scripts/libdw-link.sh $(if $(filter dynamic,$(LIBDW_LINK)),--dynamic) \
	    "$(CC)" $(LDFLAGS) > $@.tmp && mv $@.tmp $@

# Where libdw links statically, the compression libraries it needs link
# statically too (gctrace-finish has their archives already), and so does
# ncurses where its archive is installed: each shared library the runner
# loads is about 0.1 ms of the start of every `gctrace run`, which a test
# suite of short processes pays once per process (docs/bench-shim.md).
ifeq ($(DW_STATIC),yes)
DW_LIBS := -Wl,-Bstatic -lsqlite3 -ldw -lelf \
           $(filter-out -pthread -lpthread,$(DW_DEPS)) -Wl,-Bdynamic \
           $(filter -pthread -lpthread,$(DW_DEPS))
else
DW_LIBS := -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -ldw -lelf
endif
NCURSES_A := $(shell $(CC) -print-file-name=libncursesw.a)
TINFO_A := $(shell $(CC) -print-file-name=libtinfo.a)
ifneq ($(filter /%,$(NCURSES_A)),)
CURSES_LIBS := -Wl,-Bstatic -lncursesw $(if $(filter /%,$(TINFO_A)),-ltinfo) \
               -Wl,-Bdynamic
else
CURSES_LIBS := -lncursesw
endif
VIEWER_LIBS := $(DW_LIBS) $(CURSES_LIBS) -lm -lpthread -ldl

$(OBJ)/viewer/%.o: viewer/%.c $(OBJ)/viewer/%.d $(BUILD)/gen/schema.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -c $< -o $@

$(GCTRACE): $(VIEWER_OBJS) $(COMMON_OBJS) $(LINK_MK)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(VIEWER_LIBS)

# gctrace-finish: the finishing step alone, static, for the recorder to run
# at a traced program's exit (viewer/finisher/main.c says why).  Not in
# sanitizer builds, which cannot link statically: there the recorder runs
# `gctrace finish` instead.  Where libdw's archive does not link, it is a
# dynamic program with sqlite linked in, which loads shared libraries as
# gctrace does, so without nodl.o and the wrapped dl* functions.
FINISHER      := $(OUT_LIBEXEC)/gctrace-finish
FINISHER_OBJS := $(OBJ)/viewer/finisher/main.o \
                 $(OBJ)/viewer/cmd_finish.o $(OBJ)/viewer/say.o
ifeq ($(DW_STATIC),yes)
FINISHER_OBJS += $(OBJ)/viewer/finisher/nodl.o
FINISHER_LINK := -static-pie
FINISHER_LIBS := -Wl,--wrap=dlopen,--wrap=dlsym,--wrap=dlclose,--wrap=dlerror \
                 -lsqlite3 -ldw -lelf $(DW_DEPS) -lm -lpthread
else
FINISHER_LINK :=
FINISHER_LIBS := $(DW_LIBS) -lm -lpthread -ldl
endif

$(FINISHER): $(FINISHER_OBJS) $(COMMON_OBJS) $(LINK_MK)
	@mkdir -p $(@D)
	$(CC) $(FINISHER_LINK) $(LDFLAGS) -o $@ $(filter %.o,$^) $(FINISHER_LIBS)

ifeq ($(SAN),)
viewer: $(GCTRACE) $(FINISHER)
else
viewer: $(GCTRACE)
endif

# ---------------------------------------------------------------- samples
# Samples link the instrumented libgoc, so that gctrace sees their channels.
SAMPLE_SRCS := $(wildcard samples/*.c)
SAMPLES     := $(SAMPLE_SRCS:samples/%.c=$(BUILD)/samples/%)

$(BUILD)/samples/%: samples/%.c $(BUILD)/samples/%.d $(LIBGOC_T)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fno-omit-frame-pointer -o $@ $< $(LIBGOC_T) $(ALL_LDFLAGS) $(LIB_LIBS)

samples: $(SAMPLES)

# ---------------------------------------------------------------- tests
TEST_LIB_SRCS := $(wildcard tests/lib/test_*.c)
TEST_LIB_BINS := $(TEST_LIB_SRCS:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/lib/%: tests/lib/%.c $(BUILD)/tests/lib/%.d $(LIBGOC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ilib -o $@ $< $(LIBGOC) $(ALL_LDFLAGS) -lcmocka $(LIB_LIBS)

# Unit tests of common/ parts that need no program run: they link the
# common objects they test, and sqlite.
TEST_COMMON_SRCS := $(wildcard tests/common/test_*.c)
TEST_COMMON_BINS := $(TEST_COMMON_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_COMMON_OBJS := $(OBJ)/common/vocab.o $(OBJ)/common/sql_batch.o \
                    $(OBJ)/common/map.o

$(BUILD)/tests/common/%: tests/common/%.c $(BUILD)/tests/common/%.d \
                         $(TEST_COMMON_OBJS) $(BUILD)/gen/schema.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/gen -o $@ $< $(TEST_COMMON_OBJS) \
	    $(ALL_LDFLAGS) -lcmocka -lsqlite3

test-bins: $(TEST_LIB_BINS) $(TEST_COMMON_BINS)

# ---------------------------------------------------------------- bench
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: bench/%.c $(BUILD)/bench/%.d $(LIBGOC) $(LIBGOC_T)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBGOC) $(ALL_LDFLAGS) $(LIB_LIBS)

# Fuzzing harnesses and other optional parts keep their rules beside them.
-include $(wildcard tests/*/*.mk)

# ---------------------------------------------------------------- top level
all: lib preload viewer samples test-bins $(BENCH_BINS)

E2E_TESTS := $(wildcard tests/e2e/test_*.sh)

# Tests that compile against the build's libraries need its sanitizer flags.
test: all
	@GCT_TEST_CFLAGS="$(SAN)" tests/run-tests.sh $(BUILD) $(TEST_LIB_BINS) \
	    $(TEST_COMMON_BINS) $(E2E_TESTS)

# Long tests (issue sizes, valgrind): tests/stress/test_*.sh.
STRESS_TESTS := $(wildcard tests/stress/test_*.sh)

test-stress: all
	@tests/run-tests.sh $(BUILD) $(STRESS_TESTS)

test-lib: lib test-bins
	@tests/run-tests.sh $(BUILD) $(TEST_LIB_BINS)

# ASan wants its runtime first in the library list; the (unsanitized)
# shim is preloaded ahead of it in the end-to-end tests, which is safe.
# The sanitized shim has a run of its own: test-asan-shim.
test-asan:
	ASAN_OPTIONS=verify_asan_link_order=0 $(MAKE) BUILD=build-asan OPT=-O1 \
	    SHIM_SAN= \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test
	$(MAKE) test-asan-shim

# Only the shim is sanitized here: the end-to-end tests that work it
# hardest run with it preloaded, and any ASan, LSan or UBSan report from
# any of their processes fails them (tests/asan-shim/run.sh: the preload
# order and why).
ASAN_SHIM_TESTS := tests/asan-shim/test_shim_asan.sh \
    $(patsubst %,tests/e2e/test_%.sh,threads lockorder deadlock nodeadlock \
        crash c11 misuse behaviour hostile_threads hostile_life \
        hostile_signals hostile_procs record_all stacks site_stacks \
        killed_waiting mutex_fast leak_at_exit behave_locks \
        behave_exit behave_procs memgone wakeable self_deadlock spinlock)

test-asan-shim:
	$(MAKE) BUILD=build-asan-shim OPT=-O1 SAN= \
	    SHIM_SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-undefined-trap-on-error -fno-omit-frame-pointer" \
	    lib preload viewer
	@tests/asan-shim/run.sh build-asan-shim $(ASAN_SHIM_TESTS)

test-tsan:
	$(MAKE) BUILD=build-tsan OPT=-O1 SAN="-fsanitize=thread" test-lib

# Built with libgoc's Helgrind annotations (-DGOC_HELGRIND) by the script,
# in build-hg/helgrind; test-stress runs it too.
test-helgrind:
	@sh tests/stress/test_helgrind.sh build-hg

# Real programs from Debian (python3, java, node, OpenMP with gcc and
# clang, GLib, C++ threads, xz, zstd, pigz) natively and under `gctrace
# run` with default options: same output, same exit status.  What they
# need: scripts/install-deps.sh --real.  docs/real-programs.md.
test-real: preload viewer
	@tests/real/run.sh $(BUILD)

# The README's first command: the recorder on a sample with a bug.
demo: all
	@$(OUT_BIN)/gctrace run -o $(BUILD)/demo.db -- $(BUILD)/samples/bug_lock_order; \
	 status=$$?; echo "gctrace run exited with $$status (66: findings, as expected" \
	     "for this sample); see also: $(OUT_BIN)/gctrace report $(BUILD)/demo.db"; \
	 [ $$status -eq 66 ]

bench: all
	@bench/run.sh $(BUILD)

# The README's Quick start in a fresh Debian 13 root (debootstrap from
# this machine's mirror, chroot; as root).  CI runs it (.ci/run); its
# time and last result: docs/portability.md.
test-debian13:
	@sh tests/portability/debian13.sh

# The installed layout is the build tree's: gctrace finds the shim in
# ../lib beside itself, and the shim finds its finishing helper in
# ../libexec beside its own directory, so PREFIX may be anywhere and
# DESTDIR moves the whole tree.
BINDIR     = $(DESTDIR)$(PREFIX)/bin
LIBDIR     = $(DESTDIR)$(PREFIX)/lib
LIBEXECDIR = $(DESTDIR)$(PREFIX)/libexec
INCDIR     = $(DESTDIR)$(PREFIX)/include
PCDIR      = $(LIBDIR)/pkgconfig
MAN1DIR    = $(DESTDIR)$(PREFIX)/share/man/man1
# pc_file NAME WHAT: lib/goc.pc.in made into $(PCDIR)/NAME.pc.
pc_file = sed -e '/^\#/d' -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
              -e 's|@NAME@|$(1)|' -e 's|@WHAT@|$(2)|' lib/goc.pc.in > $(PCDIR)/$(1).pc

install: lib preload viewer
	install -d $(BINDIR) $(LIBDIR) $(LIBEXECDIR) $(INCDIR) $(PCDIR) $(MAN1DIR)
	install -m 755 $(GCTRACE) $(BINDIR)/
	install -m 755 $(LIBGCTRACE) $(LIBDIR)/
	$(if $(SAN),,install -m 755 $(FINISHER) $(LIBEXECDIR)/)
	install -m 644 $(LIBGOC) $(LIBGOC_T) $(LIBDIR)/
	install -m 755 $(LIBGOC_SO) $(LIBGOC_T_SO) $(LIBDIR)/
	$(call so_links,$(LIBDIR)/$(notdir $(LIBGOC_SO)))
	$(call so_links,$(LIBDIR)/$(notdir $(LIBGOC_T_SO)))
	install -m 644 include/goc.h include/gctrace.h $(INCDIR)/
	$(call pc_file,goc,)
	$(call pc_file,goc_trace,; instrumented for gctrace)
	sed 's/"gctrace [0-9.]*"/"gctrace $(VERSION)"/' docs/gctrace.1 >$(MAN1DIR)/gctrace.1
	chmod 644 $(MAN1DIR)/gctrace.1

uninstall:
	rm -f $(BINDIR)/gctrace $(LIBDIR)/libgctrace.so $(LIBEXECDIR)/gctrace-finish \
	    $(LIBDIR)/libgoc.a $(LIBDIR)/libgoc_trace.a \
	    $(LIBDIR)/libgoc.so $(LIBDIR)/libgoc.so.$(SOVERSION) $(LIBDIR)/libgoc.so.$(VERSION) \
	    $(LIBDIR)/libgoc_trace.so $(LIBDIR)/libgoc_trace.so.$(SOVERSION) \
	    $(LIBDIR)/libgoc_trace.so.$(VERSION) \
	    $(INCDIR)/goc.h $(INCDIR)/gctrace.h $(PCDIR)/goc.pc $(PCDIR)/goc_trace.pc \
	    $(MAN1DIR)/gctrace.1

clean:
	rm -rf build build-asan build-asan-shim build-tsan build-fuzz build-hg

# Header dependencies, as the compiler found them (DEPFLAGS).  Each
# object also depends on its .d file, named here as a target that makes
# nothing: an object without one (built before it was written, or by an
# older Makefile) is rebuilt, rather than kept with headers it no longer
# matches.  (Named one by one: a pattern rule would make them
# intermediate files, whose absence rebuilds nothing.)
ALL_DEPS := $(patsubst %.o,%.d,$(sort $(LIB_OBJS) $(LIBT_OBJS) \
                $(COMMON_OBJS) $(COMMON_SHIM_OBJS) $(PRELOAD_OBJS) \
                $(VIEWER_OBJS) $(FINISHER_OBJS) $(OBJ)/viewer/finisher/nodl.o)) \
            $(addsuffix .d,$(SAMPLES) $(TEST_LIB_BINS) $(TEST_COMMON_BINS) \
                $(BENCH_BINS))
-include $(wildcard $(ALL_DEPS))
$(ALL_DEPS): ;

.PHONY: all demo lib preload viewer samples test-bins test test-lib test-stress test-asan test-asan-shim test-tsan test-helgrind test-real bench \
        test-debian13 install uninstall clean
.DEFAULT_GOAL := all
