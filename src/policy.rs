//! Kubewarden waPC entry points. Only registration and wire format live here; the
//! judging is `admission`, shared with the native tests.

use crate::admission;
use kubewarden_policy_sdk::host_capabilities::kubernetes::{get_resource, GetResourceRequest};
use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
use kubewarden_policy_sdk::wapc_guest as guest;
use kubewarden_policy_sdk::wapc_guest::prelude::*;

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[unsafe(no_mangle)]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function(
        "protocol_version",
        kubewarden_policy_sdk::protocol_version_guest,
    );
}

fn validate(payload: &[u8]) -> guest::CallResult {
    let verdict = admission::validate_in_cluster(payload, &mut config_map);
    let response = ValidationResponse {
        accepted: verdict.accepted,
        message: verdict.message,
        code: verdict.code,
        // policy-server turns it into the JSON patch of the admission response.
        mutated_object: verdict.mutated_object,
        audit_annotations: None,
        warnings: (!verdict.warnings.is_empty()).then_some(verdict.warnings),
    };
    Ok(serde_json::to_vec(&response)?)
}

/// One ConfigMap through the host's `kubernetes/get_resource` capability (policy-server
/// grants it for the `contextAwareResources` the policy's manifest lists). Any error —
/// not found, forbidden, a host failure, an answer that is not JSON — is unknown config.
fn config_map(namespace: &str, name: &str) -> Option<serde_json::Value> {
    let request = GetResourceRequest {
        api_version: "v1".to_string(),
        kind: "ConfigMap".to_string(),
        name: name.to_string(),
        namespace: Some(namespace.to_string()),
        // The host's short cache (5 s) is fine: a ConfigMap applied seconds ago is the
        // ordering caveat the README describes either way.
        disable_cache: false,
        field_masks: None,
    };
    get_resource::<serde_json::Value>(&request).ok()
}

fn validate_settings(payload: &[u8]) -> guest::CallResult {
    let response = match admission::validate_settings(payload) {
        Ok(()) => SettingsValidationResponse {
            valid: true,
            message: None,
        },
        Err(message) => SettingsValidationResponse {
            valid: false,
            message: Some(message),
        },
    };
    Ok(serde_json::to_vec(&response)?)
}
