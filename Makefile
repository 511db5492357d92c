# picohil — `make hil` runs the HIL suite, `make test` is the full gate.
SHELL := /bin/bash
GO ?= go
GINKGO := $(GO) run github.com/onsi/ginkgo/v2/ginkgo
SELFTEST := $(GO) run ./specs/cmd/selftest
OUT := $(CURDIR)/out
HIL_OUT ?= $(OUT)/hil
export HIL_OUT
# RECORD=1 stores the run as a tape (harness/report/tape/FORMAT.md) for hil replay.
ifdef RECORD
HIL_RECORD ?= $(HIL_OUT)/tape.jsonl
export HIL_RECORD
endif

# Quick cadence for the virtual Pico in make test: 100 ms half-period (at 50 ms a scheduler stall of one Go time slice, 10 ms, is a fifth of a half-period).
QUICK_ENV := HIL_TARGET=virtual HIL_BLINK_MS=100 HIL_JITTER_MS=12
# The real firmware under MicroPython-WebAssembly, 200 ms half-period.
MPY_ENV := HIL_TARGET=micropython HIL_BLINK_MS=200
NODE_DIR := fixtures/micropython/node
NODE_STAMP := $(NODE_DIR)/node_modules/.package-lock.json
RP2040_NODE_DIR := fixtures/rp2040/node
RP2040_NODE_STAMP := $(RP2040_NODE_DIR)/node_modules/.package-lock.json
FIRMWARE ?= firmware/main.py

# A relative HIL_FIRMWARE names a file from the directory make is called in
# ($$PWD, which make -C keeps), not from the directory the suite runs in.
ifneq ($(HIL_FIRMWARE),)
ifeq ($(filter /%,$(HIL_FIRMWARE)),)
override HIL_FIRMWARE := $(or $(PWD),$(CURDIR))/$(HIL_FIRMWARE)
export HIL_FIRMWARE
endif
endif

# The race detector needs cgo (a C compiler); without it the unit tests run plain.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race)

# The compiled suite every lane runs: built once per make run, so lanes that
# run at once (make -j2) never build or delete it under each other.
SUITE := $(OUT)/bin/specs.test
HIL_BIN := $(OUT)/bin/hil

GINKGO_FLAGS := --timeout=30m --json-report=ginkgo.json
ifdef FOCUS
GINKGO_FLAGS += --focus='$(FOCUS)'
endif
ifdef LABELS
GINKGO_FLAGS += --label-filter='$(LABELS)'
endif
# SEED=<n> runs the specs in the order of seed n (report.json spec_seed);
# runs whose reports feed a gate or a baseline use GATE_SEED, one fixed order.
GATE_SEED := 1
ifdef SEED
GINKGO_FLAGS += --seed=$(SEED)
endif

# check-run ENV,OUT[,PROCS]: the bench settings (profile, HIL_*) and the make variables that
# reach the suite (FOCUS, LABELS, SEED, PROCS), checked by the compiled suite in the directory
# ginkgo runs it in, before ginkgo starts: a mistake is one line with a hint, exit status 2, and nothing opens
check-run = (cd $(dir $(SUITE)) && $(1) HIL_OUT=$(2) $(SUITE) -picohil.check -picohil.focus='$(FOCUS)' \
	-picohil.labels='$(LABELS)' -picohil.seed='$(SEED)' -picohil.procs='$(3)')

# A file named in HIL_FIRMWARE or HIL_TAPE is where the caller typed it
# from: the suite runs in out/bin, so a relative path is made absolute here.
ifdef HIL_FIRMWARE
export HIL_FIRMWARE := $(abspath $(HIL_FIRMWARE))
endif
ifdef HIL_TAPE
export HIL_TAPE := $(abspath $(HIL_TAPE))
endif

# SCENARIOS=dir runs each scenario file (*.yaml) in dir as a spec too, labelled
# scenario (harness/scenario); the suite reads it as HIL_SCENARIOS.
ifdef SCENARIOS
export HIL_SCENARIOS := $(abspath $(SCENARIOS))
endif

