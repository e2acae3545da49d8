//! Registers a class of its own and drives it only through the generic, by-name interface —
//! the way a Parasol script (or a port of one) uses classes it knows by name only.
//!
//! Run: `cargo run --example custom_class`

use parasol::field::{fd::*, FieldDef};
use parasol::prelude::*;
use parasol::{ActionArgs, ArgSpec, FieldKind};
use std::time::Duration;

/// Object data of the `Thermostat` class.
#[derive(Default)]
struct Thermostat {
    target: f64,
    reading: f64,
    mode: i32,
    flags: i32,
    label: String,
    heater: Option<ObjectId>,
    on_change: Function,
    activations: i32,
}

const MODES: &[FieldDef] = &[
    FieldDef::new("Off", 0),
    FieldDef::new("Heat", 1),
    FieldDef::new("Cool", 2),
];
const FLAGS: &[FieldDef] = &[
    FieldDef::new("Eco", 1),
    FieldDef::new("ChildLock", 2),
    FieldDef::new("Remote", 4),
];

fn register() -> Res<()> {
    ClassBuilder::<Thermostat>::new("Thermostat")
        .version(1.0)
        .doc("A thermostat, to show a user-defined class.")
        .field("Target", FieldKind::Double, FD_RW, |f| {
            f.get(|t| Value::Double(t.target)).set(|t, v| {
                let v = v.to_double()?;
                if !(5.0..=35.0).contains(&v) {
                    return Err(ERR::OutOfRange);
                }
                t.target = v;
                Ok(())
            })
        })
        .field("Reading", FieldKind::Double, FD_READ, |f| {
            f.get(|t| Value::Double(t.reading))
        })
        .field("Activations", FieldKind::Int, FD_READ, |f| {
            f.get(|t| Value::Int(t.activations))
        })
        .field("Mode", FieldKind::Int, FD_RW, |f| {
            f.get(|t| Value::Int(t.mode))
                .set(|t, v| {
                    t.mode = v.to_i32()?;
                    Ok(())
                })
                .lookup(MODES)
        })
        .field("Flags", FieldKind::Int, FD_RI, |f| {
            f.get(|t| Value::Int(t.flags))
                .set(|t, v| {
                    t.flags = v.to_i32()?;
                    Ok(())
                })
                .flags(FLAGS)
        })
        .field("Label", FieldKind::Str, FD_RW, |f| {
            f.get(|t| Value::from(t.label.as_str())).set(|t, v| {
                t.label = v.as_str()?.to_owned();
                Ok(())
            })
        })
        .field("Heater", FieldKind::Object, FD_RW, |f| {
            f.get(|t| t.heater.into()).set(|t, v| {
                t.heater = v.to_object().ok();
                Ok(())
            })
        })
        .field("OnChange", FieldKind::Function, FD_RW, |f| {
            f.get(|t| t.on_change.clone().into()).set(|t, v| {
                t.on_change = v.to_function()?;
                Ok(())
            })
        })
        // Activate: take a reading and tell the OnChange callback (called with no borrow held).
        .action(AC::Activate, |obj, _args: &mut ActionArgs| {
            let (callback, reading) = {
                let mut t = obj.data_mut::<Thermostat>();
                t.activations += 1;
                t.reading += (t.target - t.reading) / 2.0;
                (t.on_change.clone(), t.reading)
            };
            // A listener's return value is ignored, as Parasol's callbacks' are.
            let _ = callback.call(&[Value::Object(obj.id()), Value::Double(reading)]);
            ERR::Okay
        })
        // A method with an input and a result argument.
        .method(
            "Forecast",
            vec![
                ArgSpec::input("Hours", FieldKind::Int),
                ArgSpec::result("Expected", FieldKind::Double),
            ],
            |obj, args| {
                let Ok(hours) = args[0].to_i32() else {
                    return ERR::Args;
                };
                let t = obj.data::<Thermostat>();
                let mut r = t.reading;
                for _ in 0..hours.max(0) {
                    r += (t.target - r) / 2.0;
                }
                args[1] = Value::Double((r * 10.0).round() / 10.0);
                ERR::Okay
            },
        )
        .register()
        .map(|_| ())
}

fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    register()?;

    // Everything below uses names only, as a script would.
    let heater = create("Thermostat", fields! { "Label" => "heater element" })?;
    let changes = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = changes.clone();
    let t = create(
        "thermostat", // class names are case-insensitive
        fields! {
            "Target" => "21.5",               // text converted to double
            "Mode" => "Heat",                 // lookup by name
            "Flags" => "ECO|child_lock",      // flags: case and underscores do not matter
            "Label" => "hall",
            "Heater" => heater,
            "OnChange" => Function::new(move |t: ObjectId, reading: f64| {
                seen.set(seen.get() + 1);
                println!("  OnChange: #{} now reads {reading:.2}", t.uid());
            }),
        },
    )?;
    println!("Thermostat #{} of class {}", t.uid(), t.get_str("Class")?);
    println!("  Mode = {} ({})", t.get_str("Mode")?, t.get("Mode")?);
    println!("  Flags = {} ({})", t.get_str("Flags")?, t.get("Flags")?);
    println!(
        "  Heater = {}",
        t.get("Heater")?.to_object()?.get_str("Label")?
    );

    // Errors come back as ERR values, never panics.
    println!(
        "  set Target=99      → {:?}",
        t.set("Target", 99).unwrap_err()
    );
    println!(
        "  set Flags after Init → {:?}",
        t.set("Flags", "Remote").unwrap_err()
    );
    println!(
        "  set Reading        → {:?}",
        t.set("Reading", 1).unwrap_err()
    );
    println!(
        "  set Mode=Boost     → {:?}",
        t.set("Mode", "Boost").unwrap_err()
    );
    println!(
        "  set Nonsense       → {:?}",
        t.set("Nonsense", 1).unwrap_err()
    );
    println!(
        "  call Defrost       → {:?}",
        t.call("Defrost", &[]).unwrap_err()
    );

    // Actions and methods by name.
    for _ in 0..3 {
        t.call("Activate", &[])?;
    }
    let forecast = t.call("mtForecast", &[("Hours", Value::from("4"))])?;
    println!(
        "  Forecast(4h) = {}",
        forecast
            .get("Expected")
            .map(ToString::to_string)
            .unwrap_or_default()
    );

    // A timer drives one more activation through the message loop.
    let id = t;
    subscribe_timer(
        0.01,
        Function::new(move || {
            let _ = id.call("Activate", &[]);
            ERR::Terminate
        }),
    )?;
    wait_until(Duration::from_secs(1), || changes.get() == 4).to_result()?;
    println!(
        "  Activations = {}, OnChange calls = {}",
        t.get("Activations")?,
        changes.get()
    );
    assert_eq!(changes.get(), 4);

    t.free()?;
    println!("  after free: get → {:?}", t.get("Label").unwrap_err());
    heater.free()?;
    Ok(())
}
