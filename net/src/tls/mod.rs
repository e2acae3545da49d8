//! TLS on rustls (0.23 line). Every rustls call of the project is in this module, so an upgrade
//! touches one place: configuration (`config`), certificate verification with OpenSSL-style
//! `ValidCert` codes (`verify`) and the per-connection session (`session`).

mod config;
mod encrypted;
#[cfg(feature = "pkcs12")]
mod kdf_limits;
mod session;
mod verify;

pub use config::{load_server_config, provider_name, ClientTemplate, ServerIdentity, ServerTls};
pub use session::TlsSession;
pub use verify::{scv_name, SCV};
