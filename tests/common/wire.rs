//! Crafted wire bytes for protocol and attack tests: records, handshake
//! messages, and reading back what a connection queued (all from
//! `tls12::testing`).
#![allow(unused_imports)]

pub use tls12::testing::{
    ccs_record, handshake_msg, hs_record, plaintext_alert, record, split_messages, split_records,
};
