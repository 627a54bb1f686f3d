# restauth: plain make, pkg-config, no autotools.
#   make deps   install the Debian packages (as root)
#   make        build everything into $(BUILD)/
#   make check  unit tests + a short fuzz run, no servers (under a minute)
#   make test   everything a release needs: make check's tests, then the
#               HTTP and interop files, TEST_JOBS (the core count) at once;
#               last line "N passed, M failed"
#   make test-slow  what must run alone or takes long: the timing test,
#               Chromium, the fault sweep (make valgrind is its own target)
#   make run    serve the API on http://127.0.0.1:$(PORT)/auth/ through
#               $(SERVER): lighttpd, apache, nginx, apache-cgi, lighttpd-cgi
#   make install  into $(DESTDIR)$(PREFIX), built apart in build-install/
#   make asan   the whole test suite under ASan+UBSan, in build-asan/
#   make fuzz   each libFuzzer target for FUZZ_TIME seconds
#   make bench  speed and memory figures against this machine's ceiling

BUILD ?= build
PORT ?= 8000
CONFIG ?= config/restauth.json
SERVER ?= lighttpd
CC ?= cc

PKGS = libpq json-c libcrypto libargon2 zlib libcrypt libqrencode libcbor
DEB_PKGS = build-essential pkg-config libfcgi-dev libfcgi-bin libjson-c-dev \
	libssl-dev libpq-dev libargon2-dev zlib1g-dev libcrypt-dev libqrencode-dev \
	libcbor-dev postgresql postgresql-client \
	lighttpd spawn-fcgi multiwatch apache2 libapache2-mod-fcgid nginx \
	curl wrk python3 python3-argon2 python3-django python3-jwt python3-cryptography clang clang-format \
	libclang-rt-14-dev chromium python3-django-allauth \
	python3-djangorestframework python3-djangorestframework-simplejwt \
	gunicorn python3-psycopg2 python3-bcrypt valgrind oathtool python3-pyotp \
	zbar-tools librsvg2-bin python3-cbor2 python3-fido2

WARN = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wcast-qual -Wsign-compare
OPT ?= -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
SAN = -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# lib/ in layers, lowest first; a module includes only headers of its own
# layer or a lower one (tools/layers.py checks, in make check).
LAYERS = core crypto conf store http auth mfa passkey api
LAYER_INC = $(LAYERS:%=-Ilib/%)
CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g $(OPT) $(WARN) \
	-fstack-protector-strong $(LAYER_INC) \
	$(shell pkg-config --cflags $(PKGS)) $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_CFLAGS)
# Each object (and each program built from one .c) records the headers it
# read in $(DEPDIR), so touching a header rebuilds only its users.
DEPDIR = $(BUILD)/.deps
DEPFLAGS = -MMD -MP -MF $(DEPDIR)/$(subst /,-,$@).d -MT $@
LDLIBS = $(shell pkg-config --libs $(PKGS)) -lfcgi

