//! Where the suites that need data kept outside the repository find it: the seed article
//! (`seed/`) and the other engines' conformance corpus (`conformance/`). They live in the
//! directory `SIDECAR_GUARD_SHARED` names, or else in `../shared` beside the repository
//! when it is there (a relative `SIDECAR_GUARD_SHARED` is relative to the repository).
//! Without them those suites are skipped, said once per test binary;
//! on CI (`CI=true`) a missing corpus fails instead, so CI always runs every suite.

use std::path::{Path, PathBuf};
use std::sync::Once;

/// The environment variable that names the directory holding `seed/` and `conformance/`.
pub const SHARED_VARIABLE: &str = "SIDECAR_GUARD_SHARED";

static SKIPPED: Once = Once::new();

/// `<shared>/<name>` (`seed` or `conformance`) for the repository at `repo`, or `None`
/// when there is no such data here (the caller then skips).
///
/// Panics when `SIDECAR_GUARD_SHARED` names a directory without it (a mistyped path must
/// not pass as a skip) and on CI, where every suite has to run.
pub fn shared_data(repo: &Path, name: &str) -> Option<PathBuf> {
    // Relative to the repository, whichever crate's directory the test runs in.
    let named = std::env::var_os(SHARED_VARIABLE).map(|v| repo.join(v));
    let explicit = named.is_some();
    let base = named.unwrap_or_else(|| repo.join("../shared"));
    let dir = base.join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    let why = if explicit {
        format!("{SHARED_VARIABLE}={} has no {name}/", base.display())
    } else {
        format!("no {SHARED_VARIABLE} and no ../shared/{name}/ beside the repository")
    };
    if explicit || std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{name} data missing: {why} (CI and an explicit {SHARED_VARIABLE} need it)");
    }
    SKIPPED.call_once(|| {
        eprintln!("skipped: the suites of this test binary that read {name}/ ({why})");
    });
    None
}
