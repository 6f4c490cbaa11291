# manyi: `make run` starts the server with a demo measurement; `make test`
# installs what the tests need (chromium, poppler-utils, postgresql) and runs
# every test, the PostgreSQL ones against a throw-away cluster (.ci/pgcluster).
GO      ?= go
BIN     := bin/manyi
DB      ?= ./data/manyi.db
ADDR    ?= 127.0.0.1:8080
APT     := $(shell [ "$$(id -u)" = 0 ] || echo sudo) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: build run test deps lint bench

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
test: deps lint
	.ci/pgcluster $(GO) test -count=1 -timeout 25m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
