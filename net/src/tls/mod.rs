//! TLS on rustls (0.23 line). Every rustls call of the project is in this module, so an upgrade
//! touches one place: what configurations share (`config`), clients (`client`) and servers
//! (`server`), certificate verification with OpenSSL-style `ValidCert` codes (`verify`), what a
//! session tells after its handshake (`peer`) and the per-connection session (`session`).
//!
//! A program that already has a rustls configuration hands it over as it is
//! ([`ClientTemplate::from_config`], [`ServerTls::from_config`]); the re-exported [`rustls`]
//! is the version these take.

mod client;
mod config;
mod encrypted;
#[cfg(feature = "pkcs12")]
mod kdf_limits;
mod peer;
mod server;
mod session;
mod verify;

pub use client::{ClientOptions, ClientTemplate};
pub use config::{parse_alpn, parse_sni_identity, provider_name, Identity, ServerIdentity};
pub use peer::{fingerprint, PeerCertificate, TlsInfo};
pub use rustls;
pub use server::{load_server_config, ClientAuth, ServerOptions, ServerTls};
pub use session::TlsSession;
pub use verify::{scv_name, scv_text, SCV};
