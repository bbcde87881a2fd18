# dti — two commands do everything on a fresh machine: `make demo` and `make test`.
SWIFT       ?= swift
DTI          = .build/debug/dti
TEST_STATE   = $(CURDIR)/.dti/test

.PHONY: all deps build demo test test-core bench bench-small screenshot clean help

all: build

help:
	@echo "make demo    - install what is missing, build, start the embedded database, load, roll up, export"
	@echo "make test    - the whole suite against a fresh embedded PostgreSQL (cleaned up afterwards)"
	@echo "make bench   - benchmarks (BENCH_SCALE=small for a one-minute run)"
	@echo "make screenshot - render the demo's HTML export with headless Chromium"
	@echo "make clean   - stop the embedded databases and remove build output and .dti/"

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build --product dti

demo: build
	@scripts/demo.sh

test: deps
	$(SWIFT) build --build-tests
	@DTI_STATE_DIR=$(TEST_STATE) $(DTI) db down >/dev/null 2>&1 || true
	@rm -rf $(TEST_STATE)
	@set -e; status=0; \
	  $(SWIFT) test --skip-build || status=$$?; \
	  scripts/browser-test.sh || status=$$?; \
	  DTI_STATE_DIR=$(TEST_STATE) $(DTI) db down >/dev/null 2>&1 || true; \
	  rm -rf $(TEST_STATE); \
	  exit $$status

test-core:
	$(SWIFT) test --filter DTICoreTests

bench: deps
	$(SWIFT) build -c release --product dti
	@scripts/bench.sh

bench-small:
	@BENCH_SCALE=small $(MAKE) bench

screenshot: build
	@scripts/ensure-deps.sh chromium
	@scripts/screenshot.sh

clean:
	@$(DTI) db down >/dev/null 2>&1 || true
	@DTI_STATE_DIR=$(TEST_STATE) $(DTI) db down >/dev/null 2>&1 || true
	rm -rf .build .dti out
