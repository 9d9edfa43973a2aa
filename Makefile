# The two commands of README: `make demo` and `make test`. Both install what they need.
JOBS ?= 2
TINYLOOP := build/release/apps/tinyloop/tinyloop

.PHONY: all setup build build-dev test demo bench format clean

all: build

setup:
	@scripts/setup

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j$(JOBS)

build-dev: setup
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j$(JOBS)

# Unit, cross-module and real-client tests under ASan + UBSan.
test: build-dev
	@ctest --preset dev -j$(JOBS)

# The main job end to end on the embedded default (SQLite + local folder).
demo: build
	@$(TINYLOOP) demo

# Benchmarks (release build); see bench/README.md.
bench: build
	@bench/run

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
