//! Field access through the generic door: conversions, flags, lookups, access rules, names,
//! system fields and `try_create`.

mod common;

use common::{probe, register_probe, PROBE};
use parasol_core::fid::{FID_ClientData, FID_Name, FID_Port};
use parasol_core::hash::{fieldhash, strihash};
use parasol_core::object::object_count;
use parasol_core::prelude::*;
use parasol_core::{try_create, ObjectScope};
use std::rc::Rc;

#[test]
fn create_by_name_with_field_map() {
    register_probe();
    let o = create(
        "testfieldprobe", // class names are case-insensitive
        fields! {
            "Port" => 8080,
            "Big" => 1i64 << 40,
            "Ratio" => 0.25,
            "Label" => "hello",
            "Flags" => "SERVER|MULTI_CONNECT",
            "State" => "Connected",
            "Payload" => &b"\x00\x01\xff"[..],
            "Backlog" => 7,
            "Name" => "probe-1",
        },
    )
    .unwrap();
    assert!(o.initialised());
    assert_eq!(o.get("Port").unwrap(), Value::Int(8080));
    assert_eq!(o.get("Big").unwrap(), Value::Int64(1 << 40));
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(0.25));
    assert_eq!(o.get("Label").unwrap(), Value::from("hello"));
    assert_eq!(o.get("Flags").unwrap(), Value::Int(9));
    assert_eq!(o.get("State").unwrap(), Value::Int(2));
    assert_eq!(o.get("Payload").unwrap(), Value::Bytes(vec![0, 1, 255]));
    assert_eq!(o.get("Backlog").unwrap(), Value::Int(7));
    assert_eq!(o.get_str("Name").unwrap(), "probe-1");
    assert_eq!(o.get_str("Class").unwrap(), PROBE);
    o.free().unwrap();

    // Upper case works too; an unknown class does not.
    let o = create("TESTFIELDPROBE", fields! {}).unwrap();
    o.free().unwrap();
    assert_eq!(
        create("NoSuchClassAnywhere", fields! {}),
        Err(ERR::MissingClass)
    );
}

#[test]
fn fields_apply_in_order() {
    register_probe();
    let o = create(
        PROBE,
        fields! { "Flags" => "SERVER", "Flags" => "!SSL", "Port" => 1, "Port" => 2 },
    )
    .unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));
    assert_eq!(o.get("Port").unwrap(), Value::Int(2));
    o.free().unwrap();
}

#[test]
fn int_field() {
    let o = probe();
    o.set("Port", 42).unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(42));
    o.set("Port", "  -17 ").unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(-17));
    o.set("Port", "0x10").unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(16));
    o.set("Port", 2.6).unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(3));
    o.set("Port", Value::Int64(-5)).unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(-5));

    // Bad input leaves the value alone.
    assert_eq!(o.set("Port", "abc"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", ""), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", "12abc"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", f64::NAN), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", f64::INFINITY), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", Value::None), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", vec![1u8, 2]), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", o), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Port", 1i64 << 31), Err(ERR::OutOfRange));
    assert_eq!(o.set("Port", -(1i64 << 31) - 1), Err(ERR::OutOfRange));
    assert_eq!(o.set("Port", "99999999999"), Err(ERR::OutOfRange));
    assert_eq!(o.set("Port", 1e12), Err(ERR::OutOfRange));
    assert_eq!(o.get("Port").unwrap(), Value::Int(-5));

    // Limits are fine.
    o.set("Port", i32::MAX as i64).unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(i32::MAX));
    o.set("Port", i32::MIN).unwrap();
    assert_eq!(o.get("Port").unwrap(), Value::Int(i32::MIN));
    o.free().unwrap();
}

