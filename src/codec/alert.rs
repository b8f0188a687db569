//! The alert message (RFC 5246 §7.2).

use super::Writer;

use super::enums::{AlertDescription, AlertLevel};
use super::{Codec, Reader};
use crate::error::Error;

/// One alert: level and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlertMessage {
    pub level: AlertLevel,
    pub description: AlertDescription,
}

/// `struct { AlertLevel level; AlertDescription description; }`: two bytes.
/// Unknown levels and descriptions decode as `Unknown`; the record layer
/// decides what they mean.
impl<'a> Codec<'a> for AlertMessage {
    fn encode(&self, out: &mut impl Writer) {
        self.level.encode(out);
        self.description.encode(out);
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let level = AlertLevel::decode(r)?;
        let description = AlertDescription::decode(r)?;
        Ok(Self { level, description })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_round_trips() {
        let a = AlertMessage {
            level: AlertLevel::Fatal,
            description: AlertDescription::DecodeError,
        };
        assert_eq!(a.encoded(), [2, 50]);
        assert_eq!(AlertMessage::decode_exact(&[2, 50], "alert"), Ok(a));
        let u = AlertMessage::decode_exact(&[7, 250], "alert").unwrap();
        assert_eq!(u.encoded(), [7, 250]);
    }

    #[test]
    fn alert_truncated_or_trailing_is_decode_error() {
        assert!(matches!(
            AlertMessage::decode_exact(&[], "alert"),
            Err(Error::Decode(_))
        ));
        assert!(matches!(
            AlertMessage::decode_exact(&[2], "alert"),
            Err(Error::Decode(_))
        ));
        assert!(matches!(
            AlertMessage::decode_exact(&[2, 0, 0], "alert"),
            Err(Error::Decode(_))
        ));
    }
}
