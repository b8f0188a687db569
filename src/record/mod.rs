//! The record layer (RFC 5246 §6).
