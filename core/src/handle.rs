//! Typed handles: `NetSocket`, `ClientSocket` … are transparent wrappers over [`ObjectId`] that
//! check the class when made from a generic handle and deref to the generic door.

/// Declares a typed handle for a class:
///
/// ```
/// use parasol_core::prelude::*;
/// #[derive(Default)] struct Bell;
/// ClassBuilder::<Bell>::new("DocBell").register().unwrap();
/// parasol_core::class_handle! {
///     /// A bell.
///     pub struct DocBell = "DocBell";
/// }
/// let id = create("DocBell", fields! {}).unwrap();
/// let bell = DocBell::from_id(id).unwrap();
/// assert_eq!(bell.uid(), id.uid()); // derefs to ObjectId
/// let f = Function::new(|b: &DocBell| { assert!(b.exists()); ERR::Okay });
/// assert_eq!(f.call(&[Value::Object(id)]), ERR::Okay);
/// ```
#[macro_export]
macro_rules! class_handle {
    ($(#[$meta:meta])* $vis:vis struct $name:ident = $class:literal;) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[repr(transparent)]
        $vis struct $name($crate::ObjectId);

        impl $name {
            /// Registered class name.
            pub const CLASS_NAME: &'static str = $class;
            /// Class id (hash of the class name).
            pub const CLASS_ID: $crate::CLASSID = $crate::CLASSID::of($class);

            /// A typed handle for `id`; `WrongClass` if the object is of another class,
            /// `NoMatchingObject` if it is gone.
            pub fn from_id(id: $crate::ObjectId) -> $crate::Res<Self> {
                if id.class_id()? == Self::CLASS_ID {
                    Ok($name(id))
                } else {
                    Err($crate::ERR::WrongClass)
                }
            }

            /// The generic handle.
            #[inline]
            pub fn id(self) -> $crate::ObjectId {
                self.0
            }

            /// Wraps a handle known to be of this class (class code only).
            #[doc(hidden)]
            #[inline]
            pub fn from_id_unchecked(id: $crate::ObjectId) -> Self {
                $name(id)
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = $crate::ObjectId;
            #[inline]
            fn deref(&self) -> &$crate::ObjectId {
                &self.0
            }
        }

        impl ::std::convert::From<$name> for $crate::ObjectId {
            fn from(h: $name) -> $crate::ObjectId {
                h.0
            }
        }

        impl ::std::convert::From<$name> for $crate::Value {
            fn from(h: $name) -> $crate::Value {
                $crate::Value::Object(h.0)
            }
        }

        impl $crate::function::FromValue for $name {
            const KIND: $crate::function::ArgKind = $crate::function::ArgKind::Object(Some($class));
            fn from_value(v: &$crate::Value) -> Option<Self> {
                match v {
                    $crate::Value::Object(o) => $name::from_id(*o).ok(),
                    _ => None,
                }
            }
        }

        impl $crate::function::FromValueRef for $name {
            const KIND: $crate::function::ArgKind = $crate::function::ArgKind::Object(Some($class));
            fn from_value_ref(v: &$crate::Value) -> Option<&Self> {
                match v {
                    $crate::Value::Object(o) if $name::from_id(*o).is_ok() => {
                        // SAFETY: `$name` is `#[repr(transparent)]` over `ObjectId`.
                        Some(unsafe { &*(o as *const $crate::ObjectId as *const $name) })
                    }
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}#{}", $class, self.0.uid())
            }
        }
    };
}

/// Builds the field list for [`crate::create`]: `fields! { "Port" => 0, "Flags" => "SERVER" }`.
#[macro_export]
macro_rules! fields {
    () => {
        ::std::vec::Vec::<(&str, $crate::Value)>::new()
    };
    ($($name:expr => $value:expr),+ $(,)?) => {
        ::std::vec![$(($name, $crate::Value::from($value))),+]
    };
}
