//! Values a configuration or an error holds either borrowed for `'static`
//! or owned on the heap: [`List`], [`Shared`] and [`Text`].
//!
//! One type serves both builds. With the `alloc` feature (on by default) a
//! value may be owned (`Vec`, `Arc`, `String`); without it, on a device with
//! no allocator, the same field takes a `'static` borrow (a `static` array,
//! a key in a static cell). Code written for the build without `alloc`
//! compiles unchanged with it.

#[cfg(feature = "alloc")]
use alloc::{string::String, sync::Arc, vec::Vec};
use core::fmt;
use core::ops::Deref;

/// A read-only list: a `'static` slice, or (with `alloc`) a `Vec`.
///
/// ```
/// use tls12::{CipherSuite, ClientConfig, RootCertStore};
///
/// let mut config = ClientConfig::new(RootCertStore::empty());
/// // Borrowed from a constant: no allocation.
/// config.cipher_suites = [CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256].as_slice().into();
/// // Owned.
/// config.cipher_suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384].into();
/// // Edited in place (copied to the heap first if it was borrowed).
/// config.cipher_suites.to_mut().push(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
/// assert_eq!(config.cipher_suites.len(), 2);
/// ```
pub struct List<T: 'static>(ListRepr<T>);

enum ListRepr<T: 'static> {
    Static(&'static [T]),
    #[cfg(feature = "alloc")]
    Owned(Vec<T>),
}

impl<T> List<T> {
    /// A list borrowed from `items` (usable in a `const` or `static`).
    pub const fn from_static(items: &'static [T]) -> Self {
        Self(ListRepr::Static(items))
    }

    /// The empty list.
    pub const fn empty() -> Self {
        Self(ListRepr::Static(&[]))
    }

    /// `items` for an error's report: copied with `alloc`, empty without
    /// (there is nowhere to copy them to).
    #[cfg_attr(not(feature = "alloc"), allow(unused_variables))]
    pub(crate) fn collected(items: impl IntoIterator<Item = T>) -> Self {
        #[cfg(feature = "alloc")]
        return Self(ListRepr::Owned(items.into_iter().collect()));
        #[cfg(not(feature = "alloc"))]
        Self::empty()
    }

    /// The list as a slice.
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            ListRepr::Static(items) => items,
            #[cfg(feature = "alloc")]
            ListRepr::Owned(items) => items,
        }
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone> List<T> {
    /// The list as a `Vec` to edit, copying a borrowed list first.
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        match self.0 {
            ListRepr::Owned(ref mut items) => items,
            ListRepr::Static(items) => {
                self.0 = ListRepr::Owned(items.to_vec());
                self.to_mut()
            }
        }
    }

    /// Appends `items` (copying a borrowed list first).
    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        self.to_mut().extend(items);
    }
}

impl List<u8> {
    /// A copy of `bytes` that a paused handshake keeps for its caller.
    /// Without `alloc` there is nowhere to keep it: configurations refuse
    /// what would pause (caller-held keys, verifiers and choosers that ask
    /// the caller), so this error names a path that cannot be taken.
    pub(crate) fn heap_copy(bytes: &[u8]) -> Result<Self, crate::Error> {
        #[cfg(feature = "alloc")]
        return Ok(Self(ListRepr::Owned(bytes.to_vec())));
        #[cfg(not(feature = "alloc"))]
        {
            let _ = bytes;
            Err(crate::Error::Internal(
                "a paused handshake keeps a copy, which needs the alloc feature",
            ))
        }
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> AsRef<[T]> for List<T> {
    fn as_ref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Clone> Clone for List<T> {
    fn clone(&self) -> Self {
        match &self.0 {
            ListRepr::Static(items) => Self(ListRepr::Static(items)),
            #[cfg(feature = "alloc")]
            ListRepr::Owned(items) => Self(ListRepr::Owned(items.clone())),
        }
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for List<T> {}

impl<T: PartialEq> PartialEq<[T]> for List<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T; N]> for List<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.as_slice() == other
    }
}

#[cfg(feature = "alloc")]
impl<T: PartialEq> PartialEq<Vec<T>> for List<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T> From<&'static [T]> for List<T> {
    fn from(items: &'static [T]) -> Self {
        Self::from_static(items)
    }
}

impl<T, const N: usize> From<&'static [T; N]> for List<T> {
    fn from(items: &'static [T; N]) -> Self {
        Self::from_static(items)
    }
}

