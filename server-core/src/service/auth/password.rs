//! The password-hashing pool: argon2id hashing and checking on a fixed number of slots, each with one argon2 memory buffer that is reused, so no number of concurrent logins can grow the server's memory.
//!
//! Why: argon2 needs its whole memory cost (19 MiB with the default parameters) for
//! every hash. Allocating it per call let 48 concurrent wrong-password logins take the
//! server from 20 MB to 600 MB, and the allocator kept it. Here a semaphore admits at
//! most `slots` computations at once (by default one per core: more cannot run faster
//! anyway), each runs on a blocking thread with a buffer taken from a free list, and the
//! buffer goes back to the list afterwards. The memory in use is at most
//! `slots` × 19 MiB, allocated once. Callers wait in the semaphore's fair queue; one that
//! waits longer than the queue timeout gets [`PasswordError::Busy`].
//!
//! Stored hashes stay the PHC strings argon2's own `PasswordHasher` writes
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`): a check takes the algorithm,
//! version, parameters, salt and output length from the stored string, and compares
//! outputs in constant time (`password_hash::Output`'s equality).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

/// Largest argon2 memory (in 1 KiB blocks) a stored hash may ask for: 64 MiB. A slot's
/// buffer grows for such a hash and shrinks back afterwards.
const MAX_BLOCKS: usize = 64 * 1024;

/// How the pool is sized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordSettings {
    /// Computations at once; 0 means one per available core.
    pub slots: usize,
    /// How long a caller may wait for a slot before it is told the server is busy.
    pub queue_timeout: Duration,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        PasswordSettings { slots: 0, queue_timeout: Duration::from_secs(5) }
    }
}

impl PasswordSettings {
    /// The number of slots in effect.
    pub fn effective_slots(&self) -> usize {
        if self.slots > 0 { self.slots } else { std::thread::available_parallelism().map_or(1, usize::from) }
    }
}

/// Why a hash or check did not run.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// No slot became free within the queue timeout.
    #[error("every password-hashing slot stayed busy for {0:?}")]
    Busy(Duration),
    /// Hashing failed (random source, a parameter argon2 refused, a panic).
    #[error("password hashing: {0}")]
    Internal(String),
}

/// The pool. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct PasswordPool {
    inner: Arc<Inner>,
}

struct Inner {
    /// One permit per slot.
    slots: Arc<Semaphore>,
    /// Buffers not in use; never more than the number of slots, since each permit
    /// holder takes at most one.
    free: Arc<Mutex<Vec<Vec<Block>>>>,
    queue_timeout: Duration,
}

impl std::fmt::Debug for PasswordPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordPool").field("free_slots", &self.inner.slots.available_permits()).finish()
    }
}

impl PasswordPool {
    /// A pool as `settings` say. Buffers are allocated on first use.
    pub fn new(settings: &PasswordSettings) -> PasswordPool {
        let slots = settings.effective_slots();
        PasswordPool {
            inner: Arc::new(Inner {
                slots: Arc::new(Semaphore::new(slots)),
                free: Arc::new(Mutex::new(Vec::with_capacity(slots))),
                queue_timeout: settings.queue_timeout,
            }),
        }
    }

    /// An argon2id PHC string for `password` with a fresh 16-byte salt and the default
    /// parameters (the same string argon2's `PasswordHasher` would write).
    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let password = password.as_bytes().to_vec();
        self.run(move |memory| hash_with(memory, &password)).await?
    }

    /// Whether `password` matches the stored PHC string `phc`. A string that does not
    /// parse never matches (and costs no hashing).
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, PasswordError> {
        let (password, phc) = (password.as_bytes().to_vec(), phc.to_string());
        self.run(move |memory| verify_with(memory, &password, &phc)).await
    }

    /// Spend exactly what checking a wrong password costs, for logins of unknown
    /// accounts: timing must not tell which usernames exist.
    pub async fn verify_nothing(&self, password: &str) -> Result<(), PasswordError> {
        self.verify(password, dummy_hash()).await.map(drop)
    }

    /// Run `job` on a blocking thread with a slot's buffer, after waiting (at most the
    /// queue timeout) for the slot. The permit and the buffer move into the blocking
    /// task and are given back when the computation ends, not when this future is
    /// dropped: a client that disconnects mid-login must not free a slot whose thread
    /// is still hashing.
    async fn run<T: Send + 'static>(&self, job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> Result<T, PasswordError> {
        let waited = self.inner.queue_timeout;
        let permit = match tokio::time::timeout(waited, self.inner.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(PasswordError::Internal(closed.to_string())),
            Err(_) => return Err(PasswordError::Busy(waited)),
        };
        let free = self.inner.free.clone();
        let mut memory = free.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
        tokio::task::spawn_blocking(move || {
            let result = job(&mut memory);
            // A buffer grown for an unusual stored hash goes back to the default size.
            if memory.len() > default_blocks() {
                memory.truncate(default_blocks());
                memory.shrink_to_fit();
            }
            free.lock().unwrap_or_else(|e| e.into_inner()).push(memory);
            drop(permit);
            result
        })
        .await
        .map_err(|e| PasswordError::Internal(e.to_string()))
    }
}

/// Blocks of memory the default parameters use.
fn default_blocks() -> usize {
    Params::DEFAULT.block_count()
}

/// Make `memory` at least `blocks` long (zeroed blocks; argon2 overwrites them).
fn ensure_blocks(memory: &mut Vec<Block>, blocks: usize) {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
}

fn hash_with(memory: &mut Vec<Block>, password: &[u8]) -> Result<String, PasswordError> {
    let internal = |e: &dyn std::fmt::Display| PasswordError::Internal(e.to_string());
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| internal(&e))?;
    let salt_text = SaltString::encode_b64(&salt).map_err(|e| internal(&e))?;
    let params = Params::DEFAULT;
    ensure_blocks(memory, params.block_count());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, &mut memory[..])
        .map_err(|e| internal(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| internal(&e))?,
        salt: Some(salt_text.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| internal(&e))?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    if params.block_count() > MAX_BLOCKS {
        tracing::warn!(m_cost = params.m_cost(), "a stored password hash asks for more argon2 memory than allowed; refused");
        return false;
    }
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    ensure_blocks(memory, params.block_count());
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(password, salt, &mut out, &mut memory[..]).is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// A well-formed hash with the default parameters that no password produces (its
/// output is all zeros), checked against for unknown accounts.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::encode_b64(&[0x5a; 16]).expect("16 bytes make a valid salt");
        PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&Params::DEFAULT).expect("the default parameters encode"),
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&[0; Params::DEFAULT_OUTPUT_LEN]).expect("32 bytes make a valid output")),
        }
        .to_string()
    })
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    fn pool(slots: usize, timeout_ms: u64) -> PasswordPool {
        PasswordPool::new(&PasswordSettings { slots, queue_timeout: Duration::from_millis(timeout_ms) })
    }

    #[tokio::test]
    async fn hashes_verify_and_salts_differ() {
        let pool = pool(2, 30_000);
        let a = pool.hash("correct horse").await.unwrap();
        let b = pool.hash("correct horse").await.unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(pool.verify("correct horse", &a).await.unwrap());
        assert!(!pool.verify("wrong horse", &a).await.unwrap());
        assert!(!pool.verify("x", "not a hash").await.unwrap());
        assert!(!pool.verify("x", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ").await.unwrap(), "no output part");
    }

    #[tokio::test]
    async fn hashes_are_compatible_with_argon2s_own_phc_strings_both_ways() {
        let pool = pool(1, 30_000);
        // Written by argon2's `PasswordHasher` (what every stored hash so far is).
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let stock = Argon2::default().hash_password(b"old password", &salt).unwrap().to_string();
        assert!(pool.verify("old password", &stock).await.unwrap());
        assert!(!pool.verify("old passwore", &stock).await.unwrap());
        // Written by the pool, checked by argon2's `PasswordVerifier`.
        let ours = pool.hash("new password").await.unwrap();
        assert!(Argon2::default().verify_password(b"new password", &PasswordHash::new(&ours).unwrap()).is_ok());
        // Other parameters and versions are read from the string.
        let custom = Argon2::new(Algorithm::Argon2i, Version::V0x10, Params::new(4096, 3, 2, Some(24)).unwrap());
        let other = custom.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(pool.verify("pw", &other).await.unwrap(), "{other}");
        assert!(!pool.verify("pW", &other).await.unwrap());
    }

    #[tokio::test]
    async fn the_dummy_hash_parses_and_matches_nothing() {
        let pool = pool(1, 30_000);
        assert!(PasswordHash::new(dummy_hash()).is_ok());
        assert!(!pool.verify("", dummy_hash()).await.unwrap());
        pool.verify_nothing("anything").await.unwrap();
    }

    #[tokio::test]
    async fn buffers_are_reused_and_never_more_than_the_slots() {
        let pool = pool(2, 30_000);
        let hash = pool.hash("pw").await.unwrap();
        let checks: Vec<_> = (0..8).map(|_| pool.verify("nope", &hash)).collect();
        for result in futures_util::future::join_all(checks).await {
            assert!(!result.unwrap());
        }
        let free = pool.inner.free.lock().unwrap();
        assert!(!free.is_empty() && free.len() <= 2, "{} buffers for 2 slots", free.len());
        assert!(free.iter().all(|b| b.len() == default_blocks()));
    }

    #[tokio::test]
    async fn a_caller_that_cannot_get_a_slot_in_time_is_told_busy() {
        let pool = pool(1, 1);
        // Hold the only slot.
        let held = pool.inner.slots.clone().acquire_owned().await.unwrap();
        assert!(matches!(pool.verify_nothing("pw").await, Err(PasswordError::Busy(_))));
        drop(held);
        pool.verify_nothing("pw").await.unwrap();
    }

    #[tokio::test]
    async fn a_dropped_caller_keeps_its_slot_until_the_hash_ends() {
        let pool = pool(1, 30_000);
        // One poll (a zero timeout still polls once) takes the slot and starts the hash
        // on a blocking thread; then the future is dropped, as when a client hangs up.
        let dropped = tokio::time::timeout(Duration::ZERO, pool.hash("pw")).await;
        assert!(dropped.is_err(), "argon2 with 19 MiB does not finish within one poll");
        assert_eq!(pool.inner.slots.available_permits(), 0, "the running hash still holds its slot");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while pool.inner.slots.available_permits() == 0 {
            assert!(tokio::time::Instant::now() < deadline, "the slot never came back");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(pool.hash("pw").await.is_ok());
    }
}