#[test]
fn int_field_by_id() {
    let o = probe();
    assert_eq!(FID_Port, fieldhash("Port"));
    o.set_id(FID_Port, 5).unwrap();
    assert_eq!(o.get_id(FID_Port).unwrap(), Value::Int(5));
    assert_eq!(o.get("Port").unwrap(), Value::Int(5));
    o.set_id(FID_Port, "6").unwrap();
    assert_eq!(o.get_id(FID_Port).unwrap(), Value::Int(6));
    assert_eq!(o.set_id(FID_Port, "abc"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set_id(FID_Port, 1i64 << 33), Err(ERR::OutOfRange));
    assert_eq!(o.get_id(FID_Port).unwrap(), Value::Int(6));
    // Unknown ids.
    assert_eq!(o.get_id(0xdead_beef), Err(ERR::UnsupportedField));
    assert_eq!(o.set_id(0xdead_beef, 1), Err(ERR::UnsupportedField));
    // System fields by id.
    o.set_id(FID_Name, "byid").unwrap();
    assert_eq!(o.get_id(FID_Name).unwrap(), Value::from("byid"));
    o.free().unwrap();
}

#[test]
fn int64_field() {
    let o = probe();
    o.set("Big", i64::MAX).unwrap();
    assert_eq!(o.get("Big").unwrap(), Value::Int64(i64::MAX));
    o.set("Big", 3).unwrap();
    assert_eq!(o.get("Big").unwrap(), Value::Int64(3));
    o.set("Big", "-9000000000").unwrap();
    assert_eq!(o.get("Big").unwrap(), Value::Int64(-9_000_000_000));
    o.set("Big", 1.5).unwrap();
    assert_eq!(o.get("Big").unwrap(), Value::Int64(2));
    assert_eq!(o.set("Big", "abc"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Big", f64::NAN), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Big", Value::None), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.get("Big").unwrap(), Value::Int64(2));
    let id = fieldhash("Big");
    o.set_id(id, Value::Int64(1 << 50)).unwrap();
    assert_eq!(o.get_id(id).unwrap(), Value::Int64(1 << 50));
    o.free().unwrap();
}

#[test]
fn double_field() {
    let o = probe();
    o.set("Ratio", "1.5").unwrap();
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(1.5));
    o.set("Ratio", 3).unwrap();
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(3.0));
    o.set("Ratio", Value::Int64(-4)).unwrap();
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(-4.0));
    o.set("Ratio", " 2.5e2 ").unwrap();
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(250.0));
    o.set("Ratio", f64::INFINITY).unwrap();
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(f64::INFINITY));
    assert_eq!(o.set("Ratio", "x1.5"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Ratio", vec![1u8]), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Ratio", Value::None), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Ratio", o), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.get("Ratio").unwrap(), Value::Double(f64::INFINITY));
    let id = fieldhash("Ratio");
    o.set_id(id, "0.125").unwrap();
    assert_eq!(o.get_id(id).unwrap(), Value::Double(0.125));
    o.free().unwrap();
}

#[test]
fn string_field() {
    let o = probe();
    o.set("Label", "text").unwrap();
    assert_eq!(o.get("Label").unwrap(), Value::from("text"));
    o.set("Label", 42).unwrap();
    assert_eq!(o.get("Label").unwrap(), Value::from("42"));
    assert_eq!(o.get_str("Label").unwrap(), "42");
    o.set("Label", Value::Int64(-7)).unwrap();
    assert_eq!(o.get("Label").unwrap(), Value::from("-7"));
    o.set("Label", 1.5).unwrap();
    assert_eq!(o.get("Label").unwrap(), Value::from("1.5"));
    o.set("Label", b"bytes".to_vec()).unwrap();
    assert_eq!(o.get("Label").unwrap(), Value::from("bytes"));
    o.set("Label", "ünïcødé ✓").unwrap();
    assert_eq!(o.get_str("Label").unwrap(), "ünïcødé ✓");
    // Invalid UTF-8, objects and functions are not text.
    assert_eq!(
        o.set("Label", vec![0xffu8, 0xfe]),
        Err(ERR::FieldTypeMismatch)
    );
    assert_eq!(o.set("Label", o), Err(ERR::FieldTypeMismatch));
    assert_eq!(
        o.set("Label", Function::new(|| ERR::Okay)),
        Err(ERR::FieldTypeMismatch)
    );
    assert_eq!(o.get_str("Label").unwrap(), "ünïcødé ✓");
    // None clears.
    o.set("Label", Value::None).unwrap();
    assert_eq!(o.get("Label").unwrap(), Value::None);
    let id = fieldhash("Label");
    o.set_id(id, 7).unwrap();
    assert_eq!(o.get_id(id).unwrap(), Value::from("7"));
    o.free().unwrap();
}

