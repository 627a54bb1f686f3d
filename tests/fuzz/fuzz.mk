# tests/fuzz/fuzz.mk: libFuzzer targets; the top Makefile -includes this.
#
# Every tests/fuzz/fuzz_X.c becomes $(BUILD)/fuzz/fuzz_X, built with clang,
# libFuzzer, ASan and UBSan against all of lib/*/*.c, and is added to FUZZ_BIN.
# Seeds live in tests/fuzz/corpus/X/ (in git); `make fuzz-run` runs each
# target for FUZZ_TIME seconds, writing what it finds under $(BUILD)/fuzz/
# so the seed folders stay as committed.

BUILD ?= build
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_PKGS = libpq json-c libcrypto libargon2 zlib libcrypt libcbor
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(LAYER_INC) \
	-DRESTAUTH_SQLDIR='"$(CURDIR)/sql"' \
	$(shell pkg-config --cflags $(FUZZ_PKGS))
FUZZ_LDLIBS = $(shell pkg-config --libs $(FUZZ_PKGS)) -lfcgi
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_LIB_SRC := $(LIB_SRC)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(BUILD)/fuzz/%.o)
FUZZ_BIN += $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# lib/ is compiled once for all targets (make -j builds it in parallel),
# and kept: made by a pattern rule, make would delete the objects as
# intermediate files and compile them all again next time.
.SECONDARY: $(FUZZ_LIB_OBJ)
$(BUILD)/fuzz/lib/%.o: lib/%.c tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -MF $@.d -MT $@ -o $@ $< $(FUZZ_LIB_OBJ) $(FUZZ_LDLIBS)

# The headers each object read (clang -MMD), as the top Makefile does.
-include $(FUZZ_LIB_OBJ:%=%.d) $(FUZZ_BIN:%=%.d)

.PHONY: fuzz-run
fuzz-run: $(FUZZ_BIN)
	@set -e; for bin in $(FUZZ_BIN); do \
		name=$${bin##*/fuzz_}; \
		mkdir -p $(BUILD)/fuzz/corpus-$$name; \
		echo "fuzz $$name for $(FUZZ_TIME)s"; \
		$$bin -max_total_time=$(FUZZ_TIME) \
		    -artifact_prefix=$(BUILD)/fuzz/$$name- \
		    $(BUILD)/fuzz/corpus-$$name tests/fuzz/corpus/$$name; \
	done
