//! Checks `ERR` against the reference table (`tests/data/err_table.md`, transcribed from
//! Parasol's `errors.h` / `data_errors.cpp`), plus `AC` numbers and the name hashes.

use parasol_core::hash::{fieldhash, strihash};
use parasol_core::{AC, ERR};

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/err_table.md");

/// One row of the table: number, names (first is primary), message (`None` for END/Notified).
struct Row {
    value: i32,
    names: Vec<String>,
    message: Option<String>,
}

fn parse_value(s: &str) -> i32 {
    match s.strip_prefix("0x") {
        Some(hex) => i32::from_str_radix(hex, 16).expect("hex value"),
        None => s.parse().expect("decimal value"),
    }
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(TABLE).expect("reading err_table.md");
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        // Split on the column separators; message texts contain no '|'.
        let cols: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cols.len(), 3, "malformed row: {line}");
        if cols[0] == "Value" {
            continue;
        }
        let value = parse_value(cols[0]);
        let names = cols[1].split(" / ").map(|n| n.trim().to_string()).collect();
        let message = if cols[2].starts_with('(') && cols[2].ends_with(')') {
            None
        } else {
            Some(cols[2].to_string())
        };
        out.push(Row {
            value,
            names,
            message,
        });
    }
    out
}

#[test]
fn table_parses_completely() {
    let rows = rows();
    // 0..=195 with messages, plus END and Notified.
    assert_eq!(rows.len(), 198);
    for (i, row) in rows.iter().take(196).enumerate() {
        assert_eq!(row.value, i as i32, "rows must be in order");
        assert!(row.message.is_some(), "row {i} lacks a message");
    }
}

#[test]
fn every_name_maps_to_its_number() {
    for row in rows() {
        for name in &row.names {
            assert_eq!(
                ERR::from_name(name),
                Some(ERR(row.value)),
                "ERR::from_name({name:?})"
            );
            // Names are case-insensitive.
            assert_eq!(
                ERR::from_name(&name.to_ascii_lowercase()),
                Some(ERR(row.value)),
                "ERR::from_name(lower {name:?})"
            );
            assert_eq!(
                ERR::from_name(&name.to_ascii_uppercase()),
                Some(ERR(row.value)),
                "ERR::from_name(upper {name:?})"
            );
        }
    }
    assert_eq!(ERR::from_name("NoSuchErrorName"), None);
    assert_eq!(ERR::from_name(""), None);
}

#[test]
fn messages_match_for_every_code() {
    let mut seen = 0;
    for row in rows() {
        let Some(message) = &row.message else {
            continue;
        };
        let e = ERR(row.value);
        assert_eq!(e.message(), message, "message of {}", row.value);
        assert_eq!(e.to_string(), *message, "Display of {}", row.value);
        seen += 1;
    }
    assert_eq!(seen, 196);
}

#[test]
fn primary_names() {
    for row in rows() {
        if row.value == 196 {
            // END is the table size, not a code with a name of its own.
            continue;
        }
        assert_eq!(
            ERR(row.value).name(),
            Some(row.names[0].as_str()),
            "name of {}",
            row.value
        );
    }
    assert_eq!(
        format!("{:?}", ERR::ConnectionRefused),
        "ERR::ConnectionRefused"
    );
}

#[test]
fn unknown_codes() {
    for code in [-1, -1000, 196, 197, 500, 0x3fff_ffff, i32::MAX, i32::MIN] {
        let e = ERR(code);
        assert_eq!(e.message(), "Unknown error code.", "code {code}");
        assert_eq!(e.to_string(), "Unknown error code.", "code {code}");
    }
    // The Notified flag is not a message index.
    assert_eq!(ERR::Notified.message(), "Unknown error code.");
    assert_eq!(
        ERR(ERR::Failed.0 | ERR::Notified.0).message(),
        "Unknown error code."
    );
    assert_eq!(ERR::Notified.name(), Some("Notified"));
    assert_eq!(ERR(-5).name(), None);
    assert_eq!(ERR(1000).name(), None);
    assert_eq!(format!("{:?}", ERR(1000)), "ERR(1000)");
}

