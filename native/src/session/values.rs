//! [`SessionData`]: the per-request, `Send`-able copy of a session that a route callback reads and
//! writes on its callback thread.
//!
//! Values are bytes, as in ASP.NET Core's `ISession`: an int32 is 4 bytes big-endian, a string is
//! UTF-8. In the actix session each value is stored as a base64 string (`Session::insert`, so JSON
//! `"…"`). Changes are recorded as operations and applied to the actix `Session` only when the
//! callback succeeded.
use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SessionOp {
    Set(String, Vec<u8>),
    Remove(String),
    Clear,
    RenewId,
}

/// A session's entries during one request, and the changes made to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionData {
    entries: BTreeMap<String, Vec<u8>>,
    ops: Vec<SessionOp>,
}

impl SessionData {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// The value of `key` as an int32 (4 bytes big-endian); `None` if absent or not 4 bytes.
    pub fn get_int32(&self, key: &str) -> Option<i32> {
        let bytes: [u8; 4] = self.get(key)?.try_into().ok()?;
        Some(i32::from_be_bytes(bytes))
    }

    /// The value of `key` as UTF-8 text (invalid sequences replaced).
    pub fn get_string(&self, key: &str) -> Option<String> {
        self.get(key).map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &str, value: impl Into<Vec<u8>>) {
        let value = value.into();
        self.entries.insert(key.to_string(), value.clone());
        self.ops.push(SessionOp::Set(key.to_string(), value));
    }

    /// Sets `key` to the 4 big-endian bytes of `value`.
    pub fn set_int32(&mut self, key: &str, value: i32) {
        self.set(key, value.to_be_bytes().to_vec());
    }

    /// Sets `key` to the UTF-8 bytes of `value`.
    pub fn set_string(&mut self, key: &str, value: &str) {
        self.set(key, value.as_bytes().to_vec());
    }

    /// Removes `key` (fine if absent).
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
        self.ops.push(SessionOp::Remove(key.to_string()));
    }

    /// Ends the session: every key is removed and so is the session itself from the store (its id
    /// stops working; the removal cookie goes out). A value set afterwards, in this request or a
    /// later one, starts a new session with a new id.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.ops.push(SessionOp::Clear);
    }

    /// Gives the session a new random id, keeping its data: the old id is deleted from the store
    /// and the new cookie goes out (call it at login, against session fixation). On a session that
    /// has no id yet it changes nothing.
    pub fn renew_id(&mut self) {
        self.ops.push(SessionOp::RenewId);
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the session has no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `index`-th key (keys are ordered).
    pub fn key_at(&self, index: usize) -> Option<&str> {
        self.entries.keys().nth(index).map(String::as_str)
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Whether anything was written during this request.
    pub fn is_modified(&self) -> bool {
        !self.ops.is_empty()
    }

    /// Copies an actix session's entries (base64 strings) into a `SessionData`. Entries that are not
    /// in the expected encoding are skipped.
    pub(crate) fn from_actix(session: &actix_session::Session) -> SessionData {
        let mut entries = BTreeMap::new();
        for (key, raw) in session.entries().iter() {
            if let Some(value) = decode_value(raw) {
                entries.insert(key.clone(), value);
            }
        }
        SessionData { entries, ops: Vec::new() }
    }

    /// Applies the recorded changes to the actix session. A clear that no write follows ends the
    /// session (`purge`); writes after the last clear go to a session with a new id (`clear` +
    /// `renew`); a new id keeps the data (`renew`).
    pub(crate) fn apply_to(self, session: &actix_session::Session) {
        let last_clear = self.ops.iter().rposition(|op| *op == SessionOp::Clear);
        let ops = match last_clear {
            None => &self.ops[..],
            Some(i) => {
                let rest = &self.ops[i + 1..];
                if !rest.iter().any(|op| matches!(op, SessionOp::Set(..))) {
                    session.purge();
                    return;
                }
                session.clear();
                session.renew();
                rest
            }
        };
        for op in ops {
            match op {
                SessionOp::Set(key, value) => {
                    if let Err(e) = session.insert(key.clone(), B64.encode(value)) {
                        crate::logging::warn(&format!("session insert failed: {e}"));
                    }
                }
                SessionOp::Remove(key) => {
                    session.remove(key);
                }
                SessionOp::Clear => session.clear(),
                SessionOp::RenewId => session.renew(),
            }
        }
    }
}

/// Decodes one stored value: a JSON string holding base64.
pub(crate) fn decode_value(raw: &str) -> Option<Vec<u8>> {
    let b64: String = serde_json::from_str(raw).ok()?;
    B64.decode(b64.as_bytes()).ok()
}

/// Encodes one value the way it is stored (JSON string of base64).
#[cfg(test)]
pub(crate) fn encode_value(value: &[u8]) -> String {
    serde_json::to_string(&B64.encode(value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let mut s = SessionData::new();
        assert_eq!(s.get_int32("n"), None);
        s.set_int32("n", 258);
        assert_eq!(s.get("n"), Some(&[0, 0, 1, 2][..]));
        assert_eq!(s.get_int32("n"), Some(258));
        s.set_string("s", "héllo");
        assert_eq!(s.get_string("s").as_deref(), Some("héllo"));
        assert_eq!(s.get_int32("s"), None, "not 4 bytes");
        s.set("b", vec![0xff, 0xfe]);
        assert_eq!(s.get_string("b").as_deref(), Some("\u{fffd}\u{fffd}"));
        assert_eq!(s.len(), 3);
        assert_eq!(s.key_at(0), Some("b"));
        assert_eq!(s.key_at(3), None);
        s.remove("b");
        s.remove("missing");
        assert_eq!(s.len(), 2);
        s.clear();
        assert!(s.is_empty());
        assert!(s.is_modified());
    }

    #[test]
    fn encoding_round_trip() {
        let raw = encode_value(&[0, 0, 0, 7]);
        assert_eq!(raw, "\"AAAABw==\"");
        assert_eq!(decode_value(&raw), Some(vec![0, 0, 0, 7]));
        assert_eq!(decode_value("42"), None);
    }
}
