//! The hostile-input cases every suite replays (the npm suite reads the same file with the
//! same rules).

/// One case of `tests/hostile/cases.json`: its name, its text (built from `parts`) and a
/// piece of the error every front end must give.
#[derive(Debug)]
pub struct HostileCase {
    pub name: String,
    pub text: String,
    pub error: String,
}

/// Reads `tests/hostile/cases.json`.
pub fn hostile_cases(json: &str) -> Result<Vec<HostileCase>, String> {
    let cases: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let cases = cases.as_array().ok_or("cases.json: expected a list")?;
    cases.iter().map(read_case).collect()
}

/// `{"name": …, "parts": [[text, times], …], "error": …}`.
fn read_case(case: &serde_json::Value) -> Result<HostileCase, String> {
    let field = |name: &str| {
        case[name]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("a case without {name}: {case}"))
    };
    let mut text = String::new();
    for part in case["parts"].as_array().ok_or("a case without parts")? {
        match (part[0].as_str(), part[1].as_u64()) {
            (Some(piece), Some(times)) => text.push_str(&piece.repeat(times as usize)),
            _ => return Err(format!("a part is not [text, times]: {part}")),
        }
    }
    Ok(HostileCase {
        name: field("name")?,
        text,
        error: field("error")?,
    })
}