# run-suite ENV,OUT[,PROCS[,SEED]]: the compiled suite under ginkgo with ENV, reports in OUT
run-suite = mkdir -p $(2) && $(call check-run,$(1),$(2),$(3)) && $(1) HIL_OUT=$(2) $(GINKGO) $(if $(3),-p --procs $(3)) $(GINKGO_FLAGS) $(if $(4),--seed=$(4)) --output-dir=$(2) $(SUITE) $(call host-late-status,$(2))

# host-late-status OUT: a failed run whose only unpassed specs are
# inconclusive (the host was too late to measure them; report.json state
# "inconclusive") exits 3, not 1: neither a pass nor the firmware's failure.
host-late-status = || { s=$$?; r=$(1)/report.json; \
	if [ -f $$r ] && grep -q '"state": "inconclusive"' $$r && ! grep -Eq '"state": "(failed|panicked|timedout|interrupted|aborted)"' $$r; then \
	echo "picohil: inconclusive: host late: the host was too busy to time some specs (exit 3; see report.html)"; exit 3; fi; exit $$s; }

.PHONY: all deps hil faults faults-micropython gate-check test fmt-check vet unit cross suite-virtual suite-micropython node-test perf deploy flash clean dist suite-rp2040 faults-rp2040

all: test

## deps: Go modules and the npm packages of the MicroPython WebAssembly runner and the RP2040 emulator
deps: $(NODE_STAMP) $(RP2040_NODE_STAMP)
	$(GO) mod download

%/node_modules/.package-lock.json: %/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "picohil: Node.js 20+ with npm is needed for the micropython and rp2040 targets (install the nodejs and npm packages)"; exit 1; }
	cd $* && npm ci --no-audit --no-fund
	@touch $@

## hil: run the HIL suite on HIL_TARGET (auto|virtual|micropython|pico|jumper) or the
## bench profile (HIL_BENCH, default bench.yaml); PROCS=N runs N benches at once; reports in out/hil
hil: $(SUITE) $(if $(filter micropython,$(HIL_TARGET)),$(NODE_STAMP))
	$(call run-suite,,$(HIL_OUT),$(PROCS))

## faults: the suite once clean and once per injected fault on the virtual Pico
faults: $(SUITE)
	$(QUICK_ENV) $(SELFTEST) faults --seed $(GATE_SEED) --suite $(SUITE) --out $(OUT)/faults

## faults-micropython: the suite on broken variants of firmware/main.py under MicroPython; each must be caught
faults-micropython: $(SUITE) $(NODE_STAMP)
	$(MPY_ENV) $(SELFTEST) faults --target micropython --firmware $(FIRMWARE) --suite $(SUITE) --out $(OUT)/faults-micropython

## gate-check: the release gate's every rule on real runs (harness/report/RULES.md): the
## clean suite-virtual run against the clean faults run passes; the slow-echo and blink-drift
## faults runs, and its own rtt-tail and blink-wobble runs, are blocked naming the rule; its own
## micropython run is refused (exit 2) naming the target
gate-check: suite-virtual faults $(SUITE) $(HIL_BIN) $(NODE_STAMP)
	$(QUICK_ENV) $(SELFTEST) gate-check --seed $(GATE_SEED) --suite $(SUITE) --hil $(HIL_BIN) \
		--baseline $(OUT)/faults/clean/report.json --clean $(HIL_OUT)/report.json --faults $(OUT)/faults --out $(OUT)/gate-check

## false-blocks: the gate's false-block rate over PAIRS pairs of clean virtual runs
PAIRS ?= 20
.PHONY: false-blocks
false-blocks: $(SUITE)
	$(QUICK_ENV) $(SELFTEST) false-blocks --seed $(GATE_SEED) --pairs $(PAIRS) --suite $(SUITE) --out $(OUT)/false-blocks

# Binaries carry the harness version (git describe) into every report.
HARNESS_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := $(if $(HARNESS_VERSION),-X github.com/picohil/picohil/harness/report.version=$(HARNESS_VERSION))

$(SUITE): FORCE
	@mkdir -p $(@D)
	$(GO) test -c -ldflags '$(LDFLAGS)' -o $@ ./specs

$(HIL_BIN): FORCE
	@mkdir -p $(@D)
	$(GO) build -ldflags '$(LDFLAGS)' -o $@ ./harness/cmd/hil

# The example suite (specs/example): a module of its own on the public core, harness/hil.
EXAMPLE := $(OUT)/bin/example.test
$(EXAMPLE): FORCE
	@mkdir -p $(@D)
	cd specs/example && $(GO) test -c -ldflags '$(LDFLAGS)' -o $@ .

