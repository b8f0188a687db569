//! The alert message (RFC 5246 §7.2).

use super::enums::{AlertDescription, AlertLevel};

/// One alert: level and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlertMessage {
    pub level: AlertLevel,
    pub description: AlertDescription,
}