#[test]
fn bytes_field() {
    let o = probe();
    o.set("Payload", "from a string").unwrap();
    assert_eq!(
        o.get("Payload").unwrap(),
        Value::Bytes(b"from a string".to_vec())
    );
    o.set("Payload", vec![0u8, 159, 146, 150]).unwrap();
    assert_eq!(
        o.get("Payload").unwrap(),
        Value::Bytes(vec![0, 159, 146, 150])
    );
    assert_eq!(o.set("Payload", 5), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Payload", 2.5), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Payload", o), Err(ERR::FieldTypeMismatch));
    assert_eq!(
        o.get("Payload").unwrap(),
        Value::Bytes(vec![0, 159, 146, 150])
    );
    o.set("Payload", Value::None).unwrap();
    assert_eq!(o.get("Payload").unwrap(), Value::Bytes(vec![]));
    o.free().unwrap();
}

#[test]
fn object_field() {
    let o = probe();
    let other = probe();
    o.set("Target", other).unwrap();
    assert_eq!(o.get("Target").unwrap(), Value::Object(other));
    // A UID resolves to the live object.
    o.set("Target", Value::Int(o.uid())).unwrap();
    assert_eq!(o.get("Target").unwrap(), Value::Object(o));
    o.set("Target", Value::Int64(other.uid() as i64)).unwrap();
    assert_eq!(o.get("Target").unwrap(), Value::Object(other));
    // Non-objects are refused.
    assert_eq!(o.set("Target", "abc"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Target", 1.0), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Target", vec![1u8]), Err(ERR::FieldTypeMismatch));
    assert_eq!(
        o.set("Target", Function::new(|| ())),
        Err(ERR::FieldTypeMismatch)
    );
    // A UID that names nothing.
    assert_eq!(o.set("Target", 3), Err(ERR::NoMatchingObject));
    let gone = probe();
    let gone_uid = gone.uid();
    gone.free().unwrap();
    assert_eq!(o.set("Target", gone_uid), Err(ERR::NoMatchingObject));
    assert_eq!(o.get("Target").unwrap(), Value::Object(other));
    o.set("Target", Value::None).unwrap();
    assert_eq!(o.get("Target").unwrap(), Value::None);
    other.free().unwrap();
    o.free().unwrap();
}

#[test]
fn function_field() {
    let o = probe();
    let f = Function::new(|x: i32| if x == 5 { ERR::Okay } else { ERR::Failed });
    o.set("Feedback", f.clone()).unwrap();
    let Value::Function(read) = o.get("Feedback").unwrap() else {
        panic!("Feedback did not read back as a function");
    };
    assert_eq!(read, f);
    assert_eq!(read.call(&[Value::Int(5)]), ERR::Okay);
    assert_eq!(read.call(&[Value::Int(4)]), ERR::Failed);
    assert_eq!(o.set("Feedback", 5), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Feedback", "callback"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Feedback", o), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.get("Feedback").unwrap(), Value::Function(f));
    o.set("Feedback", Value::None).unwrap();
    assert_eq!(o.get("Feedback").unwrap(), Value::None);
    o.free().unwrap();
}

#[test]
fn any_field() {
    let o = probe();
    let data: Rc<dyn std::any::Any> = Rc::new(0x5eed_u64);
    o.set("ClientData", Value::Any(data.clone())).unwrap();
    let v = o.get("ClientData").unwrap();
    assert_eq!(v, Value::Any(data));
    assert_eq!(v.downcast_ref::<u64>(), Some(&0x5eed));
    // Anything is taken as given.
    for v in [
        Value::Int(1),
        Value::from("text"),
        Value::Double(f64::NEG_INFINITY),
        Value::Bytes(vec![9]),
        Value::Object(o),
        Value::None,
    ] {
        o.set("ClientData", v.clone()).unwrap();
        assert_eq!(o.get("ClientData").unwrap(), v);
    }
    o.set_id(FID_ClientData, 77).unwrap();
    assert_eq!(o.get_id(FID_ClientData).unwrap(), Value::Int(77));
    o.free().unwrap();
}

