//! [`panic_message`]: the text of a caught panic, for whoever catches one (the dispatcher around route
//! handlers, the foreign-function boundary of the `kestrun_rust` crate).
use std::any::Any;

/// The text of a panic payload (`panic!("..")` gives `&str` or `String`); `"unknown panic payload"`
/// for any other payload type.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, panic_any};

    #[test]
    fn payload_texts() {
        let text = |f: fn()| panic_message(catch_unwind(f).unwrap_err().as_ref());
        assert_eq!(text(|| panic!("static str")), "static str");
        assert_eq!(text(|| panic!("formatted {}", 42)), "formatted 42");
        assert_eq!(text(|| panic_any(7u32)), "unknown panic payload");
    }
}
