//! Classes: the MetaClass descriptor, its builder and the process-wide registry.

mod builder;
mod registry;
mod system_fields;

pub use builder::ClassBuilder;
pub use registry::{find_class, find_class_by_id, registered_classes};

use crate::ac::AC;
use crate::action::ActionFn;
use crate::field::Field;
use crate::method::MethodSpec;
use crate::object::{Header, ObjectPtr};
use std::fmt;

/// A class id: Parasol's case-insensitive hash of the class name (`strihash`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct CLASSID(pub u32);

#[allow(non_upper_case_globals)]
impl CLASSID {
    /// No class.
    pub const NIL: CLASSID = CLASSID(0);
    /// `MetaClass`.
    pub const METACLASS: CLASSID = CLASSID(crate::hash::strihash("MetaClass"));
    /// `NetSocket`.
    pub const NETSOCKET: CLASSID = CLASSID(crate::hash::strihash("NetSocket"));
    /// `ClientSocket`.
    pub const CLIENTSOCKET: CLASSID = CLASSID(crate::hash::strihash("ClientSocket"));
    /// `NetClient`.
    pub const NETCLIENT: CLASSID = CLASSID(crate::hash::strihash("NetClient"));

    /// The id a class of this name has.
    pub const fn of(name: &str) -> CLASSID {
        CLASSID(crate::hash::strihash(name))
    }
}

impl fmt::Debug for CLASSID {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CLASSID({:#010x})", self.0)
    }
}

/// Class categories (Parasol's `CCF` lookup).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CCF(pub i32);

#[allow(missing_docs)]
impl CCF {
    pub const NIL: CCF = CCF(0);
    pub const COMMAND: CCF = CCF(0x1);
    pub const FILESYSTEM: CCF = CCF(0x2);
    pub const GRAPHICS: CCF = CCF(0x4);
    pub const GUI: CCF = CCF(0x8);
    pub const IO: CCF = CCF(0x10);
    pub const SYSTEM: CCF = CCF(0x20);
    pub const TOOL: CCF = CCF(0x40);
    pub const AUDIO: CCF = CCF(0x80);
    pub const DATA: CCF = CCF(0x100);
    pub const MISC: CCF = CCF(0x200);
    pub const NETWORK: CCF = CCF(0x400);
    pub const MULTIMEDIA: CCF = CCF(0x800);

    /// Parasol's name for the category.
    pub fn name(self) -> &'static str {
        match self.0 {
            0x1 => "Command",
            0x2 => "Filesystem",
            0x4 => "Graphics",
            0x8 => "GUI",
            0x10 => "IO",
            0x20 => "System",
            0x40 => "Tool",
            0x80 => "Audio",
            0x100 => "Data",
            0x200 => "Misc",
            0x400 => "Network",
            0x800 => "Multimedia",
            _ => "",
        }
    }
}

pub(crate) type Constructor = Box<dyn Fn(Header) -> ObjectPtr + Send + Sync>;

/// A registered class: name, id, fields (sorted by field id, system fields included), actions
/// and methods. Obtained from [`find_class`]; built with [`ClassBuilder`].
pub struct MetaClass {
    pub(crate) name: String,
    pub(crate) id: CLASSID,
    pub(crate) version: f64,
    pub(crate) category: CCF,
    pub(crate) doc: String,
    pub(crate) fields: Vec<Field>,
    /// Open-addressing index over `fields` by field id (ids are already hashes), so a lookup is a
    /// mask and usually one comparison.
    pub(crate) field_index: FieldIndex,
    pub(crate) actions: Vec<Option<ActionFn>>,
    pub(crate) methods: Vec<MethodSpec>,
    pub(crate) construct: Constructor,
    pub(crate) creatable: bool,
}

impl MetaClass {
    /// Class name as registered (`"NetSocket"`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Class id.
    pub fn id(&self) -> CLASSID {
        self.id
    }
    /// Class version.
    pub fn version(&self) -> f64 {
        self.version
    }
    /// Category.
    pub fn category(&self) -> CCF {
        self.category
    }
    /// One-line description.
    pub fn doc(&self) -> &str {
        &self.doc
    }
    /// The field dictionary, sorted by field id (system fields included).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }
    /// The methods, in declaration order.
    pub fn methods(&self) -> &[MethodSpec] {
        &self.methods
    }
    /// Ids of the actions this class implements.
    pub fn actions(&self) -> impl Iterator<Item = AC> + '_ {
        self.actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_some())
            .map(|(i, _)| AC(i as i32))
    }
    /// True if the class implements `ac` (Parasol's `CheckAction`).
    pub fn has_action(&self, ac: AC) -> bool {
        ac.is_action() && self.actions[ac.0 as usize].is_some()
    }
    /// Whether users may create objects of this class directly.
    pub fn creatable(&self) -> bool {
        self.creatable
    }

    /// Finds a field by id (binary search).
    #[inline]
    pub fn field_by_id(&self, id: u32) -> Option<&Field> {
        self.field_index.find(id, &self.fields)
    }

    /// Finds a field by name with Parasol's rules (`fieldhash`: case-insensitive in the leading
    /// capitals only).
    #[inline]
    pub fn field_by_name(&self, name: &str) -> Option<&Field> {
        self.field_by_id(crate::hash::fieldhash(name))
            .filter(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Finds a method by name, case-insensitively (an `mt` prefix is accepted), or by its id.
    pub fn method(&self, name: &str) -> Option<&MethodSpec> {
        let bare = name
            .strip_prefix("mt")
            .filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()));
        self.methods.iter().find(|m| {
            m.name.eq_ignore_ascii_case(name)
                || bare.is_some_and(|b| m.name.eq_ignore_ascii_case(b))
        })
    }

    /// Finds a method by id.
    pub fn method_by_id(&self, id: AC) -> Option<&MethodSpec> {
        self.methods.iter().find(|m| m.id == id)
    }
}

/// Field ids → positions in the field table: a power-of-two table at most half full, probed
/// linearly from `id & mask`. Slot value 0 is empty; others are position + 1.
#[derive(Default)]
pub(crate) struct FieldIndex {
    slots: Box<[u16]>,
    mask: u32,
}

impl FieldIndex {
    pub(crate) fn build(fields: &[Field]) -> FieldIndex {
        let size = (fields.len() * 2).next_power_of_two().max(8);
        let mask = (size - 1) as u32;
        let mut slots = vec![0u16; size].into_boxed_slice();
        for (i, f) in fields.iter().enumerate() {
            let mut s = f.id & mask;
            while slots[s as usize] != 0 {
                s = (s + 1) & mask;
            }
            slots[s as usize] = (i + 1) as u16;
        }
        FieldIndex { slots, mask }
    }

    #[inline]
    fn find<'a>(&self, id: u32, fields: &'a [Field]) -> Option<&'a Field> {
        let mut s = id & self.mask;
        loop {
            match self.slots.get(s as usize).copied() {
                None | Some(0) => return None,
                Some(i) => {
                    let f = &fields[i as usize - 1];
                    if f.id == id {
                        return Some(f);
                    }
                }
            }
            s = (s + 1) & self.mask;
        }
    }
}

impl fmt::Debug for MetaClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaClass")
            .field("name", &self.name)
            .field("id", &self.id)
            .finish()
    }
}
