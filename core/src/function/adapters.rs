//! Generated adapters: closures of 0 to 4 typed parameters, each taken by value or by reference.

#![allow(clippy::get_first)]

use super::args::{ArgKind, ByRef, ByVal, CallbackReturn, FromValue, FromValueRef};
use crate::err::ERR;
use crate::value::Value;

/// The erased form of a callback closure.
pub type Routine = Box<dyn Fn(&[Value]) -> ERR>;

/// Turns a closure into a callback routine; `M` records how each parameter is taken.
pub trait IntoCallback<M> {
    /// The erased routine.
    fn into_routine(self) -> Routine;
    /// What each parameter takes, in order.
    fn signature() -> Vec<ArgKind>;
}

#[cold]
fn bad_argument(index: usize, v: Option<&Value>) -> ERR {
    match v {
        Some(v) => log::warn!(
            "Callback argument {index} has the wrong type ({})",
            v.type_name()
        ),
        None => log::warn!("Callback argument {index} is missing"),
    }
    ERR::Args
}

impl<F, R: CallbackReturn> IntoCallback<()> for F
where
    F: Fn() -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |_args: &[Value]| self().into_err())
    }
}

impl<F, R: CallbackReturn, A: FromValue + 'static> IntoCallback<(ByVal<A>,)> for F
where
    F: Fn(A) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![<A as FromValue>::KIND]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            self(a).into_err()
        })
    }
}

impl<F, R: CallbackReturn, A: FromValueRef + ?Sized + 'static> IntoCallback<(ByRef<A>,)> for F
where
    F: Fn(&A) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![<A as FromValueRef>::KIND]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            self(a).into_err()
        })
    }
}

impl<F, R: CallbackReturn, A: FromValue + 'static, B: FromValue + 'static>
    IntoCallback<(ByVal<A>, ByVal<B>)> for F
where
    F: Fn(A, B) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![<A as FromValue>::KIND, <B as FromValue>::KIND]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            self(a, b).into_err()
        })
    }
}

impl<F, R: CallbackReturn, A: FromValue + 'static, B: FromValueRef + ?Sized + 'static>
    IntoCallback<(ByVal<A>, ByRef<B>)> for F
where
    F: Fn(A, &B) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![<A as FromValue>::KIND, <B as FromValueRef>::KIND]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            self(a, b).into_err()
        })
    }
}

impl<F, R: CallbackReturn, A: FromValueRef + ?Sized + 'static, B: FromValue + 'static>
    IntoCallback<(ByRef<A>, ByVal<B>)> for F
where
    F: Fn(&A, B) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![<A as FromValueRef>::KIND, <B as FromValue>::KIND]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            self(a, b).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>)> for F
where
    F: Fn(&A, &B) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![<A as FromValueRef>::KIND, <B as FromValueRef>::KIND]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            self(a, b).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValue + 'static,
        C: FromValue + 'static,
    > IntoCallback<(ByVal<A>, ByVal<B>, ByVal<C>)> for F
where
    F: Fn(A, B, C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValue>::KIND,
            <C as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValue + 'static,
        C: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByVal<A>, ByVal<B>, ByRef<C>)> for F