#[cfg(feature = "alloc")]
impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> Self {
        Self(ListRepr::Owned(items))
    }
}

/// ALPN protocol names and other lists of byte strings, owned.
#[cfg(feature = "alloc")]
impl From<Vec<Vec<u8>>> for List<List<u8>> {
    fn from(items: Vec<Vec<u8>>) -> Self {
        Self(ListRepr::Owned(items.into_iter().map(List::from).collect()))
    }
}

#[cfg(feature = "alloc")]
impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(ListRepr::Owned(iter.into_iter().collect()))
    }
}

/// ALPN protocol names, owned.
#[cfg(feature = "alloc")]
impl FromIterator<Vec<u8>> for List<List<u8>> {
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(iter: I) -> Self {
        Self(ListRepr::Owned(iter.into_iter().map(List::from).collect()))
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// A value shared by the connections that use it: a `'static` reference, or
/// (with `alloc`) an `Arc`. Trait objects ([`RandomSource`](crate::RandomSource),
/// [`PskStore`](crate::psk::PskStore)) convert from either.
///
/// ```
/// use std::sync::Arc;
/// use tls12::psk::{Psk, PskMap};
/// use tls12::{ServerConfig, Shared};
///
/// let mut keys = PskMap::new();
/// keys.insert(b"device-1", Psk::new(&[0x42; 32]).unwrap()).unwrap();
/// let config = ServerConfig::with_psk(Arc::new(keys));
/// # let _ = config;
/// ```
pub struct Shared<T: ?Sized + 'static>(SharedRepr<T>);

enum SharedRepr<T: ?Sized + 'static> {
    Static(&'static T),
    #[cfg(feature = "alloc")]
    Arc(Arc<T>),
}

impl<T: ?Sized> Shared<T> {
    /// Shares `value`, which lives for the whole program.
    pub const fn from_static(value: &'static T) -> Self {
        Self(SharedRepr::Static(value))
    }
}

impl<T: ?Sized> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.0 {
            SharedRepr::Static(value) => value,
            #[cfg(feature = "alloc")]
            SharedRepr::Arc(value) => value,
        }
    }
}

impl<T: ?Sized> AsRef<T> for Shared<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        match &self.0 {
            SharedRepr::Static(value) => Self(SharedRepr::Static(value)),
            #[cfg(feature = "alloc")]
            SharedRepr::Arc(value) => Self(SharedRepr::Arc(Arc::clone(value))),
        }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> From<&'static T> for Shared<T> {
    fn from(value: &'static T) -> Self {
        Self::from_static(value)
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized> From<Arc<T>> for Shared<T> {
    fn from(value: Arc<T>) -> Self {
        Self(SharedRepr::Arc(value))
    }
}

/// `Shared<dyn Trait>` from an `Arc` or a `'static` reference to a type
/// implementing it; invoked beside each trait.
macro_rules! shared_dyn {
    ($t:path) => {
        impl<S: $t + 'static> From<&'static S> for $crate::shared::Shared<dyn $t> {
            fn from(value: &'static S) -> Self {
                $crate::shared::Shared::from_static(value)
            }
        }
        #[cfg(feature = "alloc")]
        impl<S: $t + 'static> From<alloc::sync::Arc<S>> for $crate::shared::Shared<dyn $t> {
            fn from(value: alloc::sync::Arc<S>) -> Self {
                let value: alloc::sync::Arc<dyn $t> = value;
                $crate::shared::Shared::from(value)
            }
        }
    };
}
pub(crate) use shared_dyn;

/// A configuration's own entries (certificate chains, pre-shared keys):
/// any number with `alloc`; without it, one, held inline, and adding a
/// second is a configuration error.
#[derive(Debug)]
#[cfg_attr(feature = "alloc", derive(Clone))]
pub(crate) struct Entries<T>(
    #[cfg(feature = "alloc")] Vec<T>,
    #[cfg(not(feature = "alloc"))] Option<T>,
);

impl<T> Entries<T> {
    pub(crate) const fn new() -> Self {
        #[cfg(feature = "alloc")]
        return Self(Vec::new());
        #[cfg(not(feature = "alloc"))]
        Self(None)
    }

