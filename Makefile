# The two commands of Passkey Desk: `make demo` and `make test` (see README.md).
# Builds go to a target dir outside the clone, so CI and clean clones reuse earlier builds.
export CARGO_TARGET_DIR ?= /var/tmp/passkey-desk-target
CARGO ?= cargo
# The demos (the simulator in-process) exist only with these features: make demo and the tests
# build them, the shipped app and CLI do not. Cargo commands without -p build the workspace's
# default members (all but the benchmarks' floor app).
DEMO = --features passkey-desk/demo,passkey-desk-cli/demo
NPM_CI = npm ci --no-audit --no-fund

.PHONY: demo demo-desktop demo-cli demo-serve test deps ui bindings sim fuzz package screenshots

deps:
	@scripts/install-deps

## The web front end, built into ui/dist (the desktop app bundles it).
ui: deps
	cd ui && $(NPM_CI) && npm run build

## The main job: the desktop app against the in-process ZITADEL simulator, signed in as the
## demo admin. Without a display it runs the same flow in the terminal instead.
demo: deps
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(MAKE) --no-print-directory demo-desktop; \
	else echo "No display: running the terminal demo (make demo-cli)."; $(MAKE) --no-print-directory demo-cli; fi

demo-desktop: ui
	$(CARGO) run -q -p passkey-desk --features demo -- --demo

## The whole flow in a terminal: sign-in, orgs, search, a link as a QR code, the registration.
demo-cli: deps
	$(CARGO) run -q -p passkey-desk-cli --features demo -- demo

## The terminal demo, leaving the simulator running (Ctrl-C ends it).
demo-serve: deps
	$(CARGO) run -q -p passkey-desk-cli --features demo -- demo --keep-running

## The simulator alone, on port 8080; prints the demo admins' PATs.
sim: deps
	$(CARGO) run -q -p zitadel-sim -- --port 8080

## The UI's TypeScript types, generated from the Rust types with ts-rs.
bindings:
	TS_RS_EXPORT_DIR=$(CURDIR)/ui/src/bindings $(CARGO) test -q -p passkey-desk-core --features ts --lib export_bindings

## Everything CI checks: the UI (types, lint, unit tests, build), the conformance judge's
## own tests (tests/conformance: ZITADEL's published protos from npm), bindings up to date,
## formatting, lints as errors, all Rust tests — inside a private D-Bus session with GNOME
## Keyring (the real Secret Service) and a virtual display (the real WebKit window) — and the
## reliability figures (docs/RELIABILITY.md) regenerated from this run's results.
test: deps
	rm -rf $(CARGO_TARGET_DIR)/reliability && mkdir -p $(CARGO_TARGET_DIR)/reliability
	cd ui && $(NPM_CI) && npm run check && npm run lint && npm run build \
		&& npx vitest run --reporter=default --reporter=json --outputFile=$(CARGO_TARGET_DIR)/reliability/vitest.json
	cd tests/conformance && $(NPM_CI) && node --test
	$(MAKE) --no-print-directory bindings
	git diff --exit-code -- ui/src/bindings || { echo "ui/src/bindings is stale: run make bindings and commit"; exit 1; }
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy $(DEMO) --all-targets -- -D warnings
	$(CARGO) machete
	$(CARGO) build $(DEMO) --bins
	$(CARGO) build --release -p passkey-desk
	scripts/with-keyring xvfb-run -a -s "-screen 0 1280x900x24" $(CARGO) test $(DEMO)
	node scripts/reliability.mjs --check
	@if [ "$${FUZZ:-0}" = 1 ]; then $(MAKE) --no-print-directory fuzz; fi

## The README's screenshots: the WebDriver suites write them into $(CARGO_TARGET_DIR)/screenshots
## on every run (make test leaves the clone clean); this runs those suites and copies the
## pictures into docs/screenshots/ for a commit.
screenshots: ui
	$(CARGO) build --release -p passkey-desk
	scripts/with-keyring xvfb-run -a -s "-screen 0 1280x900x24" $(CARGO) test $(DEMO) -p passkey-desk-e2e --test desktop --test enrollment_desk
	cp $(CARGO_TARGET_DIR)/screenshots/*.png docs/screenshots/
	@echo "docs/screenshots/ updated from this run: review with git diff --stat docs/screenshots"

## The cargo-fuzz targets (fuzz/), FUZZ_SECONDS each (default 60), with nightly; writes the
## figures to fuzz/stats.json and fails if a target crashes. `FUZZ=1 make test` runs it too.
fuzz:
	scripts/fuzz

## The Linux packages: a .deb and an .rpm from the Tauri bundler (@tauri-apps/cli from npm),
## reusing make test's release build and ui/dist; then the .deb is checked (metadata, the app,
## the CLI, the desktop entry, the icons), installed with apt-get, `passkey-desk --version` run
## without a display, and removed (scripts/package). No AppImage: its bundler downloads helpers.
package: deps
	scripts/package

bench:
	scripts/bench