#[test]
fn named_constants_and_helpers() {
    assert_eq!(ERR::Okay, ERR(0));
    assert_eq!(ERR::True, ERR::Okay);
    assert_eq!(ERR::Terminate.0, 9);
    assert_eq!(ERR::TimeOut.0, 30);
    assert_eq!(ERR::NoAction.0, 27);
    assert_eq!(ERR::NoMatchingObject.0, 74);
    assert_eq!(ERR::NoFieldAccess.0, 87);
    assert_eq!(ERR::FieldTypeMismatch.0, 90);
    assert_eq!(ERR::UnsupportedField.0, 93);
    assert_eq!(ERR::Disconnected.0, 134);
    assert_eq!(ERR::NullArgs.0, 141);
    assert_eq!(ERR::Recursion.0, 144);
    assert_eq!(ERR::InvalidValue.0, 152);
    assert_eq!(ERR::Exception.0, 162);
    assert_eq!(ERR::Notified.0, 0x4000_0000);
    assert!(ERR::Okay.is_ok());
    assert!(!ERR::Failed.is_ok());
    assert!(ERR::Failed.is_err());
    assert_eq!(ERR::Okay.to_result(), Ok(()));
    assert_eq!(ERR::Failed.to_result(), Err(ERR::Failed));
    assert_eq!(
        ERR(ERR::Failed.0 | ERR::Notified.0).without_notified(),
        ERR::Failed
    );
    let boxed: Box<dyn std::error::Error> = Box::new(ERR::Disconnected);
    assert_eq!(
        boxed.to_string(),
        "The connection between client and server was terminated."
    );
}

#[test]
fn action_numbers() {
    let cases = [
        (AC::Signal, 1, "Signal"),
        (AC::Activate, 2, "Activate"),
        (AC::DataFeed, 8, "DataFeed"),
        (AC::Free, 13, "Free"),
        (AC::GetKey, 15, "GetKey"),
        (AC::Init, 18, "Init"),
        (AC::Read, 29, "Read"),
        (AC::SetKey, 37, "SetKey"),
        (AC::Write, 43, "Write"),
        (AC::Disable, 47, "Disable"),
    ];
    for (ac, n, name) in cases {
        assert_eq!(ac.0, n, "{name}");
        assert_eq!(ac.name(), Some(name));
        assert_eq!(AC::from_name(name), Some(ac));
        assert_eq!(AC::from_name(&name.to_ascii_lowercase()), Some(ac));
        assert_eq!(AC::from_name(&format!("ac{name}")), Some(ac));
        assert!(ac.is_action() && !ac.is_method());
    }
    assert!(AC(-1).is_method());
    assert!(!AC(0).is_action());
    assert!(!AC::END.is_action());
    assert_eq!(AC(-3).name(), None);
}

#[test]
fn class_id_hashes() {
    let cases = [
        ("NetSocket", 0x2b43_9bb5u32),
        ("ClientSocket", 0xa149_72ed),
        ("NetClient", 0x05bd_fa0b),
        ("MetaClass", 0x8bf5_f002),
    ];
    for (name, id) in cases {
        assert_eq!(strihash(name), id, "{name}");
        assert_eq!(strihash(&name.to_ascii_uppercase()), id, "{name} upper");
        assert_eq!(strihash(&name.to_ascii_lowercase()), id, "{name} lower");
    }
    assert_eq!(parasol_core::CLASSID::NETSOCKET.0, 0x2b43_9bb5);
    assert_eq!(parasol_core::CLASSID::of("clientsocket").0, 0xa149_72ed);
}

#[test]
fn field_id_hashes() {
    let cases = [
        ("Port", 0x7c9c_614au32),
        ("Flags", 0x0f71_a6d2),
        ("Name", 0x7c9b_0c46),
        ("Feedback", 0xef8a_14aa),
        ("Incoming", 0x653e_9df9),
        ("ClientData", 0x38ef_793e),
        ("SSLCertificate", 0xed7f_1f1a),
    ];
    for (name, id) in cases {
        assert_eq!(fieldhash(name), id, "{name}");
    }
    assert_eq!(parasol_core::fid::FID_Port, 0x7c9c_614a);
    assert_eq!(parasol_core::fid::FID_ClientData, 0x38ef_793e);
    assert_eq!(fieldhash("PORT"), fieldhash("Port"));
    assert_eq!(fieldhash("port"), fieldhash("Port"));
    assert_ne!(fieldhash("clientdata"), fieldhash("ClientData"));
}
