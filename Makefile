# The README's test command is `make test`; .ci/run installs what it needs and calls it.
.PHONY: test lint unit

test: lint unit

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

unit:
	cargo test
