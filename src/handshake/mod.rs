//! The handshake state machines, one explicit state enum per side.
