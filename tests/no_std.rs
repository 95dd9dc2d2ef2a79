//! The protocol crate builds without `std` (as the glove firmware needs): `cargo check` of
//! `mldsense-protocol` with no default features, in its own target directory so it does not
//! contend with the workspace build's lock. The crate has no dependencies, so this is quick.

use std::path::Path;
use std::process::Command;

#[test]
fn protocol_crate_builds_without_std() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .current_dir(root)
        .args([
            "check",
            "--quiet",
            "-p",
            "mldsense-protocol",
            "--no-default-features",
            "--lib",
        ])
        .env("CARGO_TARGET_DIR", root.join("target").join("no_std-check"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "mldsense-protocol does not build without std:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And the crate really declares itself no_std (the check above would pass for a std crate).
    let lib = std::fs::read_to_string(root.join("firmware-protocol/src/lib.rs")).expect("lib.rs");
    assert!(lib.contains("#![no_std]"));
    assert!(lib.contains("#[cfg(feature = \"std\")]\nextern crate std;"));
}
