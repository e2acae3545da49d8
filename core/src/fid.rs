//! `FID_*` field ids for the fields the kernel and the network classes declare: Parasol's
//! `fieldhash` of the name, so they equal the constants of Parasol's `fields.h`.

#![allow(non_upper_case_globals, missing_docs)]

use crate::hash::fieldhash;

macro_rules! fids {
    ($($name:ident),* $(,)?) => {
        paste_fids!($($name),*);
    };
}

macro_rules! paste_fids {
    ($($name:ident),*) => {
        $( pub const $name: u32 = fieldhash(strip_fid(stringify!($name))); )*
    };
}

const fn strip_fid(s: &'static str) -> &'static str {
    // "FID_Port" → "Port"
    let (_, rest) = s.as_bytes().split_at(4);
    match std::str::from_utf8(rest) {
        Ok(r) => r,
        Err(_) => s,
    }
}

fids!(
    FID_Name,
    FID_Owner,
    FID_ID,
    FID_Class,
    FID_ClassID,
    FID_Address,
    FID_Backlog,
    FID_ClientData,
    FID_ClientLimit,
    FID_Clients,
    FID_Error,
    FID_Feedback,
    FID_Flags,
    FID_Handle,
    FID_Incoming,
    FID_MsgLimit,
    FID_OutQueueSize,
    FID_Outgoing,
    FID_Port,
    FID_SocketLimit,
    FID_State,
    FID_TotalClients,
    FID_ValidCert,
    FID_SSLCertificate,
    FID_SSLPrivateKey,
    FID_SSLKeyPassword,
    FID_Client,
    FID_Next,
    FID_Prev,
    FID_ConnectTime,
    FID_IP,
    FID_Connections,
    FID_TotalConnections,
);

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fids_match_parasol() {
        assert_eq!(FID_Port, 0x7c9c614a);
        assert_eq!(FID_ClientData, 0x38ef793e);
        assert_eq!(FID_SSLCertificate, 0xed7f1f1a);
        assert_eq!(FID_ID, 0x00597832);
    }
}
