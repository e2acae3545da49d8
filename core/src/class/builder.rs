//! `ClassBuilder`: declares a class (fields, actions, methods) and registers it.

use super::{registry, system_fields::system_fields, MetaClass, CCF, CLASSID};
use crate::ac::AC;
use crate::action::{ActionArgs, ActionFn};
use crate::err::{Res, ERR};
use crate::field::{Field, FieldBuilder, FieldKind};
use crate::method::{ArgSpec, MethodSpec};
use crate::object::{new_box, ObjectPtr};
use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

/// Declares a class whose objects carry data of type `T` (created with `T::default()`).
///
/// ```
/// use parasol_core::prelude::*;
/// use parasol_core::field::{fd::*, FieldKind};
///
/// #[derive(Default)]
/// struct Lamp { watts: i32 }
///
/// ClassBuilder::<Lamp>::new("DocLamp")
///     .field("Watts", FieldKind::Int, FD_RW, |f| {
///         f.get(|l| Value::Int(l.watts)).set(|l, v| { l.watts = v.to_i32()?; Ok(()) })
///     })
///     .register()
///     .unwrap();
/// let lamp = create("DocLamp", fields! { "Watts" => 60 }).unwrap();
/// assert_eq!(lamp.get("Watts").unwrap().to_int(), Ok(60));
/// ```
pub struct ClassBuilder<T> {
    name: String,
    version: f64,
    category: CCF,
    doc: String,
    fields: Vec<Field>,
    actions: Vec<Option<ActionFn>>,
    methods: Vec<MethodSpec>,
    creatable: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T: Default + 'static> ClassBuilder<T> {
    /// Starts a class declaration.
    pub fn new(name: impl Into<String>) -> Self {
        ClassBuilder {
            name: name.into(),
            version: 1.0,
            category: CCF::MISC,
            doc: String::new(),
            fields: Vec::new(),
            actions: (0..AC::END.0).map(|_| None).collect(),
            methods: Vec::new(),
            creatable: true,
            _t: PhantomData,
        }
    }

    /// Class version (Parasol's `ClassVersion`).
    pub fn version(mut self, v: f64) -> Self {
        self.version = v;
        self
    }

    /// Category (`CCF::NETWORK` …).
    pub fn category(mut self, c: CCF) -> Self {
        self.category = c;
        self
    }

    /// One-line description, shown by introspection.
    pub fn doc(mut self, d: impl Into<String>) -> Self {
        self.doc = d.into();
        self
    }

    /// Marks the class as created only by other classes' code (e.g. ClientSocket); `create` by
    /// users still works but the class is expected to refuse Init (`UnsupportedOwner`).
    pub fn internal(mut self) -> Self {
        self.creatable = false;
        self
    }

    /// Declares a field; `configure` adds its getter, setter and table.
    pub fn field(
        mut self,
        name: impl Into<Cow<'static, str>>,
        kind: FieldKind,
        access: u32,
        configure: impl FnOnce(FieldBuilder<T>) -> FieldBuilder<T>,
    ) -> Self {
        self.fields
            .push(configure(FieldBuilder::new(name, kind, access)).into());
        self
    }

    /// Declares a field from a ready builder.
    pub fn field_spec(mut self, f: FieldBuilder<T>) -> Self {
        self.fields.push(f.into());
        self
    }

    /// Implements an action. The routine receives the object and the action's arguments; it must
    /// release any borrow of the object data before invoking callbacks.
    pub fn action(
        mut self,
        ac: AC,
        routine: impl Fn(&ObjectPtr, &mut ActionArgs<'_>) -> ERR + Send + Sync + 'static,
    ) -> Self {
        if ac.is_action() {
            self.actions[ac.0 as usize] = Some(Arc::new(routine));
        } else {
            log::warn!("Class {}: {:?} is not an action id; ignored", self.name, ac);
        }
        self
    }

    /// Adds a method. Method ids are −1, −2 … in declaration order. `args` lists the arguments by
    /// name and type; result arguments are written back by the routine into the value slice.
    pub fn method(
        self,
        name: &'static str,
        args: Vec<ArgSpec>,
        routine: impl Fn(&ObjectPtr, &mut [crate::Value]) -> ERR + Send + Sync + 'static,
    ) -> Self {
        let lowest = self.methods.iter().map(|m| m.id.0).min().unwrap_or(0);
        self.method_at(AC(lowest - 1), name, args, routine)
    }

    /// Adds a method with an explicit (negative) id, to keep Parasol's numbering where a class
    /// skips ids. Later [`ClassBuilder::method`] calls continue below the lowest id used.
    pub fn method_at(
        mut self,
        id: AC,
        name: &'static str,
        args: Vec<ArgSpec>,
        routine: impl Fn(&ObjectPtr, &mut [crate::Value]) -> ERR + Send + Sync + 'static,
    ) -> Self {
        if !id.is_method() || self.methods.iter().any(|m| m.id == id) {
            log::error!(
                "Class {}: method id {:?} is not a free negative id; {name} ignored",
                self.name,
                id
            );
            return self;
        }
        self.methods.push(MethodSpec {
            id,
            name,
            args,
            routine: Arc::new(routine),
            doc: "",
        });
        self
    }

    /// Adds a one-line description to the most recently declared method.
    pub fn method_doc(mut self, doc: &'static str) -> Self {
        if let Some(m) = self.methods.last_mut() {
            m.doc = doc;
        }
        self
    }

    /// Compiles the dictionary (adding system fields, sorting by field id) and registers the
    /// class.
    ///
    /// # Errors
    /// MissingClassName for an empty name; AddClass (logged) if two fields share an id or a class
    /// with the same id (the same name, case-insensitively) is already registered.
    pub fn register(mut self) -> Res<Arc<MetaClass>> {
        if self.name.is_empty() {
            return Err(ERR::MissingClassName);
        }
        for sys in system_fields() {
            if !self.fields.iter().any(|f| f.id == sys.id) {
                self.fields.push(sys);
            }
        }
        self.fields.sort_by_key(|f| f.id);
        if let Some(w) = self.fields.windows(2).find(|w| w[0].id == w[1].id) {
            log::error!(
                "Class {}: fields {} and {} share an id",
                self.name,
                w[0].name,
                w[1].name
            );
            return Err(ERR::AddClass);
        }
        let id = CLASSID::of(&self.name);
        let field_index = super::FieldIndex::build(&self.fields);
        registry::add(MetaClass {
            field_index,
            name: self.name,
            id,
            version: self.version,
            category: self.category,
            doc: self.doc,
            fields: self.fields,
            actions: self.actions,
            methods: self.methods,
            construct: Box::new(|header| new_box(header, T::default())),
            creatable: self.creatable,
        })
    }
}
