//! The UID counter wraps after `i32::MAX` without panicking and never reissues a UID whose
//! object is still alive. Its own test binary: it moves the process-wide counter.

use parasol_core::object::set_next_uid_for_tests;
use parasol_core::prelude::*;

#[derive(Default)]
struct Thing;

#[test]
fn uids_wrap_to_500_and_skip_live_objects() {
    ClassBuilder::<Thing>::new("UidWrapThing")
        .register()
        .unwrap();
    let keep_500 = create("UidWrapThing", fields! {}).unwrap();
    assert_eq!(keep_500.uid(), 500, "the first UID of a process is 500");
    let keep_501 = create("UidWrapThing", fields! {}).unwrap();

    // Just below the top: the next objects take the last UIDs, then the counter wraps.
    set_next_uid_for_tests(i32::MAX - 1);
    let a = create("UidWrapThing", fields! {}).unwrap();
    let b = create("UidWrapThing", fields! {}).unwrap();
    assert_eq!((a.uid(), b.uid()), (i32::MAX - 1, i32::MAX));
    // 500 and 501 are alive: the wrapped counter skips them.
    let c = create("UidWrapThing", fields! {}).unwrap();
    assert_eq!(c.uid(), 502);
    assert_eq!(ObjectId::from_uid(500), Some(keep_500));
    assert_eq!(ObjectId::from_uid(501), Some(keep_501));

    // A freed object's UID may come back, a live one's never.
    keep_501.free().unwrap();
    set_next_uid_for_tests(500);
    let d = create("UidWrapThing", fields! {}).unwrap();
    assert_eq!(
        d.uid(),
        501,
        "500 is live and skipped; 501 was freed and may be reused"
    );
    assert_eq!(ObjectId::from_uid(500), Some(keep_500));
    assert!(keep_500.exists());

    // Out-of-range values given to the test hook start at 500.
    set_next_uid_for_tests(-7);
    let e = create("UidWrapThing", fields! {}).unwrap();
    assert!(e.uid() >= 500 && e.uid() != 500 && e.uid() != 501 && e.uid() != 502);
}