    /// Adds `entry`; `what` names it for the error when there is no room.
    pub(crate) fn push(&mut self, entry: T, what: &'static str) -> Result<(), crate::Error> {
        #[cfg(feature = "alloc")]
        {
            let _ = what;
            self.0.push(entry);
            Ok(())
        }
        #[cfg(not(feature = "alloc"))]
        match self.0 {
            None => {
                self.0 = Some(entry);
                Ok(())
            }
            Some(_) => Err(crate::Error::Config(Text::from(what))),
        }
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        self.0.as_slice()
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        self.0.as_mut_slice()
    }
}

impl<T> Deref for Entries<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> core::ops::DerefMut for Entries<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

/// Bytes a connection holds on the heap while it waits: data written
/// before the handshake completes, input that arrives while it is paused
/// for the caller. Without `alloc` it holds nothing and takes nothing: such
/// data waits with the caller (`send` takes 0 bytes until the handshake
/// completes; nothing pauses).
#[derive(Default)]
pub(crate) struct HeapBytes(#[cfg(feature = "alloc")] Vec<u8>);

impl HeapBytes {
    pub(crate) fn as_slice(&self) -> &[u8] {
        #[cfg(feature = "alloc")]
        return &self.0;
        #[cfg(not(feature = "alloc"))]
        &[]
    }

    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// Appends as much of `bytes` as it can hold: all with `alloc`, none
    /// without. Returns how many.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> usize {
        #[cfg(feature = "alloc")]
        {
            self.0.extend_from_slice(bytes);
            bytes.len()
        }
        #[cfg(not(feature = "alloc"))]
        {
            let _ = bytes;
            0
        }
    }

    /// Puts `bytes` back in front of what it holds.
    pub(crate) fn prepend(&mut self, bytes: &[u8]) {
        #[cfg(feature = "alloc")]
        self.0.splice(0..0, bytes.iter().copied());
        #[cfg(not(feature = "alloc"))]
        let _ = bytes;
    }

    /// Everything held, leaving it empty (and without an allocation).
    pub(crate) fn take(&mut self) -> Self {
        core::mem::take(self)
    }
}

/// What a connection boxes so that its struct stays small (a failure, the
/// exporter's secret): a `Box` with `alloc`; without it, the value inline
/// (the connection then lives wherever its caller put it).
#[cfg(feature = "alloc")]
pub(crate) type Boxed<T> = alloc::boxed::Box<T>;

/// See the `alloc` version.
#[cfg(not(feature = "alloc"))]
pub(crate) struct Boxed<T>(T);

#[cfg(not(feature = "alloc"))]
impl<T> Boxed<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(value)
    }
}

/// The value out of its [`Boxed`] (a `Box` comes in by value on purpose:
/// the box is freed here).
#[allow(clippy::boxed_local)]
pub(crate) fn unboxed<T>(boxed: Boxed<T>) -> T {
    #[cfg(feature = "alloc")]
    return *boxed;
    #[cfg(not(feature = "alloc"))]
    boxed.0
}

#[cfg(not(feature = "alloc"))]
impl<T> Deref for Boxed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(not(feature = "alloc"))]
impl<T> core::ops::DerefMut for Boxed<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// What only the heap can hold (a handshake's state when no slot was
/// lent): a `Box` with `alloc`; without it, a type with no values, so that
/// the code that would use one compiles and is never reached.
#[cfg(feature = "alloc")]
pub(crate) type HeapOnly<T> = alloc::boxed::Box<T>;

/// See the `alloc` version.
#[cfg(not(feature = "alloc"))]
pub(crate) enum HeapOnly<T: ?Sized> {
    #[allow(dead_code)]
    Never(core::convert::Infallible, core::marker::PhantomData<T>),
}

#[cfg(not(feature = "alloc"))]
impl<T: ?Sized> Deref for HeapOnly<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Self::Never(never, _) => match *never {},
        }
    }
}

#[cfg(not(feature = "alloc"))]
impl<T: ?Sized> core::ops::DerefMut for HeapOnly<T> {
    fn deref_mut(&mut self) -> &mut T {
        match self {
            Self::Never(never, _) => match *never {},
        }
    }
}