# run-example ENV,OUT[,SEED]: the compiled example suite under ginkgo with ENV, reports in OUT
run-example = mkdir -p $(2) && $(1) HIL_OUT=$(2) $(GINKGO) $(GINKGO_FLAGS) $(if $(3),--seed=$(3)) --output-dir=$(2) $(EXAMPLE)

## example: the example suite, a module of its own (specs/example), on HIL_TARGET; reports in out/example
.PHONY: example example-test
example: $(EXAMPLE) $(if $(filter micropython,$(HIL_TARGET)),$(NODE_STAMP))
	$(call run-example,,$(OUT)/example)

## example-test: the example module vetted, its suite on the virtual Pico and on the firmware under
## MicroPython, and a regression of its measurement blocked by hil gate (specs/example/gatecheck)
example-test: $(EXAMPLE) $(HIL_BIN) $(NODE_STAMP)
	cd specs/example && $(GO) vet ./...
	$(call run-example,$(QUICK_ENV),$(OUT)/example-virtual,$(GATE_SEED))
	$(call run-example,$(MPY_ENV),$(OUT)/example-micropython,$(GATE_SEED))
	cd specs/example && EXAMPLE_GATE_OUT=$(OUT)/example-gate $(GO) test -count=1 ./gatecheck \
		-args -suite $(EXAMPLE) -hil $(HIL_BIN) -firmware $(CURDIR)/firmware/main.py

# The VM and qemu-user runner, built once per make run like the suite.
HILVM := $(OUT)/bin/hilvm
$(HILVM): FORCE
	@mkdir -p $(@D)
	$(GO) build -o $@ ./fixtures/vm/cmd/hilvm

FORCE:

## test: everything CI checks
test: deps fmt-check vet actionlint unit unit-arm64 unit-arm node-test cross suite-virtual suite-multi faults faults-micropython gate-check example-test release-layout hil-vm hil-vm-faults suite-rp2040 faults-rp2040 fuzz-short

# In make test the lanes that time the suite run one at a time, after the
# builds, unit tests and fuzzing, so no timing spec shares the cores with
# another lane; make -j2 test runs the rest side by side. The unit lanes
# take turns too: the emulated ones load both cores, and the two arm lanes
# unpack qemu-user into one cache directory.
ifneq ($(filter test all,$(or $(MAKECMDGOALS),all)),)
unit-arm64: | unit
unit-arm: | unit-arm64
suite-virtual: | deps fmt-check vet actionlint unit unit-arm64 unit-arm node-test cross fuzz-short
suite-multi: | suite-virtual
faults: | suite-multi
faults-micropython: | faults
gate-check: | faults-micropython
example-test: | gate-check
release-layout: | example-test
hil-vm: | release-layout
hil-vm-faults: | hil-vm
suite-rp2040: | hil-vm-faults
faults-rp2040: | suite-rp2040
endif

## fmt-check: gofmt has nothing to change
fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## vet: go vet on every package
vet:
	$(GO) vet ./...

## actionlint: every workflow in .github/workflows checked by actionlint (the Go tool pinned in
## go.mod; .github/actionlint.yaml names the bench runners' labels)
.PHONY: actionlint
actionlint:
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint

## unit: the unit tests of the harness, the fixtures and the self-tests (with -race where cgo is on)
UNIT_PKGS := ./harness/... ./fixtures/... ./specs/cmd/selftest/...
unit: $(NODE_STAMP) $(RP2040_NODE_STAMP) rp2040-rom
	$(GO) test $(RACE) -count=1 -skip '^$(RELEASE_LAYOUT_TEST)$$' $(UNIT_PKGS)

## release-layout: the release files (make dist, for this machine) run from a directory holding
## only them and a bench profile: the suite passes on the virtual Pico, hil promotes and gates it
RELEASE_LAYOUT_TEST := TestReleaseLayoutRunsWithoutASourceTree
.PHONY: release-layout
release-layout:
	$(GO) test -count=1 -run '^$(RELEASE_LAYOUT_TEST)$$' ./specs/cmd/selftest

## node-test: the MicroPython runner's own tests under Node
node-test: $(NODE_STAMP)
	cd $(NODE_DIR) && npm test

