use std::net::TcpListener;
fn bind(port: u16) -> TcpListener { TcpListener::bind(("127.0.0.1", port)).unwrap() }
fn main() { let _a = bind(3998); let _b = bind(3998); }
