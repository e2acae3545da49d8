//! Parasol's name hashes, bit-exact (reference §1.3, §2.5): all are 32-bit djb2
//! (`h = h * 33 + byte`, seed 5381) over different normalisations of the name.

/// Case-sensitive djb2 (`strhash`).
pub const fn strhash(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut h: u32 = 5381;
    let mut i = 0;
    while i < b.len() {
        h = h.wrapping_mul(33).wrapping_add(b[i] as u32);
        i += 1;
    }
    h
}

/// Case-insensitive djb2 (`strihash`): ASCII A–Z folded to lower case. Class ids use it.
pub const fn strihash(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut h: u32 = 5381;
    let mut i = 0;
    while i < b.len() {
        h = h
            .wrapping_mul(33)
            .wrapping_add(b[i].to_ascii_lowercase() as u32);
        i += 1;
    }
    h
}

/// Field-name hash (`fieldhash`): the leading run of capitals is lowered Tiri-style, the rest is
/// hashed verbatim, so `Port`, `port` and `PORT` agree but `clientdata` differs from `ClientData`.
/// The first character is lowered; each following capital is lowered only while the next
/// character is also a capital or the end of the name (`SSLCertificate` → `sslCertificate`).
pub const fn fieldhash(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut h: u32 = 5381;
    let mut i = 0;
    let mut in_caps_run = true;
    while i < b.len() {
        let c = b[i];
        let folded = if i == 0 {
            c.to_ascii_lowercase()
        } else if in_caps_run && c.is_ascii_uppercase() {
            let next_upper_or_end = i + 1 >= b.len() || b[i + 1].is_ascii_uppercase();
            if next_upper_or_end {
                c.to_ascii_lowercase()
            } else {
                in_caps_run = false;
                c
            }
        } else {
            in_caps_run = false;
            c
        };
        if i == 0 && !c.is_ascii_uppercase() {
            in_caps_run = false;
        }
        h = h.wrapping_mul(33).wrapping_add(folded as u32);
        i += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_ids_match_parasol_registry() {
        assert_eq!(strihash("NetSocket"), 0x2b439bb5);
        assert_eq!(strihash("ClientSocket"), 0xa14972ed);
        assert_eq!(strihash("NetClient"), 0x05bdfa0b);
        assert_eq!(strihash("MetaClass"), 0x8bf5f002);
        assert_eq!(strihash("netsocket"), strihash("NETSOCKET"));
    }

    #[test]
    fn field_ids_match_parasol_fields_h() {
        let cases = [
            ("Port", 0x7c9c614a),
            ("Flags", 0x0f71a6d2),
            ("Name", 0x7c9b0c46),
            ("Feedback", 0xef8a14aa),
            ("Incoming", 0x653e9df9),
            ("ClientData", 0x38ef793e),
            ("SSLCertificate", 0xed7f1f1a),
            ("SSLPrivateKey", 0xc4dc305b),
            ("SSLKeyPassword", 0xc5cb4293),
            ("Clients", 0xcc179277),
            ("Address", 0x1f2653eb),
            ("State", 0x10614a06),
            ("Error", 0x0f6321ef),
            ("TotalClients", 0x26e26bdb),
            ("Backlog", 0x650b44d8),
            ("ClientLimit", 0x5773abc3),
            ("SocketLimit", 0xd332e7ad),
            ("MsgLimit", 0x9e02490b),
            ("MaxPacketSize", 0x2c9a10de),
            ("MulticastTTL", 0x36e50e2f),
            ("Handle", 0x0190d871),
            ("Outgoing", 0x30b94bf1),
            ("OutQueueSize", 0xa6bf6e3d),
            ("Owner", 0x101ac290),
            ("ID", 0x00597832),
            ("Class", 0x0f3b5edb),
            ("ClassID", 0xcb8e8b48),
        ];
        for (name, id) in cases {
            assert_eq!(fieldhash(name), id, "{name}");
        }
    }

    #[test]
    fn field_hash_case_rules() {
        assert_eq!(fieldhash("Port"), fieldhash("port"));
        assert_eq!(fieldhash("PORT"), fieldhash("port"));
        assert_eq!(fieldhash("ClientData"), strhash("clientData"));
        assert_ne!(fieldhash("clientdata"), fieldhash("ClientData"));
        assert_eq!(fieldhash("UID"), strhash("uid"));
        assert_eq!(fieldhash("RGBValue"), strhash("rgbValue"));
        assert_eq!(fieldhash("XOffset"), strhash("xOffset"));
        assert_eq!(fieldhash("MulticastTTL"), strhash("multicastTTL"));
    }

    #[test]
    fn action_hashes() {
        assert_eq!(strihash("Activate"), 0xdbaf4876);
        assert_eq!(strihash("Write"), 0x10a8b550);
    }
}
