# tests/fuzz/fuzz.mk - libFuzzer harnesses for what gctrace reads from
# outside: GCTRACE_OPTIONS, suppression files, raw logs, sqlite traces.
# Included by the top-level Makefile; nothing here is part of `make all`.
#
#   make fuzz-build              harnesses into $(FUZZ_DIR) (clang)
#   make fuzz FUZZ_SECONDS=600   each harness for FUZZ_SECONDS (default 60)
#   make fuzz-smoke              each harness for 10 s
#
# Seeds are read from tests/fuzz/corpus/<harness>; what the fuzzer adds
# goes to $(FUZZ_DIR)/corpus/<harness>, crashes to $(FUZZ_DIR)/crashes/.
# See docs/fuzzing.md.

FUZZ_CC      ?= clang
FUZZ_DIR     ?= $(BUILD)-fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?= -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_HARNESSES := fuzz_options fuzz_suppressions fuzz_rawlog fuzz_tracedb \
                  fuzz_traceschema

# UBSan aborts instead of printing and going on, so libFuzzer sees UB as a
# crash and saves the input.
FUZZ_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 $(WARN) $(DEPFLAGS) -O1 -g -D_GNU_SOURCE -Iinclude -Icommon \
              -I$(BUILD)/gen
FUZZ_OBJS  := $(COMMON_SRCS:common/%.c=$(FUZZ_DIR)/obj/common/%.o)
FUZZ_BINS  := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/%)

$(FUZZ_DIR)/obj/common/%.o: common/%.c $(FUZZ_DIR)/obj/common/%.d $(BUILD)/gen/schema.h \
                              $(BUILD)/gen/empty_trace.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	    -c $< -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_OBJS) -lsqlite3 -ldw -lelf

-include $(wildcard $(FUZZ_OBJS:.o=.d))
$(FUZZ_OBJS:.o=.d): ;

fuzz-build: $(FUZZ_BINS)

# Runs every harness for $(1) seconds, stopping at the first that fails.
# A smaller ASan quarantine than the 256 MB default roughly doubles the
# sqlite harnesses' speed (fewer fresh pages to fault in).
define fuzz-run
	@mkdir -p $(FUZZ_DIR)/crashes
	@for h in $(FUZZ_HARNESSES); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$h; \
	    echo "fuzz: $$h for $(1) s"; \
	    ASAN_OPTIONS=$${ASAN_OPTIONS:-quarantine_size_mb=16} \
	    $(FUZZ_DIR)/$$h $(FUZZ_FLAGS) -max_total_time=$(1) \
	        -artifact_prefix=$(FUZZ_DIR)/crashes/$$h- \
	        $(FUZZ_DIR)/corpus/$$h tests/fuzz/corpus/$$h \
	        2>$(FUZZ_DIR)/$$h.log \
	    || { tail -n 60 $(FUZZ_DIR)/$$h.log; \
	         echo "fuzz: $$h failed, see $(FUZZ_DIR)/$$h.log"; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
	        $(FUZZ_DIR)/$$h.log | sed 's/^/    /'; \
	done
endef

fuzz: fuzz-build
	$(call fuzz-run,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-build
	$(call fuzz-run,10)

# The harnesses' names, for tests/e2e/test_fuzz_smoke.sh.
fuzz-list:
	@echo $(FUZZ_HARNESSES)

fuzz-clean:
	rm -rf $(FUZZ_DIR)

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-list fuzz-clean
