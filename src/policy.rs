//! Kubewarden waPC entry points. Only registration and wire format live here; the
//! judging is `admission`, shared with the native tests.

use crate::admission;
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
    let verdict = admission::validate(payload);
    let response = ValidationResponse {
        accepted: verdict.accepted,
        message: verdict.message,
        code: verdict.code,
        mutated_object: None,
        audit_annotations: None,
        warnings: (!verdict.warnings.is_empty()).then_some(verdict.warnings),
    };
    Ok(serde_json::to_vec(&response)?)
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
