//! The ClientData field every network class has: a free user value, stored as given.

use crate::data::{ClientSocketData, NetClientData, NetSocketData};
use crate::netlookup::NetLookupData;
use parasol_core::field::FieldBuilder;
use parasol_core::Value;

/// Object data with a ClientData slot.
pub(crate) trait HasClientData {
    fn client_data(&self) -> &Value;
    fn client_data_mut(&mut self) -> &mut Value;
}

macro_rules! has_client_data {
    ($($t:ty),*) => {$(
        impl HasClientData for $t {
            fn client_data(&self) -> &Value {
                &self.client_data
            }
            fn client_data_mut(&mut self) -> &mut Value {
                &mut self.client_data
            }
        }
    )*};
}

has_client_data!(
    NetSocketData,
    ClientSocketData,
    NetClientData,
    NetLookupData
);

/// The field's getter, setter and documentation, for `.field("ClientData", FieldKind::Any,
/// FD_RW, client_data::field)`.
pub(crate) fn field<T: HasClientData + 'static>(f: FieldBuilder<T>) -> FieldBuilder<T> {
    f.get(|d| d.client_data().clone())
        .set(|d, v| {
            *d.client_data_mut() = v;
            Ok(())
        })
        .doc("Free user value.")
}