#[test]
fn error_field_takes_names() {
    let o = probe();
    o.set("Error", "TimeOut").unwrap();
    assert_eq!(o.get("Error").unwrap(), Value::Int(30));
    o.set("Error", "connectionrefused").unwrap();
    assert_eq!(o.get("Error").unwrap(), Value::Int(131));
    o.set("Error", ERR::Disconnected).unwrap();
    assert_eq!(o.get("Error").unwrap(), Value::Int(134));
    o.set("Error", "13").unwrap();
    assert_eq!(o.get("Error").unwrap(), Value::Int(13));
    assert_eq!(o.set("Error", "NotAnError"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.get("Error").unwrap(), Value::Int(13));
    o.free().unwrap();
}

#[test]
fn flag_strings() {
    let o = probe();
    o.set("Flags", "SERVER|MULTI_CONNECT").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(9));
    assert_eq!(o.get_str("Flags").unwrap(), "Server|MultiConnect");

    o.set("Flags", "multiconnect").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(8));
    assert_eq!(o.get_str("Flags").unwrap(), "MultiConnect");

    o.set("Flags", " ssl | Server ").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));

    // The alias sets the same bit; reading gives the canonical name.
    o.set("Flags", "DISABLE_SERVER_VERIFY").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(4));
    assert_eq!(o.get_str("Flags").unwrap(), "SSLNoVerify");

    // Numbers, as numbers and as text.
    o.set("Flags", 10).unwrap();
    assert_eq!(o.get_str("Flags").unwrap(), "SSL|MultiConnect");
    o.set("Flags", "5").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(5));
    o.set("Flags", "0x3").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));

    // `!` ORs with the current value.
    o.set("Flags", "SERVER").unwrap();
    o.set("Flags", "!SSL").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));
    o.set("Flags", "!MultiConnect|SSLNoVerify").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(15));
    assert_eq!(
        o.get_str("Flags").unwrap(),
        "Server|SSL|SSLNoVerify|MultiConnect"
    );
    // `&` ANDs with it.
    o.set("Flags", "&SSL|Server").unwrap();
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));

    // Unknown flag names fail and change nothing.
    assert_eq!(o.set("Flags", "SERVER|BOGUS"), Err(ERR::InvalidValue));
    assert_eq!(o.set("Flags", "Servers"), Err(ERR::InvalidValue));
    assert_eq!(o.set("Flags", "!Nope"), Err(ERR::InvalidValue));
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));
    // Out of range numbers.
    assert_eq!(o.set("Flags", "4294967296"), Err(ERR::OutOfRange));
    assert_eq!(o.set("Flags", 1i64 << 40), Err(ERR::OutOfRange));
    assert_eq!(o.set("Flags", vec![1u8]), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.get("Flags").unwrap(), Value::Int(3));

    // No bits: empty text.
    o.set("Flags", 0).unwrap();
    assert_eq!(o.get_str("Flags").unwrap(), "");

    // By id as well.
    let fid = fieldhash("Flags");
    assert_eq!(fid, 0x0f71_a6d2);
    o.set_id(fid, "server|ssl").unwrap();
    assert_eq!(o.get_id(fid).unwrap(), Value::Int(3));
    o.free().unwrap();
}

#[test]
fn lookup_values() {
    let o = probe();
    o.set("State", "Connected").unwrap();
    assert_eq!(o.get("State").unwrap(), Value::Int(2));
    assert_eq!(o.get_str("State").unwrap(), "Connected");
    o.set("State", "CONNECTING").unwrap();
    assert_eq!(o.get_str("State").unwrap(), "Connecting");
    o.set("State", 3).unwrap();
    assert_eq!(o.get_str("State").unwrap(), "Disconnecting");
    o.set("State", "0").unwrap();
    assert_eq!(o.get_str("State").unwrap(), "Disconnected");
    assert_eq!(o.set("State", "Exploded"), Err(ERR::InvalidValue));
    assert_eq!(
        o.set("State", "Connected|Connecting"),
        Err(ERR::InvalidValue)
    );
    assert_eq!(o.get("State").unwrap(), Value::Int(0));
    // A number with no name reads as the number.
    o.set("State", 42).unwrap();
    assert_eq!(o.get_str("State").unwrap(), "42");
    o.free().unwrap();
}

#[test]
fn access_rules() {
    register_probe();
    // Set-before-Init works before Init …
    let o = new_object(PROBE).unwrap();
    o.set("Backlog", 5).unwrap();
    // … but read-only fields never do, initialised or not.
    assert_eq!(o.set("TotalClients", 1), Err(ERR::NoFieldAccess));
    init_object(o).unwrap();
    assert_eq!(o.get("Backlog").unwrap(), Value::Int(5));
    assert_eq!(o.set("Backlog", 6), Err(ERR::NoFieldAccess));
    assert_eq!(o.set_id(fieldhash("Backlog"), 6), Err(ERR::NoFieldAccess));
    assert_eq!(o.get("Backlog").unwrap(), Value::Int(5));
    assert_eq!(o.set("TotalClients", 1), Err(ERR::NoFieldAccess));
    assert_eq!(
        o.set_id(fieldhash("TotalClients"), 1),
        Err(ERR::NoFieldAccess)
    );
    assert_eq!(o.get("TotalClients").unwrap(), Value::Int(0));
    // RW still works after Init.
    o.set("Port", 1).unwrap();
    // System read-only fields.
    assert_eq!(o.set("ID", 1234), Err(ERR::NoFieldAccess));
    assert_eq!(o.set("Class", "Other"), Err(ERR::NoFieldAccess));
    assert_eq!(o.set("ClassID", 1), Err(ERR::NoFieldAccess));
    o.free().unwrap();
}

