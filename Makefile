# The two commands of the README, and a few more.
#   make run    install missing packages, build, open the kiosk in a window
#   make test   install, check the style and the layers, build (release,
#               ASan+UBSan, clang under the static analyser), run every test
#   make bench  build and run the benchmarks; prints "figure: NAME VALUE UNIT"
#   make test-crash-long   the kill -9 test at 500 rounds (CI runs 200)
#   make test-faults-long  every persistent fault point, every SQLite allocation and every
#                          fault on the shared SQLite file during sync (CI: a share)
#   make fuzz-long  every fuzz target to 10 M executions
#   make vm-test    the image booted in qemu-system-aarch64 and tapped as a customer (root)
#   make vm-power-cuts  the same with power cuts on a disk that loses unflushed writes
#   make vm-ab      A/B updates in the virtual kiosk: the --ab image, RAUC, the Pi firmware (root)
#   make vm-rollout  a rollout from the dashboard to two virtual kiosks (the A/B image; root)
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
SCAN_BUILD ?= build-scan

.PHONY: all deps build run test test-crash-long test-faults-long fuzz-long test-release test-asan test-analyze bench check-style clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/wowkiosk --windowed 800x480

test: deps check-style test-release test-asan test-analyze

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Longer runs than CI affords, run by hand and quoted: kill -9 mid-tapping
# CRASH_ROUNDS times (CI: WOW_CRASH_ROUNDS, 200), and the fault loops with
# every persistent fault point.
CRASH_ROUNDS ?= 500
test-crash-long: build
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy SDL_RENDER_DRIVER=software \
	  nice -n 19 python3 tests/e2e/test_crash.py $(BUILD)/wowkiosk $(CRASH_ROUNDS)

test-faults-long: build
	cd $(BUILD) && FAULT_EVERY=1 nice -n 19 ./tests/faults/test_session_persistent_faults && \
	  nice -n 19 ./tests/faults/test_store_faults && FAULT_EVERY=1 nice -n 19 ./tests/faults/test_store_oom && \
	  nice -n 19 ./tests/sync/test_sync_alloc 1 && nice -n 19 ./tests/sync/test_sync_shared_faults 1

# Each libFuzzer target FUZZ_RUNS executions (10 M), one process at a time,
# niced and capped at FUZZ_SECONDS each; new inputs go to build-fuzz/corpus,
# crashes to build-fuzz/artifacts.  The request fuzzer (tests/dash) reads
# its dictionary, tests/dash/fuzz_request.dict.
FUZZ_RUNS ?= 10000000
FUZZ_SECONDS ?= 1800
# the request fuzzer renders whole pages from SQLite (about 2,400 executions a
# second under ASan on a quiet core): 10 M take about 70 minutes
FUZZ_SECONDS_request ?= 7200
# the catalog fuzzer: inputs of at most 4 KiB.  Its corpus holds a 26 KB file
# (past the department and group limits; CTest replays it whole), which would
# set libFuzzer's limit, and inputs that long are slow (13 ms of CPU for that
# file, 1.5 ms for a 0.8 KB one) for 6 more edges (docs/ARCHITECTURE.md).
# ASan keeps freed pages instead of giving them back every 5 s (12% of its
# time went refaulting them).  About 4,000 executions a second of CPU: 10 M
# take 42 minutes of a core, more on a shared machine.
FUZZ_FLAGS_catalog ?= -max_len=4096
FUZZ_ENV_catalog ?= ASAN_OPTIONS=allocator_release_to_os_interval_ms=-1
FUZZ_SECONDS_catalog ?= 7200
FUZZ_TARGETS ?= config catalog po script tz request
FUZZ_DIR = $(if $(filter request,$(1)),tests/dash,tests/fuzz)
FUZZ_SEEDS = $(if $(filter request,$(1)),tests/dash/fuzz-corpus,tests/fuzz/corpus/$(1))
FUZZ_DICT = $(if $(filter request,$(1)),-dict=tests/dash/fuzz_request.dict)
fuzz-long: deps
	CC=clang cmake -S . -B build-fuzz -DWOW_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j $(JOBS) $(addprefix --target fuzz_,$(FUZZ_TARGETS))
	mkdir -p build-fuzz/artifacts
	$(foreach t,$(FUZZ_TARGETS),mkdir -p build-fuzz/corpus/$(t) && \
	  $(FUZZ_ENV_$(t)) nice -n 19 build-fuzz/$(call FUZZ_DIR,$(t))/fuzz_$(t) build-fuzz/corpus/$(t) \
	    $(call FUZZ_SEEDS,$(t)) $(call FUZZ_DICT,$(t)) $(FUZZ_FLAGS_$(t)) \
	    -artifact_prefix=build-fuzz/artifacts/$(t)- \
	    -runs=$(FUZZ_RUNS) -max_total_time=$(or $(FUZZ_SECONDS_$(t)),$(FUZZ_SECONDS)) \
	    -print_final_stats=1 &&) true

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWOW_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && WOW_ASAN=1 ctest --output-on-failure -j $(JOBS)

