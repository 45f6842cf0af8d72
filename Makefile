# The two commands of README.md: `make dev` runs Relay with its demo upstream,
# `make test` runs every test. Everything else is detail.
.PHONY: dev test test-go test-frontend vet build

dev:
	./dev/run.sh

test: vet test-go test-frontend

vet:
	go vet ./pkg/... ./cmd/... ./test/... ./bench/...

test-go:
	go test -race -count=1 ./pkg/... ./cmd/... ./test/... ./bench/...

test-frontend:
	./scripts/test-frontend.sh

build:
	go build -o bin/gpx_relay_$$(go env GOOS)_$$(go env GOARCH) ./pkg
