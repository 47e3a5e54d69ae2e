# The README's test command is `make test`: it installs what is missing (idempotent, see
# scripts/install-test-tools), then runs every test. .ci/run calls exactly that.
.PHONY: test tools lint unit policy.wasm policy-test npm-test

POLICY_BUILD = cargo build --lib --target wasm32-wasip1 --profile wasm --no-default-features --features kubewarden

test: tools lint unit policy-test npm-test

tools:
	scripts/install-test-tools

lint:
	cargo fmt --all -- --check
	rustfmt --check --edition 2021 fuzz/src/lib.rs fuzz/fuzz_targets/*.rs
	cargo clippy --workspace --exclude policy-host --exclude reference-guest --exclude sidecar-guard-wasm --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-wasip1 --no-default-features --features kubewarden -- -D warnings
	cargo clippy -p policy-host --all-targets -- -D warnings
	cargo clippy -p sidecar-guard-wasm --lib --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test --workspace --exclude policy-host --exclude reference-guest --exclude sidecar-guard-wasm

# The Kubewarden policy module, at the repository root as Kubewarden policy repos have it,
# optimised by binaryen's wasm-opt (Debian's binaryen; .ci/run installs it): ~20% smaller
# and ~5% faster per call than rustc's output alone.
WASM_OPT_FEATURES = --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
policy.wasm:
	$(POLICY_BUILD)
	@command -v wasm-opt >/dev/null || { echo "wasm-opt not found: apt-get install binaryen" >&2; exit 1; }
	wasm-opt -O3 $(WASM_OPT_FEATURES) target/wasm32-wasip1/wasm/sidecar_guard.wasm -o policy.wasm

# The built module in the waPC host Kubewarden's policy-server embeds.
policy-test: policy.wasm
	cargo test --release -p policy-host

# The npm module: build it in place (wasm/ is the package root) and run its Node, types,
# packing and headless-Chromium tests.
npm-test:
	cd wasm && npm ci --no-audit --no-fund && npm run build && npm test

# The policy against reference guests built with the same SDK (see benches/policy.rs).
.PHONY: bench-policy
bench-policy: policy.wasm
	cargo build -p reference-guest --target wasm32-wasip1 --profile wasm
	cargo bench -p policy-host --bench policy

# Validations per second in Node and the package's sizes.
.PHONY: bench-npm
bench-npm:
	cd wasm && npm ci --no-audit --no-fund && npm run build && npm run bench
