//! Password hashing with Argon2id.

use super::error::ServiceError;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2id cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordCost {
    /// The argon2 crate's defaults, the OWASP recommendation (19 MiB, 2 passes, 1 lane).
    #[default]
    Recommended,
    /// Cheap parameters for automated tests only (1 MiB, 1 pass). Never for real accounts.
    TestOnly,
}

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Recommended => Params::default(),
        PasswordCost::TestOnly => Params::new(1024, 1, 1, None).unwrap_or_default(),
    };
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a random salt (PHC string).
pub fn hash(password: &str, cost: PasswordCost) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher(cost)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash (the hash carries its own parameters).
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Hashes or verifies off the async threads (Argon2 is deliberately slow).
pub async fn hash_blocking(password: String, cost: PasswordCost) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || hash(&password, cost))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// See [`verify`].
pub async fn verify_blocking(password: String, stored: String) -> Result<bool, ServiceError> {
    tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Password rules: at least 10 characters, at most 1024 bytes.
pub fn check_strength(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < 10 {
        return Err(ServiceError::BadRequest(
            "the password must have at least 10 characters".into(),
        ));
    }
    if password.len() > 1024 {
        return Err(ServiceError::BadRequest(
            "the password is too long (1024 bytes at most)".into(),
        ));
    }
    Ok(())
}
