//! Kernel micro-benchmarks: field access by name and by id, generic action dispatch, method calls
//! by id and by name, and one idle message-loop pass.

use criterion::{criterion_group, criterion_main, Criterion};
use parasol_core::field::{fd::*, FieldKind};
use parasol_core::hash::fieldhash;
use parasol_core::prelude::*;
use parasol_core::ArgSpec;
use std::hint::black_box;
use std::time::Duration;

#[derive(Default)]
struct Bench {
    port: i32,
}

fn setup() -> ObjectId {
    ClassBuilder::<Bench>::new("KernelBench")
        .field("Port", FieldKind::Int, FD_RW, |f| {
            f.get(|b| Value::Int(b.port)).set(|b, v| {
                b.port = v.to_i32()?;
                Ok(())
            })
        })
        .action(AC::Activate, |_, _| ERR::Okay)
        .method(
            "Sum",
            vec![
                ArgSpec::input("A", FieldKind::Int),
                ArgSpec::input("B", FieldKind::Int),
                ArgSpec::result("Result", FieldKind::Int),
            ],
            |_, vals| {
                let (Ok(a), Ok(b)) = (vals[0].to_i32(), vals[1].to_i32()) else {
                    return ERR::FieldTypeMismatch;
                };
                vals[2] = Value::Int(a.wrapping_add(b));
                ERR::Okay
            },
        )
        .register()
        .expect("registering KernelBench");
    create("KernelBench", fields! { "Port" => 1 }).expect("creating KernelBench")
}

fn kernel(c: &mut Criterion) {
    let o = setup();
    let fid = fieldhash("Port");

    c.bench_function("field/set_int_by_name", |b| {
        b.iter(|| o.set(black_box("Port"), black_box(42)).unwrap())
    });
    c.bench_function("field/get_int_by_name", |b| {
        b.iter(|| black_box(o.get(black_box("Port")).unwrap()))
    });
    c.bench_function("field/set_int_by_id", |b| {
        b.iter(|| o.set_id(black_box(fid), black_box(42)).unwrap())
    });
    c.bench_function("field/get_int_by_id", |b| {
        b.iter(|| black_box(o.get_id(black_box(fid)).unwrap()))
    });
    c.bench_function("action/activate_noop", |b| {
        b.iter(|| o.act(black_box(AC::Activate)).unwrap())
    });
    let mut args = [Value::Int(2), Value::Int(3), Value::None];
    c.bench_function("method/by_id", |b| {
        b.iter(|| {
            let e = o.method(black_box(AC(-1)), &mut args);
            debug_assert!(e.is_ok());
            black_box(e)
        })
    });
    let named = [("A", Value::Int(2)), ("B", Value::Int(3))];
    c.bench_function("method/by_name", |b| {
        b.iter(|| black_box(o.call(black_box("Sum"), &named).unwrap()))
    });
    c.bench_function("loop/process_messages_zero_idle", |b| {
        b.iter(|| {
            let e = process_messages(Some(Duration::ZERO));
            debug_assert!(e.is_ok());
            black_box(e)
        })
    });
    assert_eq!(args[2], Value::Int(5));
    o.free().unwrap();
}

criterion_group!(benches, kernel);
criterion_main!(benches);
