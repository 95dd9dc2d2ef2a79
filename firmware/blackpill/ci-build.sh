#!/usr/bin/env bash
# Cross-builds the Black Pill glove image and reports its flash and RAM use.
#
# rustup on these machines has no bare-metal targets and cannot download them, so this uses
# Debian's Rust toolchain, which ships the library source (rust-web-src) and can build `core`
# for any target with -Zbuild-std (see .cargo/config.toml); lld-22 provides rust-lld.
set -euo pipefail
cd "$(dirname "$0")"

packages=(rustc-web cargo-web rust-web-src lld-22)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
    echo "firmware: installing Debian's Rust toolchain for cross-builds: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# Debian's cargo and rustc, not the rustup proxies first in PATH; RUSTC_BOOTSTRAP for
# -Zbuild-std on a stable compiler.
env PATH=/usr/bin:/bin RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo build --release --locked

image=target/thumbv7em-none-eabihf/release/mldsense-glove-blackpill
size_tool=$(command -v llvm-size-22 || command -v llvm-size || echo size)
"$size_tool" "$image"
# Berkeley format: text data bss. Flash holds text and data's initial values; RAM holds data
# and bss (the stack takes the rest of the 128 KiB).
read -r text data bss _ < <("$size_tool" "$image" | tail -n 1)
echo "firmware: flash $((text + data)) of 524288 bytes, static RAM $((data + bss)) of 131072 bytes"