LIB_SRC := $(wildcard $(LAYERS:%=lib/%/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A := $(BUILD)/librestauth.a
CGI_SRC := $(wildcard cgi-bin/*.c)
CGI_BIN := $(CGI_SRC:cgi-bin/%.c=$(BUILD)/cgi-bin/%.fcgi)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL := $(BUILD)/restauth
SQLDIR := $(CURDIR)/sql
SHAREDIR := $(abspath $(BUILD))/share
# Where programs built here look when RESTAUTH_CONFIG is unset.
DEFAULT_CONFIG ?= $(CURDIR)/config/restauth.json
# The admin tool a program starts to drain the mail outbox.
TOOLPATH ?= $(abspath $(TOOL))
PATHS = -DRESTAUTH_SQLDIR='"$(SQLDIR)"' \
	-DRESTAUTH_TOOL='"$(TOOLPATH)"' \
	-DRESTAUTH_DEFAULT_CONFIG='"$(DEFAULT_CONFIG)"' \
	-DRESTAUTH_SHAREDIR='"$(SHAREDIR)"'
# The compiled-in paths, kept in a file so that objects built with other
# ones (make install builds with the installed paths) are rebuilt.
PATHS_STAMP := $(BUILD)/paths
ifeq ($(filter deps npm-deps clean format format-check,$(MAKECMDGOALS)),)
ifneq ($(file <$(PATHS_STAMP)),$(PATHS))
$(shell mkdir -p $(BUILD))
$(file >$(PATHS_STAMP),$(PATHS))
endif
endif

.PHONY: all deps npm-deps check test test-slow run asan clean format format-check fuzz bench bench-bin install programs
all: $(LIB_A) $(CGI_BIN) $(TOOL) $(UNIT_BIN) $(BUILD)/share/common-passwords.txt
programs: $(LIB_A) $(CGI_BIN) $(TOOL) $(BUILD)/share/common-passwords.txt

# CommonPasswordValidator's list: the one Debian's python3-django ships
# (make deps installs it), decompressed once at build time, not at each start.
DJANGO_COMMON = /usr/lib/python3/dist-packages/django/contrib/auth/common-passwords.txt.gz
$(BUILD)/share/common-passwords.txt: $(DJANGO_COMMON)
	@mkdir -p $(@D)
	gzip -dc $< >$@.tmp && mv $@.tmp $@

# libFuzzer targets: make fuzz runs each for FUZZ_TIME seconds (60).
-include tests/fuzz/fuzz.mk
fuzz: fuzz-run

$(BUILD)/lib/%.o: lib/%.c Makefile $(PATHS_STAMP)
	@mkdir -p $(@D) $(DEPDIR)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(PATHS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/cgi-bin/%.fcgi: cgi-bin/%.c $(LIB_A)
	@mkdir -p $(@D) $(DEPDIR)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

$(TOOL): tools/restauth.c $(LIB_A) Makefile $(PATHS_STAMP)
	@mkdir -p $(@D) $(DEPDIR)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(PATHS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_A)
	@mkdir -p $(@D) $(DEPDIR)
	$(CC) $(CFLAGS) $(DEPFLAGS) -DSRCDIR='"$(CURDIR)"' $(LDFLAGS) -o $@ $< $(filter %.o,$^) $(LIB_A) $(LDLIBS)

# The in-process harness (tests/unit/inproc.h), linked into the unit tests
# that run an endpoint; in obj/, so that tests/run.sh's test_* skips it.
INPROC_OBJ := $(BUILD)/tests/obj/inproc.o
INPROC_TESTS := $(addprefix $(BUILD)/tests/,test_serve test_csrf test_auth test_jwtmode \
	test_passwd)
$(INPROC_TESTS): $(INPROC_OBJ)
$(INPROC_OBJ): tests/unit/inproc.c
	@mkdir -p $(@D) $(DEPDIR)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

-include $(wildcard $(DEPDIR)/*.d)

# Non-interactive. apt would start apache2, nginx, lighttpd and
# postgresql as services (all but one web server failing on port 80); make
# run and make test start their own, so a policy-rc.d (as Docker images
# have) keeps apt from starting any while it installs.
deps:
	@if [ -e /usr/sbin/policy-rc.d ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PKGS); \
	else \
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT INT TERM; \
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PKGS); \
	fi
	$(MAKE) npm-deps

# The browser test's playwright-core (package-lock.json) into node_modules/;
# Debian's nodejs and npm only when no node/npm is installed yet.
npm-deps:
	@command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends nodejs npm
	npm ci --no-audit --no-fund

# The tiers (tests/run.sh): check has no servers; test runs the HTTP
# files TEST_JOBS at a time (each has its own database and port), then
# the few that assume they run alone; test-slow is the rest a release
# needs (.ci/run runs test, asan and test-slow).
check: all fuzz-bin
	tests/run.sh $(BUILD) --check

test: all
	tests/run.sh $(BUILD)

test-slow: all
	tests/run.sh $(BUILD) --slow

run: all
	SERVER=$(SERVER) tools/run.sh $(BUILD) $(PORT) $(CONFIG)

# make install [PREFIX=/usr/local] [DESTDIR=staging]: a build of its own in
# $(INSTALL_BUILD), with the installed paths compiled in (the SQL, the
# password list, the default config $(SYSCONFDIR)/restauth.json), then
#   $(PREFIX)/bin/restauth                   the admin tool
#   $(PREFIX)/lib/restauth/cgi-bin/*.fcgi    the programs
#   $(PREFIX)/lib/restauth/spawn-pools.sh    FastCGI pools for nginx
#   $(PREFIX)/share/restauth/sql/            the migrations
#   $(PREFIX)/share/restauth/common-passwords.txt
#   $(PREFIX)/share/restauth/www/errors/     JSON error pages for the servers
#   $(PREFIX)/share/restauth/conf/           each server's config and the
#                                            systemd unit, for these paths
#   $(SYSCONFDIR)/restauth.json.example      the config to start from
PREFIX ?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
INSTALL_BUILD ?= build-install
LIBEXEC = $(PREFIX)/lib/restauth
DATADIR = $(PREFIX)/share/restauth
install:
	$(MAKE) BUILD=$(INSTALL_BUILD) SQLDIR=$(DATADIR)/sql \
	    TOOLPATH=$(PREFIX)/bin/restauth \
	    SHAREDIR=$(DATADIR) DEFAULT_CONFIG=$(SYSCONFDIR)/restauth.json programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXEC)/cgi-bin \
	    $(DESTDIR)$(DATADIR)/sql $(DESTDIR)$(DATADIR)/www/errors \
	    $(DESTDIR)$(DATADIR)/conf $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(INSTALL_BUILD)/restauth $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(CGI_SRC:cgi-bin/%.c=$(INSTALL_BUILD)/cgi-bin/%.fcgi) \
	    $(DESTDIR)$(LIBEXEC)/cgi-bin/
	install -m 755 tools/spawn-pools.sh $(DESTDIR)$(LIBEXEC)/
	install -m 644 sql/*.sql $(DESTDIR)$(DATADIR)/sql/
	install -m 644 $(INSTALL_BUILD)/share/common-passwords.txt $(DESTDIR)$(DATADIR)/
	install -m 644 www/errors/* $(DESTDIR)$(DATADIR)/www/errors/
	PREFIX=/auth/ BINDIR=$(INSTALL_BUILD)/cgi-bin CGIDIR=$(LIBEXEC)/cgi-bin \
	    CONFIG=$(SYSCONFDIR)/restauth.json WWWDIR=$(DATADIR)/www \
	    SOCKDIR=/run/restauth tools/run.sh --configs $(DESTDIR)$(DATADIR)/conf
	sed -e 's|@LIBEXEC@|$(LIBEXEC)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    www/systemd/restauth-pools.service \
	    >$(DESTDIR)$(DATADIR)/conf/restauth-pools.service
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    www/systemd/restauth-mail.service \
	    >$(DESTDIR)$(DATADIR)/conf/restauth-mail.service
	sed 's|"EMAIL_SENDMAIL": "[^"]*"|"EMAIL_SENDMAIL": "/usr/sbin/sendmail -t -i"|' \
	    config/restauth.json >$(DESTDIR)$(SYSCONFDIR)/restauth.json.example
	@echo "restauth check --deploy of restauth.json.example (a random SECRET_KEY"
	@echo "stands in for yours; run it again on your config before going live):"
	-@SECRET_KEY=$$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') \
	    DATABASE_URL=unused $(INSTALL_BUILD)/restauth check --deploy \
	    --config-only -c $(DESTDIR)$(SYSCONFDIR)/restauth.json.example || true

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 EXTRA_CFLAGS="$(SAN)" test

# make bench: an optimised build of its own (no sanitizers, NDEBUG), the
# ceiling programs of bench/, then bench/bench.py drives the real stack
# with wrk. BENCH_TIME seconds per case (5); figures in build-bench/bench.json.
BENCH_BUILD ?= build-bench
BENCH_TIME ?= 5
bench:
	$(MAKE) BUILD=$(BENCH_BUILD) \
	    OPT="-O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -DNDEBUG" bench-bin
	BENCH_TIME=$(BENCH_TIME) bench/bench.py $(BENCH_BUILD)

bench-bin: $(LIB_A) $(CGI_BIN) $(TOOL) $(BUILD)/share/common-passwords.txt \
	$(BUILD)/bench/trivial.fcgi $(BUILD)/bench/argon2_time

$(BUILD)/bench/trivial.fcgi: bench/trivial.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lfcgi

$(BUILD)/bench/argon2_time: bench/argon2_time.c $(LIB_A)
	@mkdir -p $(@D) $(DEPDIR)
	$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

# The C files as .clang-format (clang-format 14) writes them: lib/, cgi-bin/,
# tools/ and the unit tests, less generated tables (*_tables.h).
FORMAT_FILES = $(filter-out %_tables.h,$(sort $(wildcard lib/*/*.[ch] \
	cgi-bin/*.c tools/*.c tests/unit/*.c)))
format:
	clang-format -i $(FORMAT_FILES)

# make format-check: FORMAT_FILES less those in tools/format-pending.txt
# must be as clang-format writes them; a pending path that does not exist
# fails too.
FORMAT_PENDING = $(shell grep -v '^\#' tools/format-pending.txt)
FORMAT_CHECKED = $(filter-out $(FORMAT_PENDING),$(FORMAT_FILES))
format-check:
	@for f in $(FORMAT_PENDING); do [ -e "$$f" ] || { \
		echo "format-check: $$f (tools/format-pending.txt) is gone"; \
		exit 1; }; done
	clang-format --dry-run -Werror $(FORMAT_CHECKED)

clean:
	rm -rf build build-asan build-install build-bench

# --- robustness (issue 8) ---
# fuzz-bin: the libFuzzer targets that make test runs briefly
# (tests/fuzz/run_short.sh); failmalloc.so: the LD_PRELOAD shim of
# tests/http/test_faults.py that fails the FAILMALLOC_NTH-th allocation.
.PHONY: fuzz-bin valgrind
fuzz-bin: $(FUZZ_BIN)
all: $(BUILD)/tests/failmalloc.so
$(BUILD)/tests/failmalloc.so: tests/faults/failmalloc.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -fPIC -shared \
	    -o $@ $<

# make valgrind: the HTTP suite with every FastCGI program under memcheck
# (tools/run.sh puts RESTAUTH_WRAP before each program); fails on any
# memcheck error or definitely lost block. About 30 minutes on 2 cores.
# Left out:
#   test_timing    medians of 200 timed tries within 5%: a measurement
#   test_browser   Chromium against a 2 s access token and its own timeouts
#   test_faults    SIGKILLs workers and times their replacement; its
#                  failmalloc sweep runs the programs as plain CGI, unwrapped
#   test_servers   only its lighttpd stack is wrapped (the rest of the suite
#                  covers it); its process checks look for argv[0] *.fcgi,
#                  which is valgrind's under the wrap
#   test_cgi test_install  their programs run as plain CGI, not wrapped
VALGRIND_TESTS ?= test_login test_user test_logout test_password \
	test_jwt_mode test_smoke test_openapi test_admin test_session \
	test_policy test_registration test_hostile test_dbrestart \
	test_jwt_race test_registration_race test_makerun test_throttle \
	test_mfa
VG_LOGS = $(abspath $(BUILD))/valgrind
# Seconds an HTTP request may take under memcheck (tests/http/harness.py
# RESTAUTH_TEST_TIMEOUT; tests' waits and time bounds scale with it, as
# h.scaled). RESTAUTH_UNDER_VALGRIND=1 tells tests they run under
# memcheck; a check one skips for it prints "SKIP", repeated below.
VG_TIMEOUT ?= 300
# lighttpd wants the command's absolute path and single spaces.
VG_WRAP = $(shell command -v valgrind) -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=$(VG_LOGS)/%p.log
valgrind: all
	rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS)
	@start=$$(date +%s); rc=0; RESTAUTH_WRAP="$(VG_WRAP)" \
	    RESTAUTH_TEST_TIMEOUT=$(VG_TIMEOUT) RESTAUTH_UNDER_VALGRIND=1 TEST_JOBS=1 \
	    tests/run.sh $(BUILD) $(VALGRIND_TESTS:%=tests/http/%.py) || rc=1; \
	grep -h "^SKIP" $(VALGRIND_TESTS:%=$(BUILD)/test-logs/%.py.log) \
	    2>/dev/null | sed "s/^/valgrind: /"; \
	n=$$(ls $(VG_LOGS) | wc -l); bad=; \
	for f in $(VG_LOGS)/*.log; do \
		grep -v -q -E "^==[0-9]+== Warning|^$$" "$$f" && bad="$$bad $$f"; \
	done; \
	if [ -n "$$bad" ]; then echo "valgrind: reports in$$bad"; head -n 60 $$bad; exit 1; fi; \
	[ "$$n" -gt 0 ] || { echo "valgrind: no program ran under memcheck"; exit 1; }; \
	echo "valgrind: $$n program runs, no errors, nothing definitely lost ($$(( $$(date +%s) - start )) s)"; \
	[ $$rc = 0 ] || echo "valgrind: but the HTTP tests failed (see above)"; \
	exit $$rc