#[test]
fn class_code_is_exempt_from_access_rules() {
    let o = probe();
    // Activate sets the read-only TotalClients and the set-before-Init Backlog.
    o.act(AC::Activate).unwrap();
    assert_eq!(o.get("TotalClients").unwrap(), Value::Int(1));
    assert_eq!(o.get("Backlog").unwrap(), Value::Int(99));
    o.act(AC::Activate).unwrap();
    assert_eq!(o.get("TotalClients").unwrap(), Value::Int(2));
    // The exemption ends with the action.
    assert_eq!(o.set("TotalClients", 10), Err(ERR::NoFieldAccess));
    assert_eq!(o.get("TotalClients").unwrap(), Value::Int(2));
    // Another object's code is not exempt for this object …
    let other = probe();
    {
        let _scope = ObjectScope::enter(&other.ptr().unwrap());
        assert_eq!(o.set("TotalClients", 10), Err(ERR::NoFieldAccess));
    }
    // … while code running in the object's own scope is.
    {
        let _scope = ObjectScope::enter(&o.ptr().unwrap());
        o.set("TotalClients", 10).unwrap();
    }
    assert_eq!(o.get("TotalClients").unwrap(), Value::Int(10));
    other.free().unwrap();
    o.free().unwrap();
}

#[test]
fn unknown_field_names() {
    let o = probe();
    for name in [
        "Nonsense",
        "",
        "Port ",
        " Port",
        "Po",
        "Portx",
        "Flags|Port",
        "ñame",
    ] {
        assert_eq!(o.get(name), Err(ERR::UnsupportedField), "get {name:?}");
        assert_eq!(o.set(name, 1), Err(ERR::UnsupportedField), "set {name:?}");
        assert_eq!(
            o.get_str(name),
            Err(ERR::UnsupportedField),
            "get_str {name:?}"
        );
    }
    o.free().unwrap();
}

#[test]
fn field_name_case_rules() {
    let o = probe();
    for name in ["Port", "port", "PORT"] {
        o.set(name, name.len() as i32).unwrap();
        assert_eq!(o.get("Port").unwrap(), Value::Int(name.len() as i32));
        assert_eq!(o.get(name).unwrap(), Value::Int(name.len() as i32));
    }
    // Only the leading capitals fold: clientData is the field, clientdata is not.
    o.set("ClientData", 1).unwrap();
    o.set("clientData", 2).unwrap();
    assert_eq!(o.get("ClientData").unwrap(), Value::Int(2));
    assert_eq!(o.get("clientdata"), Err(ERR::UnsupportedField));
    assert_eq!(o.set("clientdata", 3), Err(ERR::UnsupportedField));
    assert_eq!(o.get("CLIENTDATA"), Err(ERR::UnsupportedField));
    assert_eq!(o.get("ClientData").unwrap(), Value::Int(2));
    // Same for the system fields.
    assert_eq!(o.get("NAME").unwrap(), Value::None);
    assert_eq!(o.get("id").unwrap(), Value::Int(o.uid()));
    // ClassID hashes as "classID": the capitals after the first lower-case letter are verbatim.
    assert_eq!(o.get("classID").unwrap(), o.get("ClassID").unwrap());
    assert_eq!(o.get("classid"), Err(ERR::UnsupportedField));
    assert_eq!(o.get("CLASSID"), Err(ERR::UnsupportedField));
    o.free().unwrap();
}

