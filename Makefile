# ktop: a top-like monitor of kernel activity. `make help` lists the targets.
BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
UNITDIR    ?= $(PREFIX)/lib/systemd/system
CC         ?= gcc
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL    ?= bpftool
# vmlinux.h is generated from the build machine's BTF (see docs/BUILD.md for why)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# The BPF programs read x86-only fields (pt_regs orig_ax for the syscall number, the
# thread_info TS_COMPAT flag, the x86 system vectors): refused elsewhere, not built wrong
ifneq ($(ARCH),x86)
ifneq ($(filter-out clean help,$(or $(MAKECMDGOALS),all)),)
$(error ktop builds for x86_64 only, not $(ARCH): its BPF programs read x86-only fields \
	(pt_regs orig_ax, TS_COMPAT, the x86 system vectors))
endif
endif
VERSION    := 0.1.0

SANITIZE   ?=
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers -MMD -MP \
	      -D_GNU_SOURCE -DKTOP_VERSION='"$(VERSION)"' \
	      -DKTOP_DATADIR='"$(PREFIX)/share/ktop"' -I$(BUILD) -I. $(SANITIZE)
LDFLAGS    += $(SANITIZE)
LDLIBS     := -lbpf -lelf -lz -linih -lncursesw -ltinfo -lm -lcrypt -lpthread -ldl
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -Wall \
	      -Wno-unused-function

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
CORE_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard core/*.c))
COLL_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard collectors/*.c))
UI_OBJS    := $(patsubst %.c,$(BUILD)/%.o,$(wildcard ui/*.c))
EXPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard export/*.c))
MAIN_OBJ   := $(BUILD)/ktop.o
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit_*.c))
BPF_TESTS  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/bpf_*.c))
WORKLOADS  := $(patsubst tests/workloads/%.c,$(BUILD)/tests/workloads/%,\
	      $(wildcard tests/workloads/*.c))
# libFuzzer targets: tests/fuzz_NAME.c, seed corpus in tests/corpus/NAME/
FUZZ_TARGETS := $(patsubst tests/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz_*.c))
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -D_GNU_SOURCE -DKTOP_VERSION='"$(VERSION)"' \
		-DKTOP_DATADIR='"$(PREFIX)/share/ktop"' -I$(BUILD) -I.

.PHONY: all clean deps run test unit install uninstall help bench vmlinux fuzz test-asan soak \
	test-kernels man deb FORCE
.DELETE_ON_ERROR:

all: ktop

help:
	@echo "make            build ./ktop (outputs in $(BUILD)/)"
	@echo "make deps       install missing Debian packages (needs root)"
	@echo "make run        deps + build + start ktop"
	@echo "make test       deps + build + the whole test suite (needs root)"
	@echo "make fuzz       run every tests/fuzz_*.c for FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "make test-asan  the whole suite with an ASan+UBSan build (in build-asan/)"
	@echo "make soak       ktop under process and container churn for SOAK_SECONDS=$(SOAK_SECONDS)"
	@echo "make test-kernels  the suite on Debian's 6.1, 6.1-rt, 6.12, 6.12-rt kernels in qemu"
	@echo "                KERNELS=6.1,6.12 KERNEL_SMP=2,maxcpus=128 KERNEL_TESTS='bpf_ e2e_irqs'"
	@echo "make man        $(BUILD)/ktop.1, the manual page, from ktop's own tables"
	@echo "make deb        the Debian package ./ktop_$(VERSION)_<arch>.deb (built from a copy)"
	@echo "make install    install to PREFIX=$(PREFIX) (BINDIR=$(BINDIR)), config to /etc/ktop,"
	@echo "                man page, bash and zsh completion, systemd units (UNITDIR=$(UNITDIR))"
	@echo "make clean      remove $(BUILD)/ and ./ktop"

deps:
	@tools/install-deps.sh

run: deps all
	./ktop

ktop: $(MAIN_OBJ) $(UI_OBJS) $(EXPORT_OBJS) $(COLL_OBJS) $(CORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	@test -r $(VMLINUX_BTF) || { echo "ktop: no kernel BTF at $(VMLINUX_BTF);" \
		"set VMLINUX_BTF=path/to/vmlinux" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

vmlinux:
	rm -f $(BUILD)/vmlinux.h
	$(MAKE) $(BUILD)/vmlinux.h

# bpf/common.h includes core/hist_slots.h, the one header both sides share
BPF_HDRS   := $(wildcard bpf/*.h) core/hist_slots.h

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst .skel.h,,$(@F))_bpf > $@

$(COLL_OBJS) $(BPF_TESTS) $(WORKLOADS): $(SKELS)

# BPF programs only the tests load (hooks that make a section or a slow callback on
# demand): tests/bpf/NAME.bpf.c, skeleton $(BUILD)/tests/bpf/NAME.skel.h; never in ktop.
# One may be a shipped program built with a hook: it includes that bpf/*.bpf.c
TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_SKELS := $(patsubst tests/bpf/%.bpf.c,$(BUILD)/tests/bpf/%.skel.h,$(TEST_BPF_SRCS))

$(BUILD)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c $(BUILD)/vmlinux.h $(BPF_HDRS) $(BPF_SRCS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BPF_TESTS) $(WORKLOADS): $(TEST_SKELS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# the git revision --version prints; rewritten only when it changes, empty outside git
$(BUILD)/revision.h: FORCE
	@mkdir -p $(@D)
	@rev=$$(test -e .git && git describe --always --dirty --exclude '*' 2>/dev/null); \
	echo "#define KTOP_GIT_REVISION \"$$rev\"" > $@.tmp; \
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(MAIN_OBJ): $(BUILD)/revision.h

# the manual page, printed by the binary from its own option, action and settings tables
man: $(BUILD)/ktop.1
$(BUILD)/ktop.1: $(BUILD)/ktop
	$(BUILD)/ktop --defaults --man > $@

# the systemd units name the installed binary
$(BUILD)/systemd/%: deploy/systemd/%.in
	@mkdir -p $(@D)
	sed 's|@BINDIR@|$(BINDIR)|g' $< > $@
UNITS := $(patsubst deploy/systemd/%.in,$(BUILD)/systemd/%,$(wildcard deploy/systemd/*.in))

$(BUILD)/tests/unit_%: tests/unit_%.c $(CORE_OBJS) $(UI_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/bpf_%: tests/bpf_%.c $(COLL_OBJS) $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka

$(BUILD)/tests/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -lpthread -lbpf

$(BUILD)/tools/%: tools/%.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

unit: $(UNIT_TESTS) $(BPF_TESTS) $(WORKLOADS) $(BUILD)/tools/bench_tick

# each fuzz target links every core and collector file, compiled once for all of them with
# the sanitizers and libFuzzer's coverage (the targets differ only in their own file)
comma := ,
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(wildcard core/*.c) $(wildcard collectors/*.c) \
	     $(wildcard export/*.c))
$(BUILD)/fuzz/obj/%.o: %.c $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(subst -fsanitize=fuzzer$(comma),-fsanitize=fuzzer-no-link$(comma),$(FUZZ_CFLAGS)) -MMD -MP \
		-c $< -o $@
$(BUILD)/fuzz/fuzz_%: tests/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		name=$${t##*/fuzz_}; mkdir -p $(BUILD)/fuzz/corpus/$$name tests/corpus/$$name; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus/$$name tests/corpus/$$name || exit 1; \
	done

