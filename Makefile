# manyi: `make run` starts the server with a demo measurement; `make test`
# installs what the tests need (chromium, poppler-utils, postgresql) and runs
# every test, the PostgreSQL ones against a throw-away cluster (.ci/pgcluster).
GO      ?= go
BIN     := bin/manyi
DB      ?= ./data/manyi.db
ADDR    ?= 127.0.0.1:8080
# The toolchain: go1.27.3, the one Go release on the module proxy here
# without a known vulnerability (go1.26.8, the machine's own, has 13 in the
# standard library, fixed in go1.26.9; docs/SECURITY.md). The go command
# fetches it from the module proxy once (about 76 MB). go.mod stays at
# 1.26.8, so a plain `go test` with the machine's Go still works.
export GOTOOLCHAIN := go1.27.3
# The vulnerability database: golang.org/x/vulndb is a module on the proxy
# whose data/osv holds every Go advisory as OSV JSON; vulndb's own indexdb
# turns that folder into the database govulncheck reads with -db file://.
# Pinned, so a run is reproducible; raise both to take newer advisories.
GOVULNCHECK_VERSION := v1.9.0
VULNDB_VERSION      := v0.0.0-20261105234957-e22db6528018
VULNDB_DIR          ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/manyi/vulndb-$(VULNDB_VERSION)
# Each fuzz target runs FUZZTIME in `make test` (package:Target).
FUZZTIME     ?= 10s
FUZZ_TARGETS := ./survey:FuzzLoadQuestionnaire ./survey:FuzzParsePage \
	./survey/sampling:FuzzReadFrame ./survey/sampling:FuzzReadFrameFile \
	./survey/analysis:FuzzReadCensusCSV
APT     := $(shell [ "$$(id -u)" = 0 ] || echo sudo) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: build run test deps lint bench fuzz vulncheck

build:
	$(GO) build -o $(BIN) ./cmd/manyi

run: build
	mkdir -p $(dir $(DB))
	./$(BIN) serve --demo --db $(DB) --addr $(ADDR)

# deps installs the Debian packages the tests drive: chromium (browser tests)
# and poppler-utils (pdftotext/pdftoppm for the report tests).
deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing; \
	fi

lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './data/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# .ci/pgcluster installs postgresql when missing, starts a throw-away cluster
# in a temporary directory, runs go test with MANYI_TEST_POSTGRES set, and
# removes the cluster afterwards (also when a test fails).
test: deps lint vulncheck
	.ci/pgcluster $(GO) test -count=1 -timeout 25m ./...
	$(MAKE) --no-print-directory fuzz

# fuzz runs each fuzz target for FUZZTIME (a finding fails, and go test
# writes the input to the package's testdata/fuzz). -fuzzminimizetime stays
# short: minimizing a large interesting input would eat the whole budget.
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
	done

# vulncheck builds the vulnerability database from the pinned vulndb module
# (once per version) and runs govulncheck offline over every package; any
# vulnerability the code reaches fails the build.
vulncheck:
	@if [ ! -s "$(VULNDB_DIR)/index/db.json" ]; then \
		set -e; src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
		echo "building the vulnerability database from golang.org/x/vulndb@$(VULNDB_VERSION)"; \
		rm -rf "$(VULNDB_DIR).tmp"; mkdir -p "$$(dirname "$(VULNDB_DIR)")"; \
		$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out "$(VULNDB_DIR).tmp"; \
		rm -rf "$(VULNDB_DIR)"; mv "$(VULNDB_DIR).tmp" "$(VULNDB_DIR)"; \
	fi
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db file://$(VULNDB_DIR) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
