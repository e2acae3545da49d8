//! The fields every object has: Name, Owner, ID, Class, ClassID (reference §2.4).

use crate::err::ERR;
use crate::field::{fd::*, Field, FieldBuilder, FieldKind};
use crate::object::{lifecycle::set_owner, ObjectPtr};
use crate::value::Value;
use std::any::Any;

/// Longest object name kept (Parasol's `MAX_NAME_LEN` − 1).
pub const MAX_NAME_LEN: usize = 30;

pub(super) fn system_fields() -> Vec<Field> {
    vec![
        FieldBuilder::<dyn Any>::new("Name", FieldKind::Str, FD_RW | FD_SYSTEM)
            .get_obj(|o: &ObjectPtr| {
                Ok(o.header
                    .name
                    .borrow()
                    .as_deref()
                    .map_or(Value::None, Value::from))
            })
            .set_obj(|o: &ObjectPtr, v| {
                let name = match v {
                    Value::Str(s) => Some(
                        s.chars()
                            .take(MAX_NAME_LEN)
                            .collect::<String>()
                            .into_boxed_str(),
                    ),
                    _ => None,
                };
                *o.header.name.borrow_mut() = name;
                Ok(())
            })
            .doc("Object name (at most 30 characters).")
            .into(),
        FieldBuilder::<dyn Any>::new("Owner", FieldKind::Object, FD_RW | FD_SYSTEM)
            .get_obj(|o: &ObjectPtr| Ok(o.header.owner.get().into()))
            .set_obj(|o: &ObjectPtr, v| match v {
                Value::Object(owner) => set_owner(o.header.id, Some(owner)),
                Value::None => set_owner(o.header.id, None),
                _ => Err(ERR::FieldTypeMismatch),
            })
            .doc("The object that owns this one (none: the task).")
            .into(),
        FieldBuilder::<dyn Any>::new("ID", FieldKind::Int, FD_READ | FD_SYSTEM)
            .get_obj(|o: &ObjectPtr| Ok(Value::Int(o.header.id.uid())))
            .doc("Unique object id (UID).")
            .into(),
        FieldBuilder::<dyn Any>::new("Class", FieldKind::Str, FD_READ | FD_SYSTEM)
            .get_obj(|o: &ObjectPtr| Ok(Value::Str(o.header.class.name.clone())))
            .doc("Class name.")
            .into(),
        FieldBuilder::<dyn Any>::new("ClassID", FieldKind::Int64, FD_READ | FD_SYSTEM)
            .get_obj(|o: &ObjectPtr| Ok(Value::Int64(o.header.class.id.0 as i64)))
            .doc("Class id (hash of the class name).")
            .into(),
    ]
}