## cross: everything, and the compiled suite, built for linux/arm64 and linux/arm (GOARM=7)
cross:
	GOOS=linux GOARCH=arm64 $(GO) build ./...
	GOOS=linux GOARCH=arm GOARM=7 $(GO) build ./...
	GOOS=linux GOARCH=arm64 $(GO) test -c -o /dev/null ./specs
	GOOS=linux GOARCH=arm GOARM=7 $(GO) test -c -o /dev/null ./specs

## suite-virtual: the suite on the virtual Pico in quick mode, in the gate's spec order; reports in out/hil
suite-virtual: $(SUITE)
	$(call run-suite,$(QUICK_ENV),$(HIL_OUT),,$(GATE_SEED))

## unit-arm64, unit-arm: the unit tests built for the Pi's architectures and executed under
## user-mode QEMU (Debian's qemu-user-static, unpacked into $$XDG_CACHE_HOME/picohil); a test
## qemu-user cannot emulate skips and says why. Without apt-get the lane says it skipped.
.PHONY: unit-arm64 unit-arm
unit-arm64: $(HILVM) $(NODE_STAMP)
	@$(HILVM) unit --arch arm64 --go $(GO) --pkgs '$(UNIT_PKGS)' $(SKIPPED_OK)
unit-arm: $(HILVM) $(NODE_STAMP)
	@$(HILVM) unit --arch arm --go $(GO) --pkgs '$(UNIT_PKGS)' $(SKIPPED_OK)

# hilvm exits 3 after printing its one "SKIPPED, not passed" line: the lane
# then ends there without failing make.
SKIPPED_OK := || { rc=$$?; [ $$rc -eq 3 ] && exit 0; exit $$rc; }

## rp2040-rom: the emulated RP2040's ROM (fixtures/rp2040/rom, the datasheet's tables written by
## the project) in out/rp2040/rom.bin, built with Debian's arm-none-eabi toolchain (unpacked into
## $$XDG_CACHE_HOME/picohil); without apt-get it says it skipped
RP2040_OUT := $(OUT)/rp2040
RP2040_ROM := $(RP2040_OUT)/rom.bin
ARM_FLAGS := -mcpu=cortex-m0plus -mthumb -Os -Wall -Wextra -ffunction-sections -fdata-sections -ffreestanding -fno-builtin \
	-fno-tree-loop-distribute-patterns -nostartfiles -nostdlib -Wl,--gc-sections
.PHONY: rp2040-rom
rp2040-rom: $(HILVM)
	@root=$$($(HILVM) arm-none-eabi rp2040-rom) $(SKIPPED_OK); \
	mkdir -p $(RP2040_OUT) && \
	$(call arm_cc,$(RP2040_OUT)/rom.elf,-T fixtures/rp2040/rom/rom.ld fixtures/rp2040/rom/start.S fixtures/rp2040/rom/rom.c -lm -lc -lgcc) && \
	$$root/usr/bin/arm-none-eabi-objcopy -O binary $(RP2040_OUT)/rom.elf $(RP2040_ROM) && \
	echo "rp2040-rom: $(RP2040_ROM), $$(stat -c %s $(RP2040_ROM)) of 16384 bytes"

## rp2040-cfw: the bare-metal echo-and-blink firmware (fixtures/rp2040/cfw, no pico-sdk) in
## out/rp2040/echo-blink.uf2, built with Debian's arm-none-eabi toolchain
RP2040_CFW := $(RP2040_OUT)/echo-blink.uf2
.PHONY: rp2040-cfw
rp2040-cfw: $(HILVM)
	@root=$$($(HILVM) arm-none-eabi rp2040-cfw) $(SKIPPED_OK); \
	mkdir -p $(RP2040_OUT) && \
	$(call arm_cc,$(RP2040_OUT)/echo-blink.elf,-DHALF_PERIOD_MS=100 -T fixtures/rp2040/cfw/link.ld fixtures/rp2040/cfw/boot2.S fixtures/rp2040/cfw/main.c) && \
	$$root/usr/bin/arm-none-eabi-objcopy -O binary $(RP2040_OUT)/echo-blink.elf $(RP2040_OUT)/echo-blink.bin && \
	$(GO) run ./fixtures/rp2040/cmd/rp2040 uf2 --in $(RP2040_OUT)/echo-blink.bin --out $(RP2040_CFW) && \
	echo "rp2040-cfw: $(RP2040_CFW)"

