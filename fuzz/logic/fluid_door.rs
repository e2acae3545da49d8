//! Fuzz target `fluid_door`: Fluid scripts made from the input, up to 48 operations on objects
//! of a probe class of this target's own (`FluidProbe`: a field of every kind, Read, Write,
//! Activate calling its callback, a method with a result) — create by class name with fields
//! of arbitrary names and Lua values (numbers incl. NaN and ±inf, byte strings, booleans, nil,
//! nested tables, handles, buffers, functions that raise or run operations themselves), read
//! and write fields by arbitrary name, index and call members by arbitrary name with arbitrary
//! arguments, detach, free, collect.
//!
//! Invariants: no panic; every generated script compiles (the generator only writes valid
//! Fluid) and runs to its end (every operation sits in `catch`); once the script state is
//! dropped, the kernel's object count is back where it started.
//!
//! Network safety: only the probe class and names that are no class are created; nothing here
//! opens a socket or resolves a name.

use parasol::kernel::field::{fd::*, FieldDef, FieldKind};
use parasol::kernel::object::object_count;
use parasol::prelude::*;
use parasol::{ActionArgs, ArgSpec};
use std::sync::Once;

const MAX_OPS: usize = 48;

#[derive(Default)]
struct Probe {
    number: i32,
    ratio: f64,
    text: String,
    mode: i32,
    callback: Function,
    target: Option<ObjectId>,
}

const MODES: &[FieldDef] = &[FieldDef::new("Fast", 1), FieldDef::new("Quiet", 2)];

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        parasol::init().expect("classes");
        ClassBuilder::<Probe>::new("FluidProbe")
            .field("Number", FieldKind::Int, FD_RW, |f| {
                f.get(|p| Value::Int(p.number)).set(|p, v| {
                    p.number = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Ratio", FieldKind::Double, FD_RW, |f| {
                f.get(|p| Value::Double(p.ratio)).set(|p, v| {
                    p.ratio = v.to_double()?;
                    Ok(())
                })
            })
            .field("Text", FieldKind::Str, FD_RW, |f| {
                f.get(|p| Value::from(p.text.as_str())).set(|p, v| {
                    p.text = v.as_str()?.to_owned();
                    Ok(())
                })
            })
            .field("Mode", FieldKind::Int, FD_RW | FD_FLAGS, |f| {
                f.get(|p| Value::Int(p.mode))
                    .set(|p, v| {
                        p.mode = v.to_i32()?;
                        Ok(())
                    })
                    .flags(MODES)
            })
            .field("Callback", FieldKind::Function, FD_RW, |f| {
                f.get(|p| p.callback.clone().into()).set(|p, v| {
                    p.callback = v.to_function()?;
                    Ok(())
                })
            })
            .field("Target", FieldKind::Object, FD_RW, |f| {
                f.get(|p| p.target.map_or(Value::None, Value::Object))
                    .set(|p, v| {
                        p.target = match v {
                            Value::None => None,
                            v => Some(v.to_object()?),
                        };
                        Ok(())
                    })
            })
            .action(AC::Activate, |obj, _| {
                let (cb, n) = {
                    let p = obj.data::<Probe>();
                    (p.callback.clone(), p.number)
                };
                cb.call(&[Value::Object(obj.id()), Value::Int(n)])
            })
            .action(AC::Read, |obj, args| {
                let ActionArgs::Read { buffer, result } = args else {
                    return ERR::Args;
                };
                let p = obj.data::<Probe>();
                let n = p.text.len().min(buffer.len());
                buffer[..n].copy_from_slice(&p.text.as_bytes()[..n]);
                *result = n;
                ERR::Okay
            })
            .action(AC::Write, |obj, args| {
                let ActionArgs::Write { buffer, result } = args else {
                    return ERR::Args;
                };
                let mut p = obj.data_mut::<Probe>();
                p.text.push_str(&String::from_utf8_lossy(buffer));
                p.text.truncate(4096);
                *result = buffer.len();
                ERR::Okay
            })
            .method(
                "Probe",
                vec![
                    ArgSpec::input("Count", FieldKind::Int),
                    ArgSpec::optional("Label", FieldKind::Str),
                    ArgSpec::result("Total", FieldKind::Int),
                ],
                |obj, args| {
                    let Ok(n) = args[0].to_i32() else {
                        return ERR::Args;
                    };
                    let total = obj.data::<Probe>().number.saturating_add(n);
                    args[2] = Value::Int(total);
                    if total < 0 {
                        ERR::OutOfRange
                    } else {
                        ERR::Okay
                    }
                },
            )
            .register()
            .expect("FluidProbe");
    });
}

