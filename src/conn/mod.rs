//! The public sans-IO connection types.
