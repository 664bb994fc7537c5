//! What the live-server tests of the C API share.
use std::io::{Read, Write};
use std::net::TcpStream;

/// `GET path` over plain HTTP/1.1 on 127.0.0.1:`port` with `Connection: close`: the whole raw answer.
pub fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}