where
    F: Fn(A, B, &C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValue>::KIND,
            <C as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValue + 'static,
    > IntoCallback<(ByVal<A>, ByRef<B>, ByVal<C>)> for F
where
    F: Fn(A, &B, C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByVal<A>, ByRef<B>, ByRef<C>)> for F
where
    F: Fn(A, &B, &C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValue + 'static,
        C: FromValue + 'static,
    > IntoCallback<(ByRef<A>, ByVal<B>, ByVal<C>)> for F
where
    F: Fn(&A, B, C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValue>::KIND,
            <C as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValue + 'static,
        C: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByVal<B>, ByRef<C>)> for F
where
    F: Fn(&A, B, &C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValue>::KIND,
            <C as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValue + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>, ByVal<C>)> for F
where
    F: Fn(&A, &B, C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>, ByRef<C>)> for F
where
    F: Fn(&A, &B, &C) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            self(a, b, c).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValue + 'static,
        C: FromValue + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByVal<A>, ByVal<B>, ByVal<C>, ByVal<D>)> for F
where
    F: Fn(A, B, C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValue>::KIND,
            <C as FromValue>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValue + 'static,
        C: FromValue + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByVal<A>, ByVal<B>, ByVal<C>, ByRef<D>)> for F
where
    F: Fn(A, B, C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValue>::KIND,
            <C as FromValue>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValue + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByVal<A>, ByVal<B>, ByRef<C>, ByVal<D>)> for F
where
    F: Fn(A, B, &C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValue>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValue + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByVal<A>, ByVal<B>, ByRef<C>, ByRef<D>)> for F
where
    F: Fn(A, B, &C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValue>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValue + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByVal<A>, ByRef<B>, ByVal<C>, ByVal<D>)> for F
where
    F: Fn(A, &B, C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValue>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValue + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByVal<A>, ByRef<B>, ByVal<C>, ByRef<D>)> for F
where
    F: Fn(A, &B, C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValue>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByVal<A>, ByRef<B>, ByRef<C>, ByVal<D>)> for F
where
    F: Fn(A, &B, &C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValue + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByVal<A>, ByRef<B>, ByRef<C>, ByRef<D>)> for F
where
    F: Fn(A, &B, &C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValue>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValue + 'static,
        C: FromValue + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByRef<A>, ByVal<B>, ByVal<C>, ByVal<D>)> for F
where
    F: Fn(&A, B, C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValue>::KIND,
            <C as FromValue>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValue + 'static,
        C: FromValue + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByVal<B>, ByVal<C>, ByRef<D>)> for F
where
    F: Fn(&A, B, C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValue>::KIND,
            <C as FromValue>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValue + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByRef<A>, ByVal<B>, ByRef<C>, ByVal<D>)> for F
where
    F: Fn(&A, B, &C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValue>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValue + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByVal<B>, ByRef<C>, ByRef<D>)> for F
where
    F: Fn(&A, B, &C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValue>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValue + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>, ByVal<C>, ByVal<D>)> for F
where
    F: Fn(&A, &B, C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValue>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValue + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>, ByVal<C>, ByRef<D>)> for F
where
    F: Fn(&A, &B, C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValue>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValue + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>, ByRef<C>, ByVal<D>)> for F
where
    F: Fn(&A, &B, &C, D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValue>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}

impl<
        F,
        R: CallbackReturn,
        A: FromValueRef + ?Sized + 'static,
        B: FromValueRef + ?Sized + 'static,
        C: FromValueRef + ?Sized + 'static,
        D: FromValueRef + ?Sized + 'static,
    > IntoCallback<(ByRef<A>, ByRef<B>, ByRef<C>, ByRef<D>)> for F
where
    F: Fn(&A, &B, &C, &D) -> R + 'static,
{
    fn signature() -> Vec<ArgKind> {
        vec![
            <A as FromValueRef>::KIND,
            <B as FromValueRef>::KIND,
            <C as FromValueRef>::KIND,
            <D as FromValueRef>::KIND,
        ]
    }

    fn into_routine(self) -> Routine {
        Box::new(move |args: &[Value]| {
            let Some(a) = args.get(0).and_then(A::from_value_ref) else {
                return bad_argument(0, args.get(0));
            };
            let Some(b) = args.get(1).and_then(B::from_value_ref) else {
                return bad_argument(1, args.get(1));
            };
            let Some(c) = args.get(2).and_then(C::from_value_ref) else {
                return bad_argument(2, args.get(2));
            };
            let Some(d) = args.get(3).and_then(D::from_value_ref) else {
                return bad_argument(3, args.get(3));
            };
            self(a, b, c, d).into_err()
        })
    }
}
