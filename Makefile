# The README's test command is `make test`: it installs what is missing (idempotent, see
# scripts/install-test-tools), then runs every test. .ci/run calls exactly that.
.PHONY: test tools rust-tools system-tools checks fmt clippy unit policy.wasm policy-test npm-test

# Clippy runs inside the builds: with clippy-driver as rustc's wrapper for the workspace's
# crates (what `cargo clippy` itself does, but compiling instead of only checking), every
# crate is compiled once, linted and tested, instead of once for clippy and again for the
# tests. CLIPPY_ARGS carries the lint flags as `cargo clippy -- -D warnings` hands them
# to clippy-driver. Every target and configuration `make clippy` covers is built here:
# the workspace's tests and benches, the policy (wasm32-wasip1, `kubewarden`), the waPC
# host with its benches, the npm crate (wasm32-unknown-unknown).
LINTED = RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
NATIVE = --workspace --exclude policy-host --exclude reference-guest --exclude sidecar-guard-wasm

POLICY_BUILD = cargo build --lib --target wasm32-wasip1 --profile wasm --no-default-features --features kubewarden

# Three stages, each as parallel as two cores allow. First the Rust toolchain's parts
# (the builds need them). Then the system tools — Debian packages, mostly downloading,
# and wasm-bindgen-cli — beside formatting and the native tests, which need neither.
# Last the policy's and the npm module's tests side by side: their builds have long
# single-threaded stretches (whole-program optimisation, wasm-opt, the browser tests) that
# leave a core idle. The npm module builds in a target directory of its own, so the two
# cargo runs do not wait on each other's lock. At the end, one line on the suites that
# need data outside the repository (scripts/shared-data): whether they ran, and why not.
test: rust-tools
	$(MAKE) --no-print-directory -j2 --output-sync=target system-tools checks
	$(MAKE) --no-print-directory -j2 --output-sync=target policy-test npm-test
	@scripts/shared-data

tools:
	scripts/install-test-tools

rust-tools:
	scripts/install-test-tools rust

system-tools:
	scripts/install-test-tools system

checks: fmt
	$(MAKE) --no-print-directory unit

fmt:
	cargo fmt --all -- --check
	rustfmt --check --edition 2021 fuzz/src/lib.rs fuzz/fuzz_targets/*.rs

# The same lints as separate checks, for a quick look without building.
clippy:
	cargo clippy $(NATIVE) --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-wasip1 --no-default-features --features kubewarden -- -D warnings
	cargo clippy -p policy-host --all-targets -- -D warnings
	cargo clippy -p sidecar-guard-wasm --lib --target wasm32-unknown-unknown -- -D warnings

unit:
	$(LINTED) cargo test $(NATIVE) --all-targets --no-run
	$(LINTED) cargo test $(NATIVE)

# The Kubewarden policy module, at the repository root as Kubewarden policy repos have it,
# optimised by binaryen's wasm-opt (Debian's binaryen; .ci/run installs it): ~20% smaller
# and ~5% faster per call than rustc's output alone.
WASM_OPT_FEATURES = --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
policy.wasm:
	$(LINTED) $(POLICY_BUILD)
	@command -v wasm-opt >/dev/null || { echo "wasm-opt not found: apt-get install binaryen" >&2; exit 1; }
	wasm-opt -O3 $(WASM_OPT_FEATURES) target/wasm32-wasip1/wasm/sidecar_guard.wasm -o policy.wasm

# The built module in the waPC host Kubewarden's policy-server embeds. In the dev profile:
# the tests compile the module once per process (as policy-server does) and instantiate
# it per test thread, so wasmtime's unoptimised Cranelift runs once, and a release build
# of wasmtime would cost far more than it saves. The benches build in release.
policy-test: policy.wasm
	$(LINTED) cargo test -p policy-host --all-targets --no-run
	$(LINTED) cargo test -p policy-host

# The npm module: build it in place (wasm/ is the package root) and run its Node, types,
# packing and headless-Chromium tests.
npm-test:
	cd wasm && npm ci --no-audit --no-fund && CARGO_TARGET_DIR=$(CURDIR)/target/npm $(LINTED) npm run build && npm test

# The policy against reference guests built with the same SDK (see benches/policy.rs).
.PHONY: bench-policy
bench-policy: policy.wasm
	cargo build -p reference-guest --target wasm32-wasip1 --profile wasm
	cargo bench -p policy-host --bench policy

# Validations per second in Node and the package's sizes.
.PHONY: bench-npm
bench-npm:
	cd wasm && npm ci --no-audit --no-fund && npm run build && npm run bench
