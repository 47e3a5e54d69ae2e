//! Two reference guests in one module, for `benches/policy.rs`:
//! - `validate`: the usual SDK path of pod policies, `ValidationRequest::new` then
//!   `extract_pod_spec_from_object`, then accept;
//! - `validate_scan`: the floor, scanning the payload with `serde_json` into `IgnoredAny`.

use kubewarden_policy_sdk::request::ValidationRequest;
use kubewarden_policy_sdk::wapc_guest as guest;
use kubewarden_policy_sdk::wapc_guest::prelude::*;
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct NoSettings {}

#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_scan", validate_scan);
    register_function(
        "protocol_version",
        kubewarden_policy_sdk::protocol_version_guest,
    );
}

fn validate(payload: &[u8]) -> guest::CallResult {
    let request = ValidationRequest::<NoSettings>::new(payload)?;
    let spec = request.extract_pod_spec_from_object()?;
    // Keep the work from being optimised away.
    if spec.is_some_and(|s| s.containers.is_empty()) {
        return kubewarden_policy_sdk::reject_request(
            Some("no containers".into()),
            None,
            None,
            None,
        );
    }
    kubewarden_policy_sdk::accept_request()
}

fn validate_scan(payload: &[u8]) -> guest::CallResult {
    serde_json::from_slice::<serde::de::IgnoredAny>(payload)?;
    kubewarden_policy_sdk::accept_request()
}