struct Src<'a>(&'a [u8], usize);

impl Src<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        b
    }
    fn done(&self) -> bool {
        self.1 >= self.0.len()
    }
    fn pick<'b>(&mut self, from: &[&'b str]) -> &'b str {
        from[self.u8() as usize % from.len()]
    }
    /// A Lua string literal of up to 12 input bytes, every byte escaped.
    fn string(&mut self) -> String {
        let n = self.u8() % 13;
        let mut s = String::from("'");
        for _ in 0..n {
            s.push_str(&format!("\\{}", self.u8()));
        }
        s.push('\'');
        s
    }
    fn name(&mut self) -> String {
        match self.u8() % 4 {
            0 => self.string(),
            _ => format!("'{}'", self.pick(NAMES)),
        }
    }
    fn value(&mut self, depth: usize) -> String {
        match self.u8() % 14 {
            0 => "nil".into(),
            1 => "true".into(),
            2 => "0/0".into(),
            3 => self
                .pick(&["1/0", "-1/0", "2^53", "-2^63", "2^31", "-1", "0.5"])
                .into(),
            4 => format!("{}", self.u8() as i32 - 128),
            5 | 6 => self.string(),
            7 => "h".into(),
            8 => format!("string.alloc({})", self.u8() % 64),
            9 => "function(...) return ... end".into(),
            10 => "function() error('raised in a callback') end".into(),
            11 => "function(o) if o then o.acActivate() end end".into(),
            12 if depth < 2 => {
                format!("{{ {}, {} }}", self.value(depth + 1), self.value(depth + 1))
            }
            _ => self
                .pick(&["ERR_Terminate", "'Fast|Quiet'", "'Fast|Bogus'", "''"])
                .into(),
        }
    }
}

const CLASSES: &[&str] = &[
    "FluidProbe",
    "fluidprobe",
    "FLUIDPROBE",
    "NoSuchClass",
    "",
    "Fluid Probe",
];
const NAMES: &[&str] = &[
    "number",
    "Number",
    "ratio",
    "text",
    "mode",
    "callback",
    "target",
    "name",
    "owner",
    "id",
    "class",
    "acActivate",
    "acRead",
    "acWrite",
    "acGetKey",
    "mtProbe",
    "mtNothing",
    "init",
    "free",
    "detach",
    "exists",
    "get",
    "set",
    "children",
    "new",
    "subscribe",
    "_state",
    "lock",
];

fn script(src: &mut Src) -> String {
    let mut out = String::from("local h, r\n");
    for _ in 0..MAX_OPS {
        if src.done() {
            break;
        }
        let op = match src.u8() % 9 {
            0 | 1 => format!(
                "h = obj.new('{}', {{ [{}] = {}, [{}] = {} }})",
                src.pick(CLASSES),
                src.name(),
                src.value(0),
                src.name(),
                src.value(0)
            ),
            2 => format!("r = h[{}]", src.name()),
            3 => format!("h[{}] = {}", src.name(), src.value(0)),
            4 => format!(
                "local f = h[{}]; if type(f) == 'function' then r = {{ f({}, {}) }} end",
                src.name(),
                src.value(0),
                src.value(0)
            ),
            5 => "collectgarbage()".into(),
            6 => "h = nil".into(),
            7 => format!(
                "local b = string.alloc({}); r = {{ h.acRead(b, {}) }}",
                src.u8() % 32,
                src.value(0)
            ),
            _ => format!("r = {{ h.acWrite({}, {}) }}", src.value(0), src.value(0)),
        };
        out.push_str(&format!("catch(function() {op} end)\n"));
    }
    out
}

pub fn run(data: &[u8]) {
    register();
    let before = object_count();
    let text = script(&mut Src(data, 0));
    {
        let state = parasol_fluid::Script::new(parasol_fluid::Options::default()).expect("state");
        let outcome = state.run_source("fuzz.fluid", &text);
        assert_eq!(
            outcome.error,
            ERR::Okay,
            "every operation is caught: {:?}\n{text}",
            outcome.message
        );
    }
    assert_eq!(
        object_count(),
        before,
        "the script's objects are all freed\n{text}"
    );
}
