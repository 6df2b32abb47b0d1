# The two commands of the README, and a few more.
#   make run    install missing packages, build, open the kiosk in a window
#   make test   install, build (release and ASan+UBSan), run every test
#   make bench  build and run the benchmarks; prints "figure: NAME VALUE UNIT"
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps build run test test-release test-asan bench check-style clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/wowkiosk --windowed 800x480

test: deps check-style test-release test-asan

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWOW_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && WOW_ASAN=1 ctest --output-on-failure -j $(JOBS)

bench: build
	sh bench/run.sh $(BUILD)

check-style:
	sh scripts/check-style.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
