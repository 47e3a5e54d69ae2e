//! The last settings read, by their text. Every front end judges many objects with the
//! same settings (the Kubewarden host sends them with each request, npm callers pass the
//! same ones each call), and checking settings costs more than judging a pod.

use super::{Settings, SettingsError};
use std::cell::RefCell;
use std::rc::Rc;

type Parsed = Result<Rc<Settings>, Rc<[SettingsError]>>;

#[derive(Default)]
pub struct SettingsCache {
    last: RefCell<Option<(String, Parsed)>>,
}

impl SettingsCache {
    pub const fn new() -> SettingsCache {
        SettingsCache {
            last: RefCell::new(None),
        }
    }

    /// The settings read from the text `key` names: recalled when the last call had the
    /// same key, else read with `read` (errors are remembered too).
    pub fn get(
        &self,
        key: &str,
        read: impl FnOnce() -> Result<Settings, Vec<SettingsError>>,
    ) -> Parsed {
        if let Some((last_key, parsed)) = self.last.borrow().as_ref() {
            if last_key == key {
                return parsed.clone();
            }
        }
        let parsed: Parsed = read().map(Rc::new).map_err(Rc::from);
        *self.last.borrow_mut() = Some((key.to_string(), parsed.clone()));
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_once_per_key() {
        let cache = SettingsCache::new();
        let reads = std::cell::Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            Ok(Settings::default())
        };
        assert!(cache.get("a", read).is_ok());
        assert!(cache.get("a", read).is_ok());
        assert_eq!(reads.get(), 1, "the same key is recalled");
        assert!(cache.get("b", read).is_ok());
        assert_eq!(reads.get(), 2, "another key is read");
        let invalid = cache.get("c", || {
            Err(vec![SettingsError {
                pointer: "/rules".into(),
                message: "bad".into(),
            }])
        });
        assert_eq!(invalid.err().map(|e| e.len()), Some(1));
        assert!(
            cache.get("c", || unreachable!()).is_err(),
            "errors are recalled"
        );
    }
}