# The firmware on the emulated RP2040, judged in device time with a Pico's
# allowances; a 100 ms half-period keeps the blink specs short.
RP2040_ENV := HIL_TARGET=rp2040 HIL_BLINK_MS=100
RP2040_TOOL := $(OUT)/bin/rp2040
$(RP2040_TOOL): FORCE
	@mkdir -p $(@D)
	$(GO) build -o $@ ./fixtures/rp2040/cmd/rp2040

# The lanes run a focused subset: every device-time second costs 2 to 25
# wall seconds here (rp2040js at 5 to 60 emulated MHz), so the specs that
# keep the chip busy for seconds (the 4096-byte payload, the sustained
# line rate, the echo load under the blink, the full sweep) run with
# make hil HIL_TARGET=rp2040, not in make test.
RP2040_FOCUS := round-trips 1000|1 byte|16 bytes|256 bytes|all 256 byte values|toggles at the configured|runs at the configured rate|mismatch

## suite-rp2040: the suite's focused subset (RP2040_FOCUS) on firmware/main.py in MicroPython v1.28.0
## on the emulated RP2040 (HIL_RP2040_IMAGES, default ../shared/rp2040), then on the bare-metal C
## firmware (rp2040-cfw; no control channel, so its echo and blink); each half says it skipped
## without what it needs (the MicroPython half without the image, both without the ROM or Node)
suite-rp2040: GINKGO_FLAGS += --focus='$(RP2040_FOCUS)'
suite-rp2040: $(SUITE) $(RP2040_TOOL) rp2040-rom rp2040-cfw $(RP2040_NODE_STAMP)
	@if $(RP2040_TOOL) ready suite-rp2040; then $(call run-suite,$(RP2040_ENV),$(OUT)/hil-rp2040); else [ $$? -eq 3 ]; fi && \
	if [ ! -f $(RP2040_CFW) ]; then echo "rp2040: suite-rp2040 (C firmware): SKIPPED, not passed: no $(RP2040_CFW)"; \
	elif HIL_UF2=$(RP2040_CFW) $(RP2040_TOOL) ready "suite-rp2040 (C firmware)"; then \
		$(call run-suite,$(RP2040_ENV) HIL_UF2=$(RP2040_CFW),$(OUT)/hil-rp2040-cfw); \
	else [ $$? -eq 3 ]; fi

## faults-rp2040: broken variants of firmware/main.py on the emulated RP2040, each caught by its
## family: RP2040_FAULTS over RP2040_FAULT_FOCUS (the suite's focused subset and the sweep at two
## rates); without the image, ROM or Node it says it skipped
RP2040_FAULTS ?= costly-echo,store-and-forward,rx-overflow,seed
RP2040_FAULT_FOCUS ?= $(RP2040_FOCUS)|every rate of the sweep
faults-rp2040: $(SUITE) $(RP2040_TOOL) rp2040-rom $(RP2040_NODE_STAMP)
	@$(RP2040_TOOL) ready faults-rp2040 $(SKIPPED_OK); \
	$(RP2040_ENV) HIL_BAUDS=115200,921600 $(SELFTEST) faults --target rp2040 --firmware $(FIRMWARE) --suite $(SUITE) \
		--out $(OUT)/faults-rp2040 --only $(RP2040_FAULTS) --focus '$(RP2040_FAULT_FOCUS)'

# In make test the fault lane keeps to what only the emulated chip shows
# (costly-echo: CPU time) and what it catches in seconds (the seed's
# program, store-and-forward on the 256-byte payload), over the specs that
# catch them; faults-micropython catches rx-overflow and the rest. The
# whole lane, about 5 minutes here, is make faults-rp2040.
test: RP2040_FAULTS = costly-echo,seed,store-and-forward
test: RP2040_FAULT_FOCUS = round-trips 1000|1 byte|256 bytes

