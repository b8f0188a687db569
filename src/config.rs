//! Client and server configuration.
