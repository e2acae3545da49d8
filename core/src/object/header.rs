//! The universal object header and the object box that pairs it with class data.

use crate::class::MetaClass;
use crate::err::{Res, ERR};
use crate::object::ObjectId;
use bitflags::bitflags;
use std::any::{Any, TypeId};
use std::cell::{Cell, Ref, RefCell, RefMut};
use std::rc::Rc;
use std::sync::Arc;

bitflags! {
    /// Object state flags, with Parasol's `NF` values.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct NF: u32 {
        /// Owned by the task rather than the creating context.
        const UNTRACKED = 0x1;
        /// Init succeeded.
        const INITIALISED = 0x2;
        /// Class-internal child.
        const LOCAL = 0x4;
        /// Free pending until released.
        const FREE_ON_UNLOCK = 0x8;
        /// Being destroyed.
        const FREE = 0x10;
        /// Has timer subscriptions.
        const TIMER_SUB = 0x20;
        /// Free requested while busy: it happens when the current action or callback returns.
        const COLLECT = 0x80;
        /// Signalled (WaitForObjects).
        const SIGNALLED = 0x400;
    }
}

/// The header every object carries. Interior mutability keeps it usable while class code holds a
/// borrow of the data.
pub struct Header {
    pub(crate) id: ObjectId,
    pub(crate) class: Arc<MetaClass>,
    pub(crate) owner: Cell<Option<ObjectId>>,
    pub(crate) first_child: Cell<Option<ObjectId>>,
    pub(crate) last_child: Cell<Option<ObjectId>>,
    pub(crate) next_sibling: Cell<Option<ObjectId>>,
    pub(crate) prev_sibling: Cell<Option<ObjectId>>,
    pub(crate) flags: Cell<NF>,
    pub(crate) depth: Cell<u32>,
    pub(crate) notify_mask: Cell<u64>,
    pub(crate) name: RefCell<Option<Box<str>>>,
}

impl Header {
    pub(crate) fn new(id: ObjectId, class: Arc<MetaClass>) -> Header {
        Header {
            id,
            class,
            owner: Cell::new(None),
            first_child: Cell::new(None),
            last_child: Cell::new(None),
            next_sibling: Cell::new(None),
            prev_sibling: Cell::new(None),
            flags: Cell::new(NF::empty()),
            depth: Cell::new(0),
            notify_mask: Cell::new(0),
            name: RefCell::new(None),
        }
    }

    pub(crate) fn has(&self, f: NF) -> bool {
        self.flags.get().contains(f)
    }

    pub(crate) fn set_flag(&self, f: NF, on: bool) {
        let mut v = self.flags.get();
        v.set(f, on);
        self.flags.set(v);
    }

    pub(crate) fn is_freeing(&self) -> bool {
        self.flags.get().intersects(NF::FREE)
    }
}

/// An object: header plus class data of type `T` (erased to `dyn Any` in the store).
pub struct ObjectBox<T: ?Sized> {
    pub(crate) header: Header,
    /// The type `data` was created with. Checked instead of `dyn Any`'s own `type_id`, which is a
    /// call through the vtable on every borrow (several per message on the data path).
    data_type: TypeId,
    pub(crate) data: RefCell<T>,
}

/// A counted reference to an object. Holding one keeps the memory valid (never the object
/// alive in the kernel's sense: a freed object stays freed and its handle stops resolving).
pub type ObjectPtr = Rc<ObjectBox<dyn Any>>;

impl ObjectBox<dyn Any> {
    /// The object's handle.
    #[inline]
    pub fn id(&self) -> ObjectId {
        self.header.id
    }

    /// The object's class.
    #[inline]
    pub fn class(&self) -> &Arc<MetaClass> {
        &self.header.class
    }

    /// True once Init succeeded.
    #[inline]
    pub fn initialised(&self) -> bool {
        self.header.has(NF::INITIALISED)
    }

    /// True once a free has started (or is pending).
    pub fn terminating(&self) -> bool {
        self.header.flags.get().intersects(NF::FREE | NF::COLLECT)
    }

    /// Borrows the class data. Class code must drop the borrow before invoking callbacks.
    /// Panics if `T` is not this object's data type or the data is mutably borrowed; use
    /// [`ObjectBox::try_data`] where that can happen.
    #[inline]
    pub fn data<T: 'static>(&self) -> Ref<'_, T> {
        self.try_data()
            .expect("object data of this type, not mutably borrowed")
    }

    /// Mutably borrows the class data (see [`ObjectBox::data`]).
    #[inline]
    pub fn data_mut<T: 'static>(&self) -> RefMut<'_, T> {
        self.try_data_mut()
            .expect("object data of this type, not borrowed")
    }

    #[inline]
    fn holds<T: 'static>(&self) -> Res<()> {
        if self.data_type == TypeId::of::<T>() {
            Ok(())
        } else {
            Err(ERR::LostClass)
        }
    }

    /// Borrows the class data.
    ///
    /// # Errors
    /// LostClass if `T` is not this object's data type; InUse while the data is mutably borrowed.
    #[inline]
    pub fn try_data<T: 'static>(&self) -> Res<Ref<'_, T>> {
        self.holds::<T>()?;
        let r = self.data.try_borrow().map_err(|_| ERR::InUse)?;
        // SAFETY: `data_type` is the TypeId of the value `data` was created with (`new_box`, the
        // only constructor, sets both from one `T`), and it was just found equal to `T`'s: the
        // cast is the one `downcast_ref` would make after the same comparison.
        Ok(Ref::map(r, |d| unsafe {
            &*(d as *const dyn Any as *const T)
        }))
    }

    /// Mutably borrows the class data.
    ///
    /// # Errors
    /// LostClass if `T` is not this object's data type; InUse while the data is borrowed (shared
    /// or mutably).
    #[inline]
    pub fn try_data_mut<T: 'static>(&self) -> Res<RefMut<'_, T>> {
        self.holds::<T>()?;
        let r = self.data.try_borrow_mut().map_err(|_| ERR::InUse)?;
        // SAFETY: as in `try_data`: the data is a `T`.
        Ok(RefMut::map(r, |d| unsafe {
            &mut *(d as *mut dyn Any as *mut T)
        }))
    }

    /// The object's owner, `None` when owned by the task.
    pub fn owner(&self) -> Option<ObjectId> {
        self.header.owner.get()
    }
}

pub(crate) fn new_box<T: Any>(header: Header, data: T) -> ObjectPtr {
    Rc::new(ObjectBox {
        header,
        data_type: TypeId::of::<T>(),
        data: RefCell::new(data),
    })
}
