//! `--token`: CONNECT must carry `auth: {token}`, else CONNECT_ERROR
//! `unauthorized`.

mod common;

use common::polling::Polling;
use common::ServerProcess;
use serde_json::json;

#[test]
fn without_the_right_token_connect_error_is_unauthorized() {
    let server = ServerProcess::start(&["--token", "s3cret"]);
    for auth in [
        None,
        Some(json!({})),
        Some(json!({"token": "wrong"})),
        Some(json!({"token": "s3cret!"})),
        Some(json!({"token": 1})),
    ] {
        let mut client = Polling::open(server.authority());
        let answer = client.connect(auth.clone());
        assert_eq!(answer, r#"4{"message":"unauthorized"}"#, "auth {auth:?}");
    }
    let metrics = common::http_get(server.authority(), "/metrics");
    let body = String::from_utf8_lossy(&metrics.body);
    assert!(
        body.lines()
            .any(|l| l == "lsio_rejected_inputs_total{reason=\"unauthorized\"} 5"),
        "{body}"
    );
}

#[test]
fn the_right_token_connects_and_the_token_also_comes_from_the_environment() {
    let server = ServerProcess::start_with_env(&[], &[("LSIO_TOKEN", "from-env")]);
    let mut client = Polling::open(server.authority());
    assert!(client
        .connect(Some(json!({"token": "from-env"})))
        .starts_with("0{\"sid\""));
    assert_eq!(client.ask("echo", json!("authorised")), json!("authorised"));
    let mut other = Polling::open(server.authority());
    assert_eq!(other.connect(None), r#"4{"message":"unauthorized"}"#);
}

#[test]
fn without_a_token_anyone_connects() {
    let server = ServerProcess::start(&[]);
    let mut client = Polling::open(server.authority());
    assert!(client
        .connect(Some(json!({"token": "anything"})))
        .starts_with('0'));
    let mut bare = Polling::open(server.authority());
    assert!(bare.connect(None).starts_with('0'));
}
