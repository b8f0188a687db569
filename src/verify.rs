//! Certificate chain verification with rustls-webpki.
