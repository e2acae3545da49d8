//! Parasol's `FD_*` field-descriptor bits, with their exact values (reference §2.2).
//! Several bits mean one thing in class field definitions and another in argument lists;
//! both names are given where that is the case.

#![allow(missing_docs)]

pub const FD_DOUBLE: u32 = 0x8000_0000;
pub const FD_INT: u32 = 0x4000_0000;
pub const FD_UNIT: u32 = 0x2000_0000;
pub const FD_FLOAT: u32 = 0x1000_0000;
pub const FD_POINTER: u32 = 0x0800_0000;
pub const FD_PTR: u32 = FD_POINTER;
pub const FD_INT64: u32 = 0x0400_0000;
pub const FD_FUNCTION: u32 = 0x0200_0000;
pub const FD_BYTE: u32 = 0x0100_0000;
pub const FD_STRING: u32 = 0x0080_0000;
pub const FD_STR: u32 = FD_STRING;
pub const FD_WORD: u32 = 0x0040_0000;
pub const FD_SCALED: u32 = 0x0020_0000;
pub const FD_RGB: u32 = 0x0008_0000;
pub const FD_UNSIGNED: u32 = 0x0004_0000;
pub const FD_SYNONYM: u32 = 0x0002_0000;
pub const FD_SYSTEM: u32 = 0x0001_0000;
pub const FD_PRIVATE: u32 = FD_SYSTEM;
pub const FD_CUSTOM: u32 = 0x0000_8000;
pub const FD_CPP: u32 = 0x0000_4000;
pub const FD_RESOURCE: u32 = 0x0000_2000;
pub const FD_ARRAY: u32 = 0x0000_1000;
pub const FD_ERROR: u32 = 0x0000_0800;
/// Class fields: writable only before Init.
pub const FD_INIT: u32 = 0x0000_0400;
pub const FD_I: u32 = FD_INIT;
/// Argument lists: tag list.
pub const FD_TAGS: u32 = FD_INIT;
/// Class fields: writable at any time.
pub const FD_WRITE: u32 = 0x0000_0200;
pub const FD_W: u32 = FD_WRITE;
/// Argument lists: buffer.
pub const FD_BUFFER: u32 = FD_WRITE;
/// Class fields: readable.
pub const FD_READ: u32 = 0x0000_0100;
pub const FD_R: u32 = FD_READ;
/// Argument lists: result written by the callee.
pub const FD_RESULT: u32 = FD_READ;
/// Class fields: integer named through a lookup table.
pub const FD_LOOKUP: u32 = 0x0000_0080;
/// Argument lists: size of the preceding buffer.
pub const FD_BUFSIZE: u32 = FD_LOOKUP;
/// Class fields: integer bit-flags named through a table.
pub const FD_FLAGS: u32 = 0x0000_0040;
pub const FD_ALLOC: u32 = 0x0000_0020;
pub const FD_STRUCT: u32 = 0x0000_0010;
pub const FD_VIRTUAL: u32 = 0x0000_0008;
pub const FD_LOCAL: u32 = 0x0000_0002;
pub const FD_OBJECT: u32 = 0x0000_0001;
pub const FD_VOID: u32 = 0;

pub const FD_RW: u32 = FD_READ | FD_WRITE;
pub const FD_RI: u32 = FD_READ | FD_INIT;
pub const FD_OBJECTPTR: u32 = FD_POINTER | FD_OBJECT;
pub const FD_OBJECTID: u32 = FD_INT | FD_OBJECT;
pub const FD_FUNCTIONPTR: u32 = FD_POINTER | FD_FUNCTION;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn composites() {
        assert_eq!(FD_RW, 0x300);
        assert_eq!(FD_RI, 0x500);
        assert_eq!(FD_OBJECTPTR, 0x0800_0001);
        assert_eq!(FD_OBJECTID, 0x4000_0001);
        assert_eq!(FD_FUNCTIONPTR, 0x0a00_0000);
    }
}
