# The README's test command is `make test`; .ci/run installs what it needs and calls it.
.PHONY: test lint unit policy.wasm policy-test npm-test

POLICY_BUILD = cargo build --lib --target wasm32-wasip1 --profile wasm --no-default-features --features kubewarden

test: lint unit policy-test npm-test

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-wasip1 --no-default-features --features kubewarden -- -D warnings
	cargo clippy -p policy-host --all-targets -- -D warnings
	cargo clippy -p sidecar-guard-wasm --lib --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test

# The Kubewarden policy module, at the repository root as Kubewarden policy repos have it.
policy.wasm:
	$(POLICY_BUILD)
	cp target/wasm32-wasip1/wasm/sidecar_guard.wasm policy.wasm

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
