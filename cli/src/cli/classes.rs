//! `parasol classes [NAME]`: what the registry holds, read from it (no hand-kept list).

use super::out::outln;
use super::{fail, ClassesArgs};
use parasol::{find_class, new_object_of, registered_classes, Value, ERR};

pub(crate) fn run(args: &ClassesArgs) -> i32 {
    let Some(name) = &args.name else {
        outln!(
            "{:<16} {:<10} {:>8}  DESCRIPTION",
            "CLASS",
            "CATEGORY",
            "VERSION"
        );
        for c in registered_classes() {
            outln!(
                "{:<16} {:<10} {:>8}  {}",
                c.name(),
                c.category().name(),
                c.version(),
                c.doc()
            );
        }
        return 0;
    };
    let Some(class) = find_class(name) else {
        return fail(&format!("class \"{name}\""), ERR::MissingClass);
    };
    outln!(
        "{} (id {:#010x}, version {}, {})",
        class.name(),
        class.id().0,
        class.version(),
        class.category().name()
    );
    if !class.doc().is_empty() {
        outln!("  {}", class.doc());
    }
    // Defaults are read from a fresh, uninitialised object.
    let probe = new_object_of(&class, None).ok();
    outln!("\nFIELDS");
    outln!(
        "  {:<18} {:<20} {:<6} {:<14} DESCRIPTION",
        "NAME",
        "TYPE",
        "ACCESS",
        "DEFAULT"
    );
    let mut fields: Vec<_> = class.fields().iter().collect();
    fields.sort_by_key(|f| f.name().to_ascii_lowercase());
    for f in fields {
        let mut ty = f.kind().type_name().into_owned();
        if let Some(t) = f.table() {
            let kind = if f.flags() & parasol::field::fd::FD_FLAGS != 0 {
                "flags"
            } else {
                "lookup"
            };
            let names: Vec<&str> = t.iter().map(|d| d.name).collect();
            ty = format!("{kind}({})", names.join("|"));
        }
        let default = match probe {
            Some(p) if f.readable() => match (p.get(f.name()), f.table()) {
                (Ok(Value::None), _) | (Err(_), _) => String::new(),
                (Ok(v @ Value::Int(_)), Some(_)) => {
                    p.get_str(f.name()).unwrap_or_else(|_| v.to_string())
                }
                (Ok(Value::Function(_)), _) => "<set>".into(),
                (Ok(v), _) => v.to_string(),
            },
            _ => String::new(),
        };
        outln!(
            "  {:<18} {:<20} {:<6} {:<14} {}",
            f.name(),
            ty,
            f.access(),
            default,
            f.doc()
        );
    }
    outln!("\nACTIONS");
    let actions: Vec<&str> = class.actions().filter_map(|a| a.name()).collect();
    outln!("  {}", actions.join(", "));
    outln!("\nMETHODS");
    for m in class.methods() {
        let args: Vec<String> = m
            .args()
            .iter()
            .map(|a| {
                let dir = if a.result { "→ " } else { "" };
                let opt = if a.optional && !a.result { "?" } else { "" };
                format!("{dir}{}{opt}: {}", a.name, a.kind.type_name())
            })
            .collect();
        outln!(
            "  {:>3} {}({})  {}",
            m.id().0,
            m.name(),
            args.join(", "),
            m.doc()
        );
    }
    if let Some(p) = probe {
        let _ = p.free();
    }
    0
}