/// A message: a `'static` string, or (with `alloc`) a `String` made for
/// the occasion. It dereferences to `str`. Without `alloc`, a message that
/// would name values is its wording alone: displayed with `…` where the
/// values would be.
#[derive(Clone)]
pub struct Text(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Static(&'static str),
    /// A format string whose `{…}` places were not filled.
    #[cfg(not(feature = "alloc"))]
    Unfilled(&'static str),
    #[cfg(feature = "alloc")]
    Owned(String),
}

impl Text {
    /// The message as a `str` (unfilled places as `{…}`).
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TextRepr::Static(s) => s,
            #[cfg(not(feature = "alloc"))]
            TextRepr::Unfilled(s) => s,
            #[cfg(feature = "alloc")]
            TextRepr::Owned(s) => s,
        }
    }

    /// A format string's wording, for `text!` without `alloc`.
    #[cfg(not(feature = "alloc"))]
    pub(crate) const fn unfilled(format: &'static str) -> Self {
        Self(TextRepr::Unfilled(format))
    }
}

impl Text {
    /// `text` for a record that needs its own copy: copied with `alloc`,
    /// empty without (where nothing keeps such records).
    pub(crate) fn copied(text: &str) -> Self {
        #[cfg(feature = "alloc")]
        return Self(TextRepr::Owned(String::from(text)));
        #[cfg(not(feature = "alloc"))]
        {
            let _ = text;
            Self::from("")
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(not(feature = "alloc"))]
        if let TextRepr::Unfilled(format) = self.0 {
            // `{{` and `}}` are literal braces; any other `{…}` is a place.
            let mut rest = format;
            while let Some(at) = rest.find(['{', '}']) {
                let (before, from) = rest.split_at(at);
                f.write_str(before)?;
                rest = match (from.get(..2), from.find('}')) {
                    (Some("{{"), _) => {
                        f.write_str("{")?;
                        from.get(2..).unwrap_or_default()
                    }
                    (Some("}}"), _) => {
                        f.write_str("}")?;
                        from.get(2..).unwrap_or_default()
                    }
                    (_, Some(end)) if from.starts_with('{') => {
                        f.write_str("…")?;
                        from.get(end + 1..).unwrap_or_default()
                    }
                    _ => {
                        f.write_str(from.get(..1).unwrap_or_default())?;
                        from.get(1..).unwrap_or_default()
                    }
                };
            }
            return f.write_str(rest);
        }
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Self(TextRepr::Static(s))
    }
}

#[cfg(feature = "alloc")]
impl From<String> for Text {
    fn from(s: String) -> Self {
        Self(TextRepr::Owned(s))
    }
}

/// A message for an error: formatted with `alloc`; without it, the format
/// string itself, which names the same thing without the values.
macro_rules! text {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{
        #[cfg(feature = "alloc")]
        let text = $crate::shared::Text::from(alloc::format!($fmt $(, $arg)*));
        // Nothing is formatted; the closure, never called, only marks the
        // values (named or captured) as used.
        #[cfg(not(feature = "alloc"))]
        let text = {
            let _ = || {
                let _ = ::core::format_args!($fmt $(, $arg)*);
            };
            $crate::shared::Text::unfilled($fmt)
        };
        text
    }};
}
pub(crate) use text;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn a_borrowed_list_is_copied_before_an_edit() {
        static ITEMS: [u8; 2] = [1, 2];
        let mut list = List::from_static(&ITEMS);
        assert_eq!(list, [1, 2]);
        list.to_mut().push(3);
        assert_eq!(list, [1, 2, 3]);
        assert_eq!(ITEMS, [1, 2]);
        let owned: List<u8> = vec![4].into();
        assert_eq!(owned.clone(), [4]);
        assert_eq!(alloc::format!("{owned:?}"), "[4]");
    }

    #[test]
    fn byte_string_lists_convert_from_nested_vecs() {
        let alpn: List<List<u8>> = vec![b"h2".to_vec(), b"http/1.1".to_vec()].into();
        assert_eq!(alpn.len(), 2);
        assert_eq!(&*alpn[1], b"http/1.1");
    }

    #[test]
    fn text_compares_and_prints_as_its_string() {
        let made: Text = alloc::string::String::from("made").into();
        assert_eq!(made, "made");
        assert_eq!(
            alloc::format!("{made:?} {}", Text::from("static")),
            "\"made\" static"
        );
        let n = 3;
        assert_eq!(text!("{n} items"), "3 items");
    }
}
