//! The door's action arguments and its raise rule, on a class of this test's own whose actions
//! answer what they are told (the network classes have no GetKey, SetKey or DataFeed, and
//! cannot be made to return a chosen code).

use parasol::field::{fd::*, FieldKind};
use parasol::prelude::*;
use parasol::ActionArgs;
use parasol_fluid::{Options, Script};
use std::sync::Once;

#[derive(Default)]
struct Probe {
    code: i32,
    log: String,
}

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        parasol::init().unwrap();
        ClassBuilder::<Probe>::new("DoorProbe")
            .field("Code", FieldKind::Int, FD_RW, |f| {
                f.get(|p| Value::Int(p.code)).set(|p, v| {
                    p.code = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Log", FieldKind::Str, FD_READ, |f| {
                f.get(|p| Value::from(p.log.as_str()))
            })
            // Activate answers the code it was given.
            .action(AC::Activate, |obj, _| ERR(obj.data::<Probe>().code))
            .action(AC::GetKey, |_, args| {
                let ActionArgs::GetKey { key, value } = args else {
                    return ERR::Args;
                };
                *value = format!("value of {key}");
                ERR::Okay
            })
            .action(AC::SetKey, |obj, args| {
                let ActionArgs::SetKey { key, value } = args else {
                    return ERR::Args;
                };
                obj.data_mut::<Probe>()
                    .log
                    .push_str(&format!("{key}={value};"));
                ERR::Okay
            })
            .action(AC::DataFeed, |obj, args| {
                let ActionArgs::DataFeed {
                    object,
                    datatype,
                    buffer,
                } = args
                else {
                    return ERR::Args;
                };
                let from = object.map_or(0, |o| o.uid());
                obj.data_mut::<Probe>().log.push_str(&format!(
                    "feed {from} {datatype} {};",
                    String::from_utf8_lossy(buffer)
                ));
                ERR::Okay
            })
            .register()
            .unwrap();
    });
}

fn run(text: &str) {
    register();
    let script = Script::new(Options::default()).unwrap();
    let o = script.run_source("probe.fluid", text);
    assert_eq!(o.error, ERR::Okay, "{:?}", o.message);
}

#[test]
fn a_failure_raises_inside_catch_from_the_exception_threshold_up() {
    run(r#"
        local p = obj.new('DoorProbe', { code = ERR_Terminate })
        // Outside catch: returned.
        assert(p.acActivate() == ERR_Terminate)
        // Inside: Terminate is the threshold, so it raises, naming the class and the action.
        local ex = catch(function() p.acActivate() end)
        assert(ex and ex.code == ERR_Terminate, 'Terminate raises in catch')
        assert(ex.message:find('DoorProbe.Activate() failed', 1, true), ex.message)
        // Below the threshold, and success, are returned even inside catch.
        p.code = ERR_Retry
        local ex2, e = catch(function() return p.acActivate() end)
        assert(ex2 == nil and e == ERR_Retry, 'Retry is returned')
        p.code = ERR_Okay
        local ex3, ok = catch(function() return p.acActivate() end)
        assert(ex3 == nil and ok == ERR_Okay, 'Okay is returned')
    "#);
}

#[test]
fn key_and_feed_actions_take_fluids_arguments() {
    run(r#"
        local p = obj.new('DoorProbe', {})
        local other = obj.new('DoorProbe', {})
        local err, v = p.acGetKey('colour')
        assert(err == ERR_Okay and v == 'value of colour', tostring(v))
        assert(p.acGetKey() == ERR_NullArgs)
        assert(p.acSetKey('size', 42) == ERR_Okay)
        assert(p.acSetKey('size') == ERR_NullArgs)
        assert(p.acDataFeed(other, 2, 'abc') == ERR_Okay)
        assert(p.acDataFeed(nil, 2.5, 'xyz', 2) == ERR_Okay)
        local n = 3
        assert(p.acDataFeed(nil, n, string.alloc(1)) == ERR_Okay)
        assert(p.log == 'size=42;feed ' .. other.id .. ' 2 abc;feed 0 2 xy;feed 0 3 \0;', p.log)
    "#);
}

#[test]
fn data_arguments_are_strings_numbers_or_buffers_and_nothing_else() {
    run(r#"
        local p = obj.new('DoorProbe', {})
        assert(p.acDataFeed(nil, 1, 12345) == ERR_Okay)
        assert(p.log == 'feed 0 1 12345;', p.log)
        // Other userdata is no buffer, for writes and reads alike.
        assert(p.acDataFeed(nil, 1, newproxy()) == ERR_NullArgs)
        assert(p.acDataFeed(nil, 1, {}) == ERR_NullArgs)
    "#);
}
