//! The process-wide class registry. Classes are shared by every thread; objects are not.

use super::{MetaClass, CLASSID};
use crate::err::{Res, ERR};
use once_cell::sync::Lazy;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

static REGISTRY: Lazy<RwLock<HashMap<CLASSID, Arc<MetaClass>>>> = Lazy::new(Default::default);

pub(crate) fn add(class: MetaClass) -> Res<Arc<MetaClass>> {
    let mut reg = REGISTRY.write();
    if let Some(existing) = reg.get(&class.id) {
        log::error!(
            "Class \"{}\" cannot be registered: \"{}\" already holds id {:#010x}",
            class.name,
            existing.name,
            class.id.0
        );
        return Err(ERR::AddClass);
    }
    let class = Arc::new(class);
    reg.insert(class.id, class.clone());
    Ok(class)
}

/// Finds a registered class by name, case-insensitively (Parasol's `FindClass(ResolveClassName)`).
pub fn find_class(name: &str) -> Option<Arc<MetaClass>> {
    find_class_by_id(CLASSID::of(name)).filter(|c| c.name.eq_ignore_ascii_case(name))
}

/// Finds a registered class by id.
pub fn find_class_by_id(id: CLASSID) -> Option<Arc<MetaClass>> {
    REGISTRY.read().get(&id).cloned()
}

/// Every registered class, sorted by name.
pub fn registered_classes() -> Vec<Arc<MetaClass>> {
    let mut v: Vec<_> = REGISTRY.read().values().cloned().collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}
