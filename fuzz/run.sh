#!/usr/bin/env bash
# Fuzzes one or every target for a while, keeping what it learns:
#   fuzz/run.sh [TARGET|all] [SECONDS]      (default: all, 60 s each)
# Targets: manifest (YAML/JSON text → reports), settings (settings text → Settings),
# admission (ValidationRequest payload → the policy's verdict). The corpus grows in
# fuzz/corpus/TARGET (seeded from the repository's fixtures, examples and test data) and
# crashes land in fuzz/artifacts/TARGET; `cargo test --test fuzz_corpus` replays both.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-60}
targets=(manifest settings admission)
[ "$target" = all ] || targets=("$target")

seed() {
  local dir=fuzz/corpus/$1; shift
  mkdir -p "$dir"
  for file in "$@"; do
    [ -f "$file" ] && cp "$file" "$dir/seed-$(sha1sum "$file" | cut -c1-16)"
  done
  return 0
}
seed manifest tests/fixtures/*/*.yaml examples/*.yaml examples/fixed/*.yaml
# JSON manifests too, for the fast JSON path: the objects of the recorded requests.
for file in tests/policy-host/test_data/*.json; do
  python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("object"), indent=1))' "$file" \
    >"fuzz/corpus/manifest/seed-object-$(basename "$file" .json)" 2>/dev/null || true
done
seed settings tests/fixtures/*/*.settings.yaml policies/*.yaml
# AdmissionRequests become ValidationRequests: {"request": …, "settings": {}}.
mkdir -p fuzz/corpus/admission
for file in tests/policy-host/test_data/*.json; do
  { printf '{"request":'; cat "$file"; printf ',"settings":{}}'; } \
    >"fuzz/corpus/admission/seed-$(basename "$file" .json)"
done

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  # -rss_limit_mb and -max_len bound what one input may take; a 5 MiB document is tested
  # separately (tests/malformed.rs), libFuzzer explores structure better with short inputs.
  cargo +nightly fuzz run "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
    -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1
done