# arm_cc OUT,ARGS: arm-none-eabi-gcc from the toolchain at $$root, with newlib, for the Cortex-M0+
define arm_cc
LD_LIBRARY_PATH=$$(echo $$root/usr/lib/*-linux-gnu) $$root/usr/bin/arm-none-eabi-gcc $(ARM_FLAGS) \
	-isystem $$root/usr/include/newlib -L$$root/usr/lib/arm-none-eabi/newlib/thumb/v6-m/nofp -o $(1) $(2)
endef

## hil-vm: the suite in a VM as the pico target: Debian's kernel under qemu-system-x86_64, a
## gpio-sim chip with the Pi's line names, the data UART on a 16550, the control channel on a
## QEMU usb-serial, the device on the host (HIL_VM_DEVICE=virtual|micropython, HIL_FAULT);
## reports in out/hil-vm. Kernel, QEMU and the module build are cached in $$XDG_CACHE_HOME/picohil.
## The scenario files of SCENARIOS (default specs/scenarios) run in it too. The guest runs
## under TCG on the host's cores, so a failure must repeat to count: a failed run is run once
## more (its reports kept in out/hil-vm-first), as faults-micropython's clean run is.
.PHONY: hil-vm
hil-vm: $(HILVM) $(if $(filter micropython,$(HIL_VM_DEVICE)),$(NODE_STAMP))
	@HIL_SCENARIOS=$(or $(HIL_SCENARIOS),$(CURDIR)/specs/scenarios) $(HILVM) run --out $(OUT)/hil-vm --rerun-into $(OUT)/hil-vm-first $(if $(FOCUS),--focus '$(FOCUS)') $(SKIPPED_OK)

## hil-vm-faults: the VM lane once per fault (blink-drift, drop-byte); each must fail a spec of its family
.PHONY: hil-vm-faults
hil-vm-faults: $(HILVM)
	@$(HILVM) faults --out $(OUT)/hil-vm-faults $(SKIPPED_OK)

## suite-multi: the suite on three virtual benches at once, one per ginkgo -p process.
## Three suites share two cores here: it proves the binding of process to bench, so
## the timing specs are left out (their figures would be the host's, not the device's)
## and the deadlines of the others are wider.
MULTI_ENV := $(QUICK_ENV) HIL_JITTER_MS=20 HIL_TURNAROUND_MS=15
.PHONY: suite-multi
suite-multi: GINKGO_FLAGS += --label-filter='!timing'
suite-multi: $(SUITE)
	$(call run-suite,$(MULTI_ENV) HIL_BENCH=$(CURDIR)/harness/target/bench/testdata/three-virtual.yaml,$(OUT)/hil-multi,3)

## suite-micropython: the suite on the firmware under MicroPython; reports in out/hil-micropython.
## make test judges the same run as faults-micropython's clean run, where a failure must repeat
## (the fixture's timing shares the host; specs/cmd/selftest/README.md)
suite-micropython: $(SUITE) $(NODE_STAMP)
	$(call run-suite,$(MPY_ENV),$(OUT)/hil-micropython)

## perf: the harness measured against the physical floor, side by side in one run (specs/cmd/selftest/README.md);
## prints the table, writes out/perf/perf.txt (benchstat input) and out/perf/perf.json
PERF_COUNT ?= 6
PERF_SCALE ?= 1,2,4,8
PERF_BENCHMARKS := ./harness/measure/echo:RTTFloor:5000x ./harness/measure/echo:LineRate:3x ./harness/gpio/edge:TimestampError:10x
perf: $(SUITE)
	$(SELFTEST) perf-summary --go $(GO) --count $(PERF_COUNT) --input $(OUT)/perf/perf.txt --suite $(SUITE) --out $(OUT)/perf --scale $(PERF_SCALE) --env "$(QUICK_ENV)" $(PERF_BENCHMARKS)

## deploy: write FIRMWARE to the Pico on PORT (default $$HIL_CONTROL) over the raw REPL, verify, reset, check VERSION;
## HIL_TARGET=micropython deploys to MicroPython-WebAssembly's REPL instead
deploy: $(if $(filter micropython,$(HIL_TARGET)),$(NODE_STAMP))
	$(GO) run ./harness/cmd/hil deploy $(if $(filter micropython,$(HIL_TARGET)),--micropython) $(if $(PORT),--port $(PORT)) --file $(FIRMWARE) $(if $(EXPECT_VERSION),--expect-version $(EXPECT_VERSION))

## flash: install MicroPython from UF2 (bootloader over PORT, or hold BOOTSEL), then wait for PORT
flash:
	$(GO) run ./harness/cmd/hil flash $(if $(UF2),--uf2 $(UF2)) $(if $(PORT),--port $(PORT)) $(if $(MOUNT),--mount $(MOUNT))

## clean: remove out/
clean:
	rm -rf $(OUT)

## help: every target with its help line
.PHONY: help
help:
	@awk '/^## /{ sub(/^## /, more ? "    " : ""); print; more = 1; next } { more = 0 }' $(MAKEFILE_LIST)

## fuzz: every parser's fuzz target for FUZZTIME each (seed corpora in testdata/fuzz);
## a run ending in the Go fuzz coordinator's deadline race (Go issue 75804) is reported, not counted
FUZZTIME ?= 10s
FUZZ_TARGETS := \
	./harness/serial/control:FuzzParseReply \
	./harness/serial/control:FuzzParseStats \
	./harness/serial/control:FuzzParseVersion \
	./harness/target/bench:FuzzFromEnv \
	./harness/target/bench:FuzzLoadProfile \
	./harness/report:FuzzRead \
	./harness/report/tape:FuzzRead \
	./harness/scenario:FuzzParse \
	./fixtures/micropython:FuzzReadFrame \
	./fixtures/wire:FuzzResample
run-fuzz = $(SELFTEST) fuzz --go $(GO) --out $(OUT)/fuzz $(1) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-short
fuzz:
	$(call run-fuzz,--time $(FUZZTIME))

## fuzz-short: every fuzz target for 5 s on one worker (part of make test)
fuzz-short:
	$(call run-fuzz,--time 5s --parallel 1)

## soak: echo and blink continuously on HIL_TARGET for DURATION; totals, errors,
## missed edges and RTT p50/p99 per SOAK_WINDOW in out/soak/soak.json; Ctrl-C ends it early
DURATION ?= 10m
SOAK_WINDOW ?= 1m
.PHONY: soak
soak: $(HIL_BIN) $(if $(filter micropython,$(HIL_TARGET)),$(NODE_STAMP))
	$(HIL_BIN) soak --duration $(DURATION) --window $(SOAK_WINDOW) --out $(OUT)/soak

## stress: the suite STRESS_RUNS times in a row (by default the virtual suite in
## quick mode; STRESS_ENV="HIL_TARGET=micropython" for another), BUSY busy loops
## beside; fails unless every run passed; each run's reports in out/stress/<i>
STRESS_RUNS ?= 20
STRESS_ENV ?= $(QUICK_ENV)
BUSY ?= 0
.PHONY: stress
stress: $(SUITE) $(if $(findstring micropython,$(STRESS_ENV)),$(NODE_STAMP))
	$(STRESS_ENV) $(SELFTEST) stress --suite $(SUITE) --runs $(STRESS_RUNS) --busy $(BUSY) --out $(OUT)/stress

## gate: compare $(HIL_OUT)/report.json with BASELINE (e.g. firmware/baselines/1.0.0.json; several,
## oldest first, draw a trend in gate.html and the last is compared); fails on a regression, refuses unlike runs
.PHONY: gate baseline
gate:
	$(if $(BASELINE),,$(error BASELINE is not set: make gate BASELINE=firmware/baselines/<version>.json))
	$(GO) run ./harness/cmd/hil gate $(foreach b,$(BASELINE),--baseline $(b)) --current $(HIL_OUT)/report.json

## baseline: promote a passing $(HIL_OUT)/report.json to firmware/baselines/VERSION.json
baseline:
	$(if $(VERSION),,$(error VERSION is not set: make baseline VERSION=<firmware semver>))
	$(GO) run ./harness/cmd/hil baseline --from $(HIL_OUT)/report.json --out firmware/baselines/$(VERSION).json $(if $(FIXTURE),--fixture)

## dist: the release files a bench Pi runs without Go (harness/target/bench/SETUP.md):
## hil and the compiled suite for DIST_PLATFORMS, the example profile, SHA256SUMS; in out/dist
DIST_PLATFORMS ?= linux/arm64,linux/arm/7
dist:
	$(SELFTEST) dist --go $(GO) --platforms $(DIST_PLATFORMS) --version '$(HARNESS_VERSION)' --out $(OUT)/dist
