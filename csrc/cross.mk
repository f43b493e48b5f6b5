# Cross-platform bit-identity matrix, bare-metal build and fuzzing (included by the Makefile).
#
#   make cross-<arch>-<cc>-<opt>   build libmonitor.a + every csrc/tests/test_*.c for one target
#                                  (e.g. cross-aarch64-gcc-O2) and run them (qemu-user for
#                                  foreign architectures, static binaries)
#   make cross-all [-j2]           every target of CROSS_MATRIX
#   make cross-check               cross-all, then require one identical golden digest everywhere
#   make cross-list                print CROSS_MATRIX
#
# <arch>: x86_64 (host), i686 (Debian gcc-i686-linux-gnu: x87 FPU by default), aarch64, armhf,
# s390x (big-endian). <cc>: gcc or clang (clang cross-compiles with --target=<triple> against
# the Debian cross gcc's libraries). <opt>: O0, O1, O2, O3, Os.
# The golden-vector program (tests/test_golden.c) is one of the tests, so every target also
# prints "GOLDEN PASS sha256=<digest>".

CROSS_MATRIX ?= x86_64-gcc-O0 x86_64-gcc-O2 x86_64-gcc-O3 \
                x86_64-clang-O0 x86_64-clang-O2 x86_64-clang-O3 \
                i686-gcc-O0 i686-gcc-O2 i686-clang-O2 \
                aarch64-gcc-O2 aarch64-clang-O3 \
                armhf-gcc-O2 armhf-gcc-O0 \
                s390x-gcc-O2 s390x-clang-O2

CROSS_TRIPLE_x86_64  :=
CROSS_TRIPLE_i686    := i686-linux-gnu
CROSS_TRIPLE_aarch64 := aarch64-linux-gnu
CROSS_TRIPLE_armhf   := arm-linux-gnueabihf
CROSS_TRIPLE_s390x   := s390x-linux-gnu
# i686 static binaries run natively on an x86-64 kernel; the others under qemu-user.
CROSS_RUN_x86_64  :=
CROSS_RUN_i686    :=
CROSS_RUN_aarch64 := qemu-aarch64
CROSS_RUN_armhf   := qemu-arm
CROSS_RUN_s390x   := qemu-s390x

cross_word   = $(word $2,$(subst -, ,$1))
cross_triple = $(CROSS_TRIPLE_$(call cross_word,$1,1))
cross_cc     = $(if $(call cross_triple,$1),$(if $(filter clang,$(call cross_word,$1,2)),clang --target=$(call cross_triple,$1),$(call cross_triple,$1)-gcc),$(call cross_word,$1,2))
cross_ar     = $(if $(call cross_triple,$1),$(call cross_triple,$1)-ar,ar)
cross_libs   = $(if $(call cross_triple,$1),-static,)

.PHONY: cross-all cross-check cross-list

cross-list:
	@echo $(CROSS_MATRIX)

cross-%:
	@echo "### target $*: $(call cross_cc,$*) -$(call cross_word,$*,3) $(if $(CROSS_RUN_$(call cross_word,$*,1)),run with $(CROSS_RUN_$(call cross_word,$*,1)),run natively)"
	@$(MAKE) --no-print-directory test VARIANT=cross-$* CC="$(call cross_cc,$*)" AR="$(call cross_ar,$*)" \
	    OPT=-$(call cross_word,$*,3) TEST_LIBS="$(call cross_libs,$*)" \
	    RUNNER="$(CROSS_RUN_$(call cross_word,$*,1))"

cross-all: $(addprefix cross-,$(CROSS_MATRIX))

# Every target must print PASS and the same digest; a difference fails.
cross-check:
	@mkdir -p build; $(MAKE) --no-print-directory -k cross-all > build/cross-check.log 2>&1; rc=$$?; \
	 n=$$(grep -c '^GOLDEN PASS' build/cross-check.log); \
	 d=$$(grep '^GOLDEN PASS' build/cross-check.log | sort -u | wc -l); \
	 grep -E '^(### target|GOLDEN)' build/cross-check.log; \
	 echo "targets: $(words $(CROSS_MATRIX)), golden PASS: $$n, distinct digests: $$d"; \
	 test $$rc -eq 0 -a $$n -eq $(words $(CROSS_MATRIX)) -a $$d -eq 1
