#!/usr/bin/env bash
# Builds and runs one libFuzzer target (or all of them) with AddressSanitizer.
#
#   Scripts/fuzz.sh TARGET SECONDS     TARGET: json, template, tokenizer, safetensors
#   Scripts/fuzz.sh all SECONDS        each target for SECONDS
#   Scripts/fuzz.sh check              exit 0 when the toolchain can build fuzzers (for CI)
#
# Each target compiles the module sources it needs straight into one executable (SeekJSON as a library
# beside it), because SwiftPM has no fuzzer build. Seeds come from Fuzz/Corpus/TARGET (kept in git);
# what the fuzzer learns goes to .build/fuzz/corpus/TARGET, crashes to .build/fuzz/findings/TARGET.
# A crash reproduces with: .build/fuzz/TARGET .build/fuzz/findings/TARGET/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(json template tokenizer safetensors)
out=.build/fuzz
flags=(-parse-as-library -sanitize=fuzzer,address -O -g -swift-version 6)

usage() { echo "usage: $0 {json|template|tokenizer|safetensors|all} SECONDS | $0 check" >&2; exit 64; }

sources() {
  case "$1" in
    json) ;;
    template) ls Sources/SeekTemplate/*.swift ;;
    tokenizer) ls Sources/SeekTokenizer/*.swift Sources/SeekTokenizer/Regex/*.swift ;;
    safetensors) echo Sources/SeekEngine/Loading/SafeTensors.swift Sources/SeekEngine/Loading/RegularFile.swift Sources/SeekEngine/Errors/ModelFileError.swift Sources/SeekEngine/Errors/FileReadError.swift Fuzz/Support/ConvertShim.swift ;;
    *) usage ;;
  esac
}

build_json_library() {
  mkdir -p "$out/lib"
  swiftc "${flags[@]}" -module-name SeekJSON -emit-module -emit-module-path "$out/lib/SeekJSON.swiftmodule" \
    -emit-library -static -o "$out/lib/libSeekJSON.a" Sources/SeekJSON/*.swift 2>"$out/build.log" || { cat "$out/build.log"; exit 1; }
}

build() {
  local target=$1
  # shellcheck disable=SC2046
  swiftc "${flags[@]}" -module-name "Fuzz_$target" -I "$out/lib" -L "$out/lib" -lSeekJSON \
    $(sources "$target") "Fuzz/Targets/$target.swift" -o "$out/$target" 2>"$out/build.log" || { grep -v "ld.gold: warning" "$out/build.log"; exit 1; }
}

run() {
  local target=$1 seconds=$2
  mkdir -p "$out/corpus/$target" "$out/findings/$target"
  echo "== $target: $seconds s"
  # -rss_limit_mb: a giant allocation is a finding. -timeout: one input taking 10 s is a hang.
  "$out/$target" "$out/corpus/$target" "Fuzz/Corpus/$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$out/findings/$target/" 2>&1 | grep -E "^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*(crash|leak|timeout|oom)-)" || true
  local found
  found=$(find "$out/findings/$target" -type f | wc -l)
  if [ "$found" -gt 0 ]; then echo "$target: $found finding(s) in $out/findings/$target"; return 1; fi
}

[ $# -ge 1 ] || usage
mkdir -p "$out"
if [ "$1" = check ]; then
  echo 'import SeekJSON
@_cdecl("LLVMFuzzerTestOneInput") public func f(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt { 0 }' > "$out/check.swift"
  build_json_library >/dev/null 2>&1 && swiftc "${flags[@]}" -I "$out/lib" -L "$out/lib" -lSeekJSON "$out/check.swift" -o "$out/check" >/dev/null 2>&1
  exit
fi
[ $# -eq 2 ] || usage
seconds=$2
build_json_library
status=0
if [ "$1" = all ]; then
  for t in "${targets[@]}"; do build "$t"; done
  for t in "${targets[@]}"; do run "$t" "$seconds" || status=1; done
else
  build "$1"
  run "$1" "$seconds" || status=1
fi
exit $status
