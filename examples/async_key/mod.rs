//! `--async-key` for `examples/server.rs` and `examples/client.rs`: the
//! private key lives in a thread standing in for an HSM, and the handshake
//! pauses for its signature (or, for a server's RSA key transport, its
//! decryption of the premaster secret) and resumes when it answers, through
//! [`Connection::operation`] and [`Connection::complete_operation`] (see
//! the library's `keyop` module). The connection never sees the key.
//!
//! [`Hsm::start`] loads the key and starts the thread; [`complete_handshake`]
//! drives a connection's handshake over a blocking socket, asking the HSM
//! whenever the connection pauses. Once it returns, hand the connection to
//! [`tls12::Stream`] as usual.

use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::PrivateKeyDer;
use tls12::{Answer, Connection, Event, KeyType, OperationKind, SignatureScheme};

/// How long the HSM takes to answer, so that the pause is real.
pub const DELAY: Duration = Duration::from_millis(20);

/// How long a connection waits for the HSM before giving up.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A request to the HSM thread: sign `message` with `scheme` (or decrypt
/// it, for `None`), answer on `reply`.
struct Request {
    scheme: Option<SignatureScheme>,
    message: Vec<u8>,
    reply: mpsc::Sender<Answer>,
}

/// The handle to the HSM thread; clone it for each connection.
#[derive(Clone)]
pub struct Hsm {
    requests: mpsc::Sender<Request>,
    key_type: KeyType,
}

/// A private key as ring holds it.
enum Key {
    EcdsaP256(EcdsaKeyPair),
    EcdsaP384(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    /// ring signs; the `rsa` crate decrypts (RSA key transport). Its
    /// decryption is not constant-time (RUSTSEC-2023-0071, Marvin): it
    /// stands in for an HSM here and must not in production.
    Rsa(RsaKeyPair, Box<rsa::RsaPrivateKey>),
}

impl Hsm {
    /// Loads the PEM private key at `path` (PKCS#8; PKCS#1 for RSA) and
    /// starts the thread that holds it.
    pub fn start(path: &str) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_file(path).map_err(|e| format!("reading {path}: {e}"))?;
        let key = load(&der).map_err(|e| format!("{path}: {e}"))?;
        let key_type = match key {
            Key::EcdsaP256(_) => KeyType::EcdsaP256,
            Key::EcdsaP384(_) => KeyType::EcdsaP384,
            Key::Ed25519(_) => KeyType::Ed25519,
            Key::Rsa(..) => KeyType::Rsa,
        };
        let (requests, inbox) = mpsc::channel::<Request>();
        std::thread::spawn(move || {
            // The key never leaves this thread: only signatures do.
            for request in inbox {
                std::thread::sleep(DELAY);
                let answer = match request.scheme {
                    Some(scheme) => match sign(&key, scheme, &request.message) {
                        Some(signature) => Answer::Signature(signature.into()),
                        None => Answer::Failed,
                    },
                    None => decrypt(&key, &request.message),
                };
                // The connection may have given up meanwhile.
                let _ = request.reply.send(answer);
            }
        });
        Ok(Self { requests, key_type })
    }

    /// The kind of key held, for `ServerConfig::with_caller_key` and
    /// `ClientConfig::add_client_certificate_with_caller_key`.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// Sends a request; the answer comes on the returned channel.
    fn ask(&self, scheme: Option<SignatureScheme>, message: Vec<u8>) -> mpsc::Receiver<Answer> {
        let (reply, answer) = mpsc::channel();
        // If the thread is gone, `reply` is dropped and the caller sees it.
        let _ = self.requests.send(Request {
            scheme,
            message,
            reply,
        });
        answer
    }
}

/// Finds which of ring's key types `der` is.
fn load(der: &PrivateKeyDer<'_>) -> Result<Key, &'static str> {
    let rng = SystemRandom::new();
    match der {
        PrivateKeyDer::Pkcs8(pkcs8) => {
            let pkcs8 = pkcs8.secret_pkcs8_der();
            if let Ok(key) =
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            {
                Ok(Key::EcdsaP256(key))
            } else if let Ok(key) =
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, pkcs8, &rng)
            {
                Ok(Key::EcdsaP384(key))
            } else if let Ok(key) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8) {
                Ok(Key::Ed25519(key))
            } else if let Ok(key) = RsaKeyPair::from_pkcs8(pkcs8) {
                use rsa::pkcs8::DecodePrivateKey;
                let decrypting = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8)
                    .map_err(|_| "an RSA key the rsa crate does not read")?;
                Ok(Key::Rsa(key, Box::new(decrypting)))
            } else {
                Err("not a P-256, P-384, Ed25519 or RSA key that ring accepts")
            }
        }
        PrivateKeyDer::Pkcs1(pkcs1) => {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            let key = RsaKeyPair::from_der(pkcs1.secret_pkcs1_der())
                .map_err(|_| "not an RSA key that ring accepts")?;
            let decrypting = rsa::RsaPrivateKey::from_pkcs1_der(pkcs1.secret_pkcs1_der())
                .map_err(|_| "an RSA key the rsa crate does not read")?;
            Ok(Key::Rsa(key, Box::new(decrypting)))
        }
        _ => Err("--async-key needs a PKCS#8 key (or PKCS#1 for RSA): \
                  `openssl pkcs8 -topk8 -nocrypt` converts a SEC1 one"),
    }
}

