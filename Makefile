# picohil — `make hil` runs the HIL suite, `make test` is the full gate.
SHELL := /bin/bash
GO ?= go
GINKGO := $(GO) run github.com/onsi/ginkgo/v2/ginkgo
OUT := $(CURDIR)/out
HIL_OUT ?= $(OUT)/hil
export HIL_OUT

# Quick cadence for the virtual Pico in make test: 50 ms half-period.
QUICK_ENV := HIL_TARGET=virtual HIL_BLINK_MS=50 HIL_JITTER_MS=8

GINKGO_FLAGS := --timeout=30m --output-dir=$(HIL_OUT) --junit-report=junit.xml --json-report=ginkgo.json
ifdef FOCUS
GINKGO_FLAGS += --focus=$(FOCUS)
endif
ifdef LABELS
GINKGO_FLAGS += --label-filter=$(LABELS)
endif

.PHONY: all hil faults test fmt-check vet unit cross build suite-virtual clean

all: test

## hil: run the HIL suite on HIL_TARGET (auto|virtual|pico); reports in out/hil
hil:
	@mkdir -p $(HIL_OUT)
	$(GINKGO) $(GINKGO_FLAGS) ./specs

## faults: the suite once clean and once per injected fault on the virtual Pico
faults: $(OUT)/bin/specs.test
	$(QUICK_ENV) $(GO) run ./harness/cmd/hil faults --suite $(OUT)/bin/specs.test --out $(OUT)/faults

$(OUT)/bin/specs.test: FORCE
	@mkdir -p $(OUT)/bin
	$(GO) test -c -o $@ ./specs

FORCE:

## test: everything CI checks
test: fmt-check vet unit cross suite-virtual faults

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./harness/... ./fixtures/...

cross:
	GOOS=linux GOARCH=arm64 $(GO) build ./...
	GOOS=linux GOARCH=arm GOARM=7 $(GO) build ./...
	GOOS=linux GOARCH=arm64 $(GO) test -c -o /dev/null ./specs
	GOOS=linux GOARCH=arm GOARM=7 $(GO) test -c -o /dev/null ./specs

suite-virtual:
	$(QUICK_ENV) $(MAKE) --no-print-directory hil

clean:
	rm -rf $(OUT)