#[test]
fn system_fields() {
    let o = probe();
    // Name.
    assert_eq!(o.get("Name").unwrap(), Value::None);
    o.set("Name", "alpha").unwrap();
    assert_eq!(o.get("Name").unwrap(), Value::from("alpha"));
    assert_eq!(o.name().as_deref(), Some("alpha"));
    o.set("Name", "x".repeat(50)).unwrap();
    assert_eq!(o.get_str("Name").unwrap(), "x".repeat(30));
    o.set("Name", 12).unwrap();
    assert_eq!(o.get_str("Name").unwrap(), "12");
    assert_eq!(o.set("Name", o), Err(ERR::FieldTypeMismatch));
    // ID, Class, ClassID.
    assert!(o.uid() >= 500);
    assert_eq!(o.get("ID").unwrap(), Value::Int(o.uid()));
    assert_eq!(o.get("Class").unwrap(), Value::from(PROBE));
    assert_eq!(
        o.get("ClassID").unwrap(),
        Value::Int64(strihash(PROBE) as i64)
    );
    assert_eq!(o.class().unwrap().id().0, strihash(PROBE));
    // Owner: objects created at top level belong to the task.
    assert_eq!(o.get("Owner").unwrap(), Value::None);
    let parent = probe();
    o.set("Owner", parent).unwrap();
    assert_eq!(o.get("Owner").unwrap(), Value::Object(parent));
    assert_eq!(o.owner(), Some(parent));
    assert_eq!(parent.children(), vec![o]);
    o.set("Owner", Value::None).unwrap();
    assert_eq!(o.owner(), None);
    assert!(parent.children().is_empty());
    o.set("Owner", parent.uid()).unwrap();
    assert_eq!(o.owner(), Some(parent));
    assert_eq!(o.set("Owner", "abc"), Err(ERR::FieldTypeMismatch));
    assert_eq!(o.set("Owner", o), Err(ERR::Recursion));
    assert_eq!(o.owner(), Some(parent));
    // Freeing the parent takes the child.
    parent.free().unwrap();
    assert!(!o.exists());
}

#[test]
fn try_create_names_the_failing_field() {
    register_probe();
    let before = object_count();
    let err = try_create(
        PROBE,
        fields! { "Port" => 1, "Label" => "ok", "Flags" => "SERVER|BOGUS", "Ratio" => 1.0 },
    )
    .unwrap_err();
    assert_eq!(
        (err.error, err.field.as_deref()),
        (ERR::InvalidValue, Some("Flags"))
    );
    // The detail names the word and the field.
    let detail = err.detail.clone().expect("a detail");
    assert!(
        detail.contains("field Flags") && detail.contains("unknown flag 'BOGUS'"),
        "{detail}"
    );
    assert_eq!(
        err.to_string(),
        format!("field Flags: A required value was not within expected constraints. ({detail})")
    );
    assert_eq!(object_count(), before);

    let err = try_create(PROBE, fields! { "Label" => "ok", "Port" => "abc" }).unwrap_err();
    assert_eq!(err.error, ERR::FieldTypeMismatch);
    assert_eq!(err.field.as_deref(), Some("Port"));
    assert_eq!(object_count(), before);

    let err = try_create(PROBE, fields! { "Bogus" => 1 }).unwrap_err();
    assert_eq!(err.error, ERR::UnsupportedField);
    assert_eq!(err.field.as_deref(), Some("Bogus"));
    assert_eq!(object_count(), before);

    // Init failure: no field named, object freed.
    let err = try_create(PROBE, fields! { "Port" => -1 }).unwrap_err();
    assert_eq!((err.error, err.field), (ERR::OutOfRange, None));
    assert_eq!(object_count(), before);
    assert_eq!(
        create(PROBE, fields! { "Port" => -1 }),
        Err(ERR::OutOfRange)
    );
    assert_eq!(object_count(), before);

    // Unknown class.
    let err = try_create("NoClassByThisName", fields! {}).unwrap_err();
    assert_eq!(err.error, ERR::MissingClass);
    assert_eq!(err.field, None);
    assert_eq!(object_count(), before);

    // Success adds exactly one object.
    let o = try_create(PROBE, fields! { "Port" => 3 }).unwrap();
    assert_eq!(object_count(), before + 1);
    o.free().unwrap();
    assert_eq!(object_count(), before);
}

#[test]
fn failed_init_leaves_the_object_to_the_caller() {
    register_probe();
    let before = object_count();
    let o = new_object(PROBE).unwrap();
    o.set("Port", -5).unwrap();
    assert_eq!(init_object(o), Err(ERR::OutOfRange));
    assert!(o.exists());
    assert!(!o.initialised());
    assert_eq!(object_count(), before + 1);
    // It can be fixed and initialised after all.
    o.set("Port", 5).unwrap();
    init_object(o).unwrap();
    assert!(o.initialised());
    // A second Init is a harmless no-op.
    init_object(o).unwrap();
    o.free().unwrap();
    assert_eq!(object_count(), before);
}
