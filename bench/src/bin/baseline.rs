//! Bare actix-web hello-world: the baseline every Kestrun.Rust figure in `bench/run.sh` is compared to.
//!
//! `baseline <http_port> [<https_port>]` — serves `GET /hello` (`text/plain`, "Hello, World!") on
//! `127.0.0.1:<http_port>` and, when a second port is given, on `127.0.0.1:<https_port>` over TLS with
//! an in-memory self-signed certificate (rcgen + rustls/ring, as the engine does). Port 0 picks a free
//! port. Workers = cores. Prints `http <port>` (and `https <port>`) on stdout once bound, then `ready`;
//! runs until SIGINT/SIGTERM (actix-web's signal handling: graceful stop).
use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{web, App, HttpResponse, HttpServer};

async fn hello() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("Hello, World!")
}

fn tls_config() -> rustls::ServerConfig {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names).expect("self-signed certificate");
    let cert = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der()).expect("private key");
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("TLS identity")
}

fn parse_port(arg: Option<String>, what: &str) -> Option<u16> {
    arg.map(|a| {
        a.parse::<u16>().unwrap_or_else(|_| {
            eprintln!("baseline: invalid {what} port {a:?}\nusage: baseline <http_port> [<https_port>]");
            std::process::exit(2)
        })
    })
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let http_port = parse_port(args.next(), "HTTP").unwrap_or(0);
    let https_port = parse_port(args.next(), "HTTPS");

    let http_listener = TcpListener::bind(("127.0.0.1", http_port))?;
    let https_listener = match https_port {
        Some(p) => Some(TcpListener::bind(("127.0.0.1", p))?),
        None => None,
    };
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "http {}", http_listener.local_addr()?.port())?;
        if let Some(l) = &https_listener {
            writeln!(out, "https {}", l.local_addr()?.port())?;
        }
        writeln!(out, "ready")?;
        out.flush()?;
    }

    actix_rt::System::new().block_on(async move {
        let mut server = HttpServer::new(|| App::new().route("/hello", web::get().to(hello)))
            .workers(num_cpus::get())
            .listen(http_listener)?;
        if let Some(l) = https_listener {
            server = server.listen_rustls_0_23(l, tls_config())?;
        }
        server.run().await
    })
}
