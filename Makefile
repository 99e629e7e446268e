GO ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test test-long bench bench-instr lint demo fuzz

## test: vet, then every test with the race detector (what CI runs). One
## go test per package, two at a time, so that each package's result is
## printed as soon as it finishes (go test ./... prints in package order).
## xargs exits non-zero if any package failed. GORACE drops the race
## runtime's default one-second sleep at the exit of every test binary (and
## of the helper processes the tests start): it waits for goroutines that
## may still report a race, and every TestMain checks with goleak that none
## is left. -timeout 30m: go test's default of 10 minutes per package was
## reached by internal/robust on a heavily loaded machine.
RACE_ENV = GORACE='$(GORACE) atexit_sleep_ms=0'
test:
	$(GO) vet ./...
	$(GO) list ./... | $(RACE_ENV) xargs -P 2 -n 1 $(GO) test -race -count=1 -timeout 30m

## test-long: the same with the heavier property, robustness and harness
## runs (STELLARWORK_LONG=1)
test-long:
	$(GO) vet ./...
	$(GO) list ./... | STELLARWORK_LONG=1 $(RACE_ENV) xargs -P 2 -n 1 $(GO) test -race -count=1 -timeout 60m

## fuzz: 60 s of fuzzing, 30 s per target (go test -fuzz takes one target)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzOps$$' -fuzztime 30s ./internal/robust
	$(GO) test -run '^$$' -fuzz '^FuzzScenario$$' -fuzztime 30s ./internal/robust

## bench: every benchmark, pinned to one core as the C++ reference was
bench:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench . -benchmem ./...

# An absolute path of a machine in a tracked file: one that starts at the
# root in work, home, root, tmp or Users, not one that merely has such a
# component (src/work). The allowlist holds the files where such a path is
# data, not a place on a machine.
ABSPATH_RE := (^|[^A-Za-z0-9_.~-])/(work|home|root|tmp|Users)/
ABSPATH_ALLOW := ':(exclude)process/split_test.go' ':(exclude)internal/stdheap/testdata/gen/README.md'

## bench-instr: instructions per crank (a), per batch child (c), per timer at
## a million (d), and bytes per idle child (e), under valgrind's callgrind
## (Debian package valgrind); repeatable where times are not. About 2 to 5 minutes.
bench-instr:
	GO=$(GO) ./scripts/bench-instr.sh

## lint: gofmt, no absolute machine path in a tracked file, vet, staticcheck and workvet (cmd/workvet)
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt needed"; exit 1)
	@! git grep -n -I -E '$(ABSPATH_RE)' -- . $(ABSPATH_ALLOW) || (echo "absolute machine path above: commit relative paths"; exit 1)
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
		$(GO) build -o "$$d/workvet" ./cmd/workvet && \
		echo "$(GO) vet -vettool=workvet ./..." && $(GO) vet -vettool="$$d/workvet" ./...

## demo: the main job, a simulated work tree in virtual time
demo:
	$(GO) run ./cmd/workdemo
