# The two commands of README.md: `make dev` runs Relay with its demo upstream,
# `make test` runs every test. Everything else is detail.
.PHONY: dev test test-go test-frontend vet build release

GO_PACKAGES := ./pkg/... ./cmd/... ./test/... ./bench/...

# Binaries built with -race sleep 1 s when they exit, so that other threads can
# finish a race report; every test binary and black-box process paid it.
export GORACE ?= atexit_sleep_ms=0

dev:
	./dev/run.sh

# The Go and frontend halves side by side (scripts/test.sh).
test:
	./scripts/test.sh

vet:
	go vet $(GO_PACKAGES)

test-go:
	go test -race -count=1 -timeout 25m $(GO_PACKAGES)

test-frontend:
	./scripts/test-frontend.sh

# The plugin for this machine, with package.json's version (as a release has it).
build:
	./scripts/build-plugin.sh bin

# The release zip: every platform Relay ships, checked as a release (scripts/release.sh).
release:
	./scripts/release.sh
