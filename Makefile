# The README's test command is `make test`; .ci/run installs what it needs and calls it.
.PHONY: test lint unit policy.wasm policy-test

POLICY_BUILD = cargo build --lib --target wasm32-wasip1 --profile policy --no-default-features --features kubewarden

test: lint unit policy-test

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-wasip1 --no-default-features --features kubewarden -- -D warnings
	cargo clippy -p policy-host --all-targets -- -D warnings

unit:
	cargo test

# The Kubewarden policy module, at the repository root as Kubewarden policy repos have it.
policy.wasm:
	$(POLICY_BUILD)
	cp target/wasm32-wasip1/policy/sidecar_guard.wasm policy.wasm

# The built module in the waPC host Kubewarden's policy-server embeds.
policy-test: policy.wasm
	cargo test --release -p policy-host

# The policy against reference guests built with the same SDK (see benches/policy.rs).
.PHONY: bench-policy
bench-policy: policy.wasm
	cargo build -p reference-guest --target wasm32-wasip1 --profile policy
	cargo bench -p policy-host --bench policy
