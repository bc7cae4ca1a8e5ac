# The two commands of Passkey Desk: `make demo` and `make test` (see README.md).
# Builds go to a target dir outside the clone, so CI and clean clones reuse earlier builds.
export CARGO_TARGET_DIR ?= /var/tmp/passkey-desk-target
CARGO ?= cargo

.PHONY: demo demo-serve test deps sim

deps:
	@scripts/install-deps

## The main job: the whole flow against the in-process ZITADEL simulator, QR in the terminal.
demo: deps
	$(CARGO) run -q -p passkey-desk-cli -- demo

## The same, leaving the simulator running (Ctrl-C ends it).
demo-serve: deps
	$(CARGO) run -q -p passkey-desk-cli -- demo --keep-running

## The simulator alone, on port 8080; prints the demo admins' PATs.
sim: deps
	$(CARGO) run -q -p zitadel-sim -- --port 8080

## Everything CI checks: formatting, lints as errors, all tests. The tests run inside a
## private D-Bus session with GNOME Keyring, so the real Secret Service is tested.
test: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) build --workspace --bins
	scripts/with-keyring $(CARGO) test --workspace
