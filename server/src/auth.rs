//! The optional shared token (`--token`) checked on CONNECT.

use std::fmt;

use serde_json::Value;
use subtle::ConstantTimeEq;

/// The error a CONNECT without the right token gets; socketioxide sends its
/// text as the CONNECT_ERROR message, exactly `unauthorized`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unauthorized;

impl fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unauthorized")
    }
}

impl std::error::Error for Unauthorized {}

/// The shared token clients must send as `auth: {token}`.
#[derive(Clone)]
pub struct Token(Vec<u8>);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// The token `secret`.
    pub fn new(secret: &str) -> Self {
        Self(secret.as_bytes().to_vec())
    }

    /// Checks a CONNECT's auth payload: it must be an object whose `token`
    /// is a string equal to this token (compared in constant time).
    pub fn check(&self, auth: Option<&Value>) -> Result<(), Unauthorized> {
        let given = auth
            .and_then(|auth| auth.get("token"))
            .and_then(Value::as_str)
            .ok_or(Unauthorized)?;
        if bool::from(given.as_bytes().ct_eq(&self.0)) {
            Ok(())
        } else {
            Err(Unauthorized)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_exact_token_passes() {
        let token = Token::new("s3cret");
        assert_eq!(token.check(Some(&json!({"token": "s3cret"}))), Ok(()));
        assert_eq!(
            token.check(Some(&json!({"token": "s3cret", "name": "x"}))),
            Ok(())
        );
        for bad in [
            json!({"token": "s3cre"}),
            json!({"token": "s3cret "}),
            json!({"token": "S3CRET"}),
            json!({"token": ""}),
            json!({"token": 1}),
            json!({"tok": "s3cret"}),
            json!("s3cret"),
            json!(null),
            json!([]),
        ] {
            assert_eq!(token.check(Some(&bad)), Err(Unauthorized), "{bad}");
        }
        assert_eq!(token.check(None), Err(Unauthorized));
    }

    #[test]
    fn the_error_text_is_the_contract_word() {
        assert_eq!(Unauthorized.to_string(), "unauthorized");
        assert_eq!(format!("{:?}", Token::new("s3cret")), "Token(…)");
    }
}