# The programs, libraries and benchmarks built by clang (warnings are errors
# there too) under clang's static analyser; any finding fails.  The tests
# are left out: cmocka's assert_* do not tell the analyser they stop, so it
# reports paths no test can take.  The report is left in
# $(SCAN_BUILD)/report for scan-view.
SCAN = scan-build --use-cc=clang --status-bugs -o $(abspath $(SCAN_BUILD))/report
test-analyze: deps
	$(SCAN) cmake -S . -B $(SCAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWOW_TESTS=OFF >/dev/null
	$(SCAN) cmake --build $(SCAN_BUILD) -j $(JOBS)

bench: build
	sh bench/run.sh $(BUILD)

check-style:
	sh scripts/check-style.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(SCAN_BUILD)

# The arm64 cross build (README "Cross build (arm64)"): installs the cross
# compiler and an arm64 sysroot, builds wowkiosk and wowdash with
# cmake/aarch64-linux-gnu.cmake, checks they are aarch64 ELF and start under
# qemu, and, where CPack is configured, builds the arm64 .debs; their library
# Depends come from the sysroot's dpkg-shlibdeps (scripts/install-cross-deps.sh).
CROSS_BUILD ?= build-arm64
CROSS_SYSROOT = $(abspath $(CROSS_BUILD))/sysroot
CROSS_RUN = qemu-aarch64 -L $(CROSS_SYSROOT)
# The toolchain file only counts when the build directory is first configured.
CROSS_TOOLCHAIN = $(if $(wildcard $(CROSS_BUILD)/CMakeCache.txt),,-DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake)

.PHONY: cross-arm64
cross-arm64:
	@sh scripts/install-cross-deps.sh $(CROSS_SYSROOT)
	cmake -S . -B $(CROSS_BUILD) $(CROSS_TOOLCHAIN) -DCMAKE_SYSROOT=$(CROSS_SYSROOT) \
	      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWOW_TESTS=OFF \
	      -DWOW_DEB_ARCHITECTURE=arm64 -DWOW_DEB_SHLIBDEPS=ON >/dev/null
	cmake --build $(CROSS_BUILD) -j $(JOBS) --target wowkiosk wowdash
	@for bin in wowkiosk app/dash/wowdash; do \
	    p=$(CROSS_BUILD)/$$bin; name=$$(basename $$bin); \
	    file -b $$p | grep -q '^ELF 64-bit.*ARM aarch64' || \
	        { echo "cross-arm64: $$p: expected an ARM aarch64 ELF, got: $$(file -b $$p)"; exit 1; }; \
	    out=$$($(CROSS_RUN) $$p --version 2>&1) || true; \
	    echo "$$out" | grep -qx "$$name [0-9][0-9.]*" || \
	        { echo "cross-arm64: $(CROSS_RUN) $$p --version: expected '$$name VERSION', got: $$out"; exit 1; }; \
	    echo "cross-arm64: $$p: ARM aarch64 ELF; under qemu: $$out"; \
	done
	@if [ ! -f $(CROSS_BUILD)/CPackConfig.cmake ]; then \
	    echo "cross-arm64: no CPack in the build (cmake/packaging.cmake not included); no .debs"; \
	else \
	    rm -rf $(CROSS_BUILD)/packages; \
	    PATH=$(CROSS_SYSROOT)/.host-bin:$$PATH \
	        cmake --build $(CROSS_BUILD) -j $(JOBS) --target package >/dev/null || exit 1; \
	    debs=$$(ls $(CROSS_BUILD)/packages/*.deb 2>/dev/null); \
	    [ -n "$$debs" ] || { echo "cross-arm64: $(CROSS_BUILD)/packages: expected .deb files, found none"; exit 1; }; \
	    for d in $$debs; do \
	        arch=$$(dpkg-deb -f $$d Architecture); \
	        [ "$$arch" = arm64 ] || { echo "cross-arm64: $$d: Architecture is '$$arch', expected arm64"; exit 1; }; \
	        deps=$$(dpkg-deb -f $$d Depends); \
	        echo "$$deps" | grep -q 'libc6 (>=' || \
	            { echo "cross-arm64: $$d: Depends has no libc6 (>= ...) from dpkg-shlibdeps: $$deps"; exit 1; }; \
	        echo "cross-arm64: $$d: Architecture arm64; Depends: $$deps"; \
	    done; \
	fi

# The virtual kiosk (tests/vm/vm-test.sh, docs/DEPLOY.md "The virtual kiosk"):
# the arm64 .debs and the image, each rebuilt only when its inputs changed
# (cache: /var/cache/wowkiosk-vm), booted in qemu-system-aarch64 with virtio-gpu,
# tablets, QMP and a PostgreSQL on the host; taps, screens, counts, figures.
.PHONY: vm-test
vm-test: build
	bash tests/vm/vm-test.sh $(BUILD)

# Power cuts on the virtual kiosk's data partition (tests/vm/vm_power_cuts.py),
# CUTS rounds; BROKEN_FLUSH=1 serves a disk whose flushes persist nothing (the
# test must then fail).  The image as vm-test builds it.
CUTS ?= 100
.PHONY: vm-power-cuts
vm-power-cuts: build
	WOW_VM_ONLY_BUILD=1 bash tests/vm/vm-test.sh $(BUILD)
	nice -n 19 python3 tests/vm/vm_power_cuts.py --image-dir $${WOW_VM_CACHE:-/var/cache/wowkiosk-vm}/image \
	  --wowdash $(BUILD)/app/dash/wowdash --work $(BUILD)/vm-cuts --cuts $(CUTS) $(if $(BROKEN_FLUSH),--broken-flush)

# A/B updates in the virtual kiosk (tests/vm/vm_ab.py, docs/DEPLOY.md "A/B updates in the
# virtual kiosk"): the image built with --ab (in the cache's image-ab/), booted by the
# emulated Pi firmware (autoboot.txt, the tryboot flag); bundles made on the host with
# make-bundle.sh and installed by the guest's RAUC. AB_ARGS: more options of vm_ab.py
# (--upto N, --firmware-ignores-tryboot).
.PHONY: vm-ab
vm-ab:
	WOW_VM_AB=1 WOW_VM_AB_ARGS="$(AB_ARGS)" bash tests/vm/vm-test.sh $(BUILD)

# A rollout from the dashboard in the virtual kiosk (tests/vm/vm_rollout.py, docs/DEPLOY.md
# "A rollout in the virtual kiosk"): the A/B image of vm-ab, two VMs (a canary and one
# waiting), the bundle published and the rollout started and promoted on the fleet page.
# ROLLOUT_ARGS: more options (--no-promote, --break offer).
.PHONY: vm-rollout
vm-rollout: build
	WOW_VM_AB=1 WOW_VM_ROLLOUT=1 WOW_VM_ROLLOUT_ARGS="$(ROLLOUT_ARGS)" bash tests/vm/vm-test.sh $(BUILD)
