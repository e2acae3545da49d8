//! `AC`: action ids with Parasol's numbers (reference §5.1). Negative ids are methods.

use std::fmt;

/// An action (positive) or method (negative) id.
///
/// ```
/// use parasol_core::AC;
/// assert_eq!(AC::Write.0, 43);
/// assert_eq!(AC::from_name("write"), Some(AC::Write));
/// assert!(AC(-1).is_method());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct AC(pub i32);

macro_rules! actions {
    ($($name:ident = $id:literal),* $(,)?) => {
        #[allow(non_upper_case_globals)]
        impl AC {
            /// No action.
            pub const NIL: AC = AC(0);
            $(
                #[doc = concat!("The `", stringify!($name), "` action (", stringify!($id), ").")]
                pub const $name: AC = AC($id);
            )*
            /// One past the last action id; the size of every class action table.
            pub const END: AC = AC(49);
        }
        const ACTION_NAMES: [&str; 49] = {
            let mut t = [""; 49];
            $( t[$id] = stringify!($name); )*
            t
        };
    };
}

actions! {
    Signal = 1, Activate = 2, Redimension = 3, Clear = 4, FreeWarning = 5, Enable = 6,
    CopyData = 7, DataFeed = 8, Deactivate = 9, Draw = 10, Flush = 11, Focus = 12, Free = 13,
    SaveSettings = 14, GetKey = 15, DragDrop = 16, Hide = 17, Init = 18, Lock = 19,
    LostFocus = 20, Move = 21, MoveToBack = 22, MoveToFront = 23, NewChild = 24, NewOwner = 25,
    NewObject = 26, Redo = 27, Query = 28, Read = 29, Rename = 30, Reset = 31, Resize = 32,
    SaveImage = 33, SaveToObject = 34, MoveToPoint = 35, Seek = 36, SetKey = 37, Show = 38,
    Undo = 39, Unlock = 40, Next = 41, Prev = 42, Write = 43, SetField = 44, Clipboard = 45,
    Refresh = 46, Disable = 47, NewPlacement = 48,
}

impl AC {
    /// True for negative ids (class methods).
    #[inline]
    pub const fn is_method(self) -> bool {
        self.0 < 0
    }

    /// True for ids of the global action table (1..END).
    #[inline]
    pub const fn is_action(self) -> bool {
        self.0 > 0 && self.0 < AC::END.0
    }

    /// Parasol's name of an action (`"Write"`); `None` for methods and unknown ids.
    pub fn name(self) -> Option<&'static str> {
        if self.is_action() {
            Some(ACTION_NAMES[self.0 as usize])
        } else {
            None
        }
    }

    /// Looks an action up by name, case-insensitively; an `ac` prefix (`"acWrite"`) is accepted.
    pub fn from_name(name: &str) -> Option<AC> {
        let bare = strip_prefix_ci(name, "ac").unwrap_or(name);
        ACTION_NAMES
            .iter()
            .position(|n| !n.is_empty() && n.eq_ignore_ascii_case(bare))
            .or_else(|| {
                ACTION_NAMES
                    .iter()
                    .position(|n| !n.is_empty() && n.eq_ignore_ascii_case(name))
            })
            .map(|i| AC(i as i32))
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    // `get` rather than slicing: a name from input may have a multi-byte character anywhere.
    let head = s.get(..prefix.len())?;
    if s.len() > prefix.len() && head.eq_ignore_ascii_case(prefix) {
        let rest = &s[prefix.len()..];
        // Only treat it as a prefix when an upper-case action name follows ("acWrite", not "Activate").
        rest.chars()
            .next()
            .filter(|c| c.is_ascii_uppercase())
            .map(|_| rest)
    } else {
        None
    }
}

impl fmt::Debug for AC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "AC::{n}"),
            None => write!(f, "AC({})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_parasol() {
        assert_eq!(AC::Signal.0, 1);
        assert_eq!(AC::DataFeed.0, 8);
        assert_eq!(AC::Free.0, 13);
        assert_eq!(AC::Init.0, 18);
        assert_eq!(AC::Read.0, 29);
        assert_eq!(AC::Write.0, 43);
        assert_eq!(AC::Disable.0, 47);
        assert_eq!(AC::NewPlacement.0, 48);
        assert_eq!(AC::END.0, 49);
    }

    #[test]
    fn names_round_trip() {
        for i in 1..AC::END.0 {
            let ac = AC(i);
            assert_eq!(AC::from_name(ac.name().unwrap()), Some(ac));
        }
        assert_eq!(AC::from_name("acWrite"), Some(AC::Write));
        assert_eq!(AC::from_name("Activate"), Some(AC::Activate));
        assert_eq!(AC::from_name("nonsense"), None);
    }

    #[test]
    fn non_ascii_names_are_unknown_not_a_panic() {
        for name in ["€", "aé", "aé€", "é", "ac€", "acé", "\u{0}", "", "a", "ac"] {
            assert_eq!(AC::from_name(name), None, "{name:?}");
        }
    }
}
