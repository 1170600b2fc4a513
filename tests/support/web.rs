//! Speaking to the app's page server as a Telegram client's Mini App would: launch data signed
//! with the fake's token, sent over plain HTTP/1.1 to the address the app bound.

use std::net::SocketAddr;

use chrono::{DateTime, Utc};
use prospect_diary::web::init_data;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::TestApp;

/// One HTTP response, read whole.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for a file); `bytes` has it as sent.
    pub body: String,
    pub bytes: Vec<u8>,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A request with `Connection: close`; the body, if any, as JSON.
pub async fn http(addr: SocketAddr, method: &str, path: &str, json: Option<&Value>) -> HttpReply {
    let body = json.map(Value::to_string).unwrap_or_default();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect to the page server");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read the response");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8(raw[..split].to_vec()).expect("a UTF-8 head");
    let bytes = raw[split + 4..].to_vec();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpReply { status: status.expect("a status line"), headers, body, bytes }
}

impl TestApp {
    /// Where the app's page server listens (once it does).
    pub async fn web_addr(&self) -> SocketAddr {
        self.config.http_bound.wait().await
    }

    /// Launch data for person `user_id`, signed with the fake's token at `at`.
    pub fn launch_data(&self, user_id: i64, at: DateTime<Utc>) -> String {
        init_data::sign_for(user_id, at, prospect_diary::telegram_fake::TOKEN)
    }

    /// The page asks for the caller's registration form with `launch_data`.
    pub async fn open_draft(&self, launch_data: &str) -> HttpReply {
        let body = serde_json::json!({"init_data": launch_data});
        http(self.web_addr().await, "POST", "/api/draft", Some(&body)).await
    }

    /// The page asks for the full workbook of `scope` (`MSK`, `ALL`) with `launch_data`.
    pub async fn download_export(&self, launch_data: &str, scope: &str) -> HttpReply {
        let body = serde_json::json!({"init_data": launch_data, "scope": scope});
        http(self.web_addr().await, "POST", "/api/export", Some(&body)).await
    }

    /// The page asks for card `card`'s contacts with `launch_data`.
    pub async fn open_contacts(&self, launch_data: &str, card: i64) -> HttpReply {
        let body = serde_json::json!({"init_data": launch_data, "card": card});
        http(self.web_addr().await, "POST", "/api/card", Some(&body)).await
    }
}
