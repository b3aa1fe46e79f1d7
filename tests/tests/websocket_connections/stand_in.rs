//! A stand-in for the API Gateway Management API on 127.0.0.1: plain HTTP/1.1 with
//! keep-alive, answering as API Gateway does for a few connection ids, and recording every
//! request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) authorization: String,
    pub(crate) body: Vec<u8>,
}

/// The Management API's answer for a connection id, as API Gateway gives it.
fn answer(method: &str, id: &str) -> (u16, &'static str, &'static str) {
    match (method, id) {
        (_, "Gone%2BId%2Fx%3D") => (410, "GoneException", "{}"),
        (_, "busy") => (
            429,
            "LimitExceededException",
            r#"{"message":"Rate exceeded"}"#,
        ),
        (_, "broken") => (500, "", r#"{"message":"Internal server error"}"#),
        ("GET", _) => (
            200,
            "",
            r#"{"connectedAt":"2024-05-01T10:00:00.000Z","identity":{"sourceIp":"192.0.2.7","userAgent":"wscat/5"},"lastActiveAt":"2024-05-01T10:05:30.250Z"}"#,
        ),
        ("DELETE", _) => (204, "", ""),
        _ => (200, "", ""),
    }
}

/// Serves [`answer`] on 127.0.0.1 and records every request, keep-alive included.
pub(crate) fn stand_in() -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let record = Arc::clone(&record);
            std::thread::spawn(move || serve(stream.unwrap(), &record));
        }
    });
    (addr, seen)
}

fn serve(stream: TcpStream, record: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        );
        let (mut length, mut authorization) = (0, String::new());
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let Some((name, value)) = line.trim_end().split_once(':') else {
                break;
            };
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "authorization" => value.trim().clone_into(&mut authorization),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let id = path.rsplit('/').next().unwrap().to_owned();
        record.lock().unwrap().push(Seen {
            method: method.clone(),
            path,
            authorization,
            body,
        });
        let (status, error_type, body) = answer(&method, &id);
        let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
        head.push_str("content-type: application/json\r\nx-amzn-RequestId: r-1\r\n");
        if !error_type.is_empty() {
            head.push_str(&format!("x-amzn-ErrorType: {error_type}\r\n"));
        }
        out.write_all(format!("{head}\r\n{body}").as_bytes())
            .unwrap();
    }
}