test: deps all unit
	tests/run

# the whole suite again with AddressSanitizer + UndefinedBehaviorSanitizer, in its own tree
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-asan:
	$(MAKE) BUILD=build-asan SANITIZE='$(ASAN_FLAGS)' build-asan/ktop unit
	ln -sfn ../themes build-asan/themes # ktop looks for themes beside its binary
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		KTOP_SANITIZED=1 BUILD=build-asan KTOP_BIN=$(CURDIR)/build-asan/ktop tests/run

$(BUILD)/ktop: $(MAIN_OBJ) $(UI_OBJS) $(EXPORT_OBJS) $(COLL_OBJS) $(CORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the suite in qemu guests booting Debian's own kernels (tools/test-kernels.sh; downloads
# and results in build-kernels/); without /dev/kvm they are emulated, and slow
KERNELS      ?= 6.1,6.1-rt,6.12,6.12-rt
KERNEL_SMP   ?= 2
# the test files about the kernel: every BPF test, and the end-to-end ones of collectors,
# containers, privileges and --check (the screen, packaging and docs files do not depend on
# the kernel and take hours emulated; KERNEL_TESTS= with nothing runs every file)
KERNEL_TESTS ?= unit_ bpf_ e2e_cli e2e_syscalls e2e_irqs e2e_tasklets e2e_critical \
	e2e_deferred e2e_functions e2e_functions_live e2e_maps e2e_containers e2e_privilege
# not about the kernel, and hours under emulation: benchmarks, fuzzing, valgrind
KERNEL_SKIP  ?= bench,fuzz,valgrind
test-kernels: all unit
	BUILD=$(BUILD) KTOP_BIN=$(CURDIR)/ktop tools/test-kernels.sh -k $(KERNELS) \
		-s $(KERNEL_SMP) -x '$(KERNEL_SKIP)' $(KERNEL_TESTS)

# long endurance run (tests/e2e_soak.sh is the short one in the suite)
SOAK_SECONDS ?= 3600
soak: all unit
	SOAK_SECONDS=$(SOAK_SECONDS) tools/soak.sh

bench: all unit
	tools/bench.sh

install: all $(BUILD)/ktop.1 $(UNITS)
	install -D -m 0755 ktop $(DESTDIR)$(BINDIR)/ktop
	install -D -m 0644 ktop.conf $(DESTDIR)/etc/ktop/ktop.conf
	install -d $(DESTDIR)$(PREFIX)/share/ktop/themes
	for t in themes/*.theme; do [ ! -e "$$t" ] || \
		install -m 0644 "$$t" $(DESTDIR)$(PREFIX)/share/ktop/themes/; done
	install -D -m 0644 $(BUILD)/ktop.1 $(DESTDIR)$(MANDIR)/man1/ktop.1
	install -D -m 0644 completions/ktop.bash $(DESTDIR)$(BASHCOMPDIR)/ktop
	install -D -m 0644 completions/_ktop $(DESTDIR)$(ZSHCOMPDIR)/_ktop
	install -d $(DESTDIR)$(UNITDIR)
	install -m 0644 $(UNITS) $(DESTDIR)$(UNITDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ktop $(DESTDIR)$(MANDIR)/man1/ktop.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/ktop $(DESTDIR)$(ZSHCOMPDIR)/_ktop
	rm -f $(patsubst $(BUILD)/systemd/%,$(DESTDIR)$(UNITDIR)/%,$(UNITS))
	rm -rf $(DESTDIR)$(PREFIX)/share/ktop

# the Debian package, built by dpkg-buildpackage in a copy of this tree (tracked files and
# new ones not ignored), so its build leaves ./ktop and $(BUILD)/ alone; the .deb lands here
DEB_TREE := $(BUILD)/deb/ktop-$(VERSION)
DEB_OUT  ?= .
# make exports its command-line variables (BUILD=...): the package's own make must not see them
DEB_ENV_CLEAR := $(foreach v,MAKEFLAGS MFLAGS MAKELEVEL BUILD PREFIX DESTDIR BINDIR MANDIR \
		 BASHCOMPDIR ZSHCOMPDIR UNITDIR DEB_OUT CFLAGS LDFLAGS SANITIZE,-u $(v))
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_TREE)
	if [ -e .git ]; then git ls-files -z -c -o --exclude-standard; \
	else find . -path ./build -prune -o -path './build-*' -prune -o -type f -print0; fi | \
		tar --null --ignore-failed-read --exclude="*.deb" -T - -cf - | tar -xf - -C $(DEB_TREE)
	cd $(DEB_TREE) && env $(DEB_ENV_CLEAR) dpkg-buildpackage -us -uc -b
	cp $(BUILD)/deb/ktop_*.deb $(DEB_OUT)/

clean:
	rm -rf $(BUILD) ktop

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