/// Signs `message` as `scheme` says, or `None` if ring cannot: ring signs
/// ECDSA only with the curve's own hash, so a P-256 key asked for
/// ecdsa_secp384r1_sha384 (a peer that offers only that) or a P-384 key
/// asked for ecdsa_secp256r1_sha256 answers `Failed`.
fn sign(key: &Key, scheme: SignatureScheme, message: &[u8]) -> Option<Vec<u8>> {
    use SignatureScheme as S;
    let rng = SystemRandom::new();
    match (key, scheme) {
        (Key::EcdsaP256(key), S::EcdsaSecp256r1Sha256)
        | (Key::EcdsaP384(key), S::EcdsaSecp384r1Sha384) => {
            Some(key.sign(&rng, message).ok()?.as_ref().to_vec())
        }
        (Key::Ed25519(key), S::Ed25519) => Some(key.sign(message).as_ref().to_vec()),
        (Key::Rsa(key, _), scheme) => {
            let padding: &dyn signature::RsaEncoding = match scheme {
                S::RsaPssRsaeSha256 => &signature::RSA_PSS_SHA256,
                S::RsaPssRsaeSha384 => &signature::RSA_PSS_SHA384,
                S::RsaPssRsaeSha512 => &signature::RSA_PSS_SHA512,
                S::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                S::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                S::RsaPkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
                _ => return None,
            };
            let mut out = vec![0; key.public().modulus_len()];
            key.sign(padding, &rng, message, &mut out).ok()?;
            Some(out)
        }
        _ => None,
    }
}

/// RSAES-PKCS1-v1_5 decryption of the client's encrypted premaster secret
/// (RSA key transport). A failure is answered `Failed`, which the library
/// turns into a random premaster (RFC 5246 §7.4.7.1): the client only sees
/// its Finished fail.
fn decrypt(key: &Key, ciphertext: &[u8]) -> Answer {
    match key {
        Key::Rsa(_, key) => match key.decrypt(rsa::Pkcs1v15Encrypt, ciphertext) {
            Ok(plaintext) => Answer::Decrypted(plaintext.into()),
            Err(_) => Answer::Failed,
        },
        _ => Answer::Failed,
    }
}

/// Drives `conn`'s handshake over the blocking `sock` to its end. When the
/// connection pauses for a signature (`Event::Operation`), the request goes
/// to `hsm` and the connection waits for the answer: what it queued before
/// the pause is sent first, and what the peer sends meanwhile stays in the
/// socket (or, once read, is held by the connection) until it resumes.
///
/// On error, `conn.error()` says what failed; any alert is already sent.
pub fn complete_handshake(
    conn: &mut Connection,
    sock: &mut (impl Read + Write),
    hsm: &Hsm,
) -> io::Result<()> {
    let mut buf = vec![0u8; 18 * 1024]; // a whole record fits
    flush(conn, sock)?;
    while conn.is_handshaking() {
        let n = sock.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        // The connection takes every byte here (holding them while paused):
        // it takes fewer only with its plaintext buffer full (64 KiB by
        // default, more than one read) or after close_notify (nothing after
        // it counts). Application data that follows the peer's Finished in
        // this read stays buffered in the connection for `Stream`.
        let result = conn.receive(&buf[..n]);
        flush(conn, sock)?; // our reply, or the alert on error
        result.map_err(to_io)?;
        while let Some(event) = conn.next_event() {
            if let Event::Operation { id, .. } = event {
                let answer = ask_hsm(conn, hsm);
                let result = conn.complete_operation(id, answer);
                flush(conn, sock)?;
                result.map_err(to_io)?;
            }
        }
    }
    Ok(())
}

/// Sends the pending operation to the HSM and waits for the answer; an HSM
/// that does not answer in time gets the handshake failed (internal_error
/// for the peer) rather than left hanging.
fn ask_hsm(conn: &Connection, hsm: &Hsm) -> Answer {
    let op = conn.operation().expect("an Operation event is pending");
    let len = op.message().len();
    let asked = Instant::now();
    // Only signatures and decryptions are configured here (no verifier, no
    // chooser).
    if op.kind() == OperationKind::Decrypt {
        let answer = hsm.ask(None, op.message().to_vec()).recv_timeout(TIMEOUT);
        let ms = asked.elapsed().as_millis();
        let (said, answer) = match answer {
            Ok(answer @ Answer::Decrypted(_)) => ("answered", answer),
            Ok(_) => (
                "failed (the library goes on with a random premaster)",
                Answer::Failed,
            ),
            Err(_) => ("gave no answer", Answer::Failed),
        };
        eprintln!("async-key: decrypting the premaster secret ({len} bytes), {said} after {ms} ms");
        return answer;
    }
    let Some(scheme) = op.scheme() else {
        eprintln!("async-key: not a signature: {:?}", op.kind());
        return Answer::Failed;
    };
    let name = scheme.name().unwrap_or("an unknown scheme");
    let answer = hsm
        .ask(Some(scheme), op.message().to_vec())
        .recv_timeout(TIMEOUT);
    let ms = asked.elapsed().as_millis();
    match answer {
        Ok(Answer::Signature(signature)) => {
            eprintln!("async-key: signing with {name} ({len} bytes), answered after {ms} ms");
            Answer::Signature(signature)
        }
        Ok(_) => {
            eprintln!(
                "async-key: cannot sign with {name} ({len} bytes; ring signs ECDSA only with \
                 the curve's own hash), answered Failed after {ms} ms"
            );
            Answer::Failed
        }
        Err(e) => {
            eprintln!("async-key: no answer for {name} ({len} bytes) after {ms} ms: {e}");
            Answer::Failed
        }
    }
}

fn flush(conn: &mut Connection, sock: &mut impl Write) -> io::Result<()> {
    while conn.wants_write() {
        let n = sock.write(conn.pending_output())?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        conn.consume_output(n);
    }
    sock.flush()
}

fn to_io(e: tls12::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}
