//! A stand-in OTLP/HTTP collector on 127.0.0.1: it answers every request with 200 and an empty
//! protobuf body (an `ExportTraceServiceResponse` that rejects nothing), and hands each
//! request to the test before answering it, so an exporter that has its answer has been seen.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

/// How long a connection may sit idle before its thread gives up on it.
const IDLE: Duration = Duration::from_secs(30);

/// One request as the collector read it.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// Starts the collector; its address, and the requests it receives, in order.
pub(crate) fn start() -> (SocketAddr, Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (requests, received) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let requests = requests.clone();
            // The exporter keeps its connection alive between exports; each gets a thread.
            thread::spawn(move || {
                let _ = serve(stream, &requests);
            });
        }
    });
    (addr, received)
}

/// Reads requests off one connection until the client closes it.
fn serve(stream: TcpStream, requests: &Sender<Received>) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();

        let (mut content_type, mut length) = (None, None);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-type") {
                    content_type = Some(value.to_owned());
                } else if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                }
            }
        }
        // The exporter sends its whole body at once, with its length; anything else is
        // recorded with an empty body, which the test's checks then reject.
        let mut body = vec![0; length.unwrap_or(0)];
        reader.read_exact(&mut body)?;

        let keep_open = length.is_some();
        let received = Received {
            method,
            path,
            content_type,
            body,
        };
        if requests.send(received).is_err() {
            return Ok(());
        }
        writer.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
        )?;
        if !keep_open {
            return Ok(());
        }
    }
}
