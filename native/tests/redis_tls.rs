//! TLS to a real `redis-server` (`--tls-port`, a password, a CA made here with rcgen): `ssl=true` and `rediss://`
//! verify the server certificate against the platform trust store, which honours `SSL_CERT_FILE`. Without the
//! test CA in it the connect fails with a certificate error; with `SSL_CERT_FILE` naming the CA it connects, by IP
//! address and by host name; a host that the certificate does not name is refused.
//!
//! One test (it sets `SSL_CERT_FILE` for the whole process). Without `redis-server` on PATH it prints why it is
//! skipped (on stderr, past the test harness's capture) and returns; with `KR_REQUIRE_REDIS=1` it fails instead.
use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kestrun_native::RedisConnection;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

const PASSWORD: &str = "tls-test-secret";

fn redis_server_binary() -> Option<String> {
    let bin = std::env::var("KR_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string());
    match Command::new(&bin).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => Some(bin),
        _ => None,
    }
}

/// A throw-away CA and a server certificate for `localhost` and `127.0.0.1`, written as PEM files into `dir`:
/// (ca.pem, server.pem, server.key).
fn make_certificates(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.distinguished_name.push(DnType::CommonName, "Kestrun.Rust test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    server_params.distinguished_name.push(DnType::CommonName, "localhost");
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();

    let paths = (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, server_cert.pem()).unwrap();
    std::fs::write(&paths.2, server_key.serialize_pem()).unwrap();
    paths
}

/// redis-server with TLS only, on 127.0.0.1 and 127.0.0.2 (both loopback), killed on drop.
struct TlsRedis {
    child: Child,
    port: u16,
}

impl TlsRedis {
    fn start(bin: &str, dir: &Path, cert: &Path, key: &Path, ca: &Path) -> TlsRedis {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin)
            .args(["--port", "0", "--tls-port", &port.to_string(), "--bind", "127.0.0.1 127.0.0.2"])
            .arg("--tls-cert-file")
            .arg(cert)
            .arg("--tls-key-file")
            .arg(key)
            .arg("--tls-ca-cert-file")
            .arg(ca)
            .args(["--tls-auth-clients", "no", "--requirepass", PASSWORD, "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning", "--dir"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let mut server = TlsRedis { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("redis-server exited ({status}): is it built with TLS?");
            }
            assert!(Instant::now() < deadline, "redis-server did not listen on the TLS port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects as the engine does (the `redis` crate, tokio, rustls) to what `connection` names and sends PING.
fn ping(runtime: &tokio::runtime::Runtime, connection: &str) -> Result<String, String> {
    let parsed = RedisConnection::parse(connection).map_err(|e| e.message().to_string())?;
    let client = redis::Client::open(parsed.info).map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let connect = client.get_multiplexed_async_connection();
        let mut con = match tokio::time::timeout(Duration::from_secs(10), connect).await {
            Ok(Ok(con)) => con,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("connect timed out".to_string()),
        };
        redis::cmd("PING").query_async::<String>(&mut con).await.map_err(|e| e.to_string())
    })
}

#[test]
fn tls_verifies_the_server_certificate_against_the_trust_store_that_ssl_cert_file_names() {
    let Some(bin) = redis_server_binary() else {
        let reason = "redis-server is not installed (apt-get install redis-server)";
        if std::env::var("KR_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
            panic!("redis_tls: {reason}, and KR_REQUIRE_REDIS=1");
        }
        let _ = writeln!(std::io::stderr(), "SKIPPED redis_tls::tls_verifies_the_server_certificate: {reason}");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_certificates(dir.path());
    let redis = TlsRedis::start(&bin, dir.path(), &cert, &key, &ca);
    let port = redis.port;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let by_ip = format!("127.0.0.1:{port},password={PASSWORD},ssl=true,abortConnect=false");

    // The system trust store does not know the test CA: a certificate error, whatever the form.
    std::env::remove_var("SSL_CERT_DIR");
    std::env::remove_var("SSL_CERT_FILE");
    for connection in [by_ip.clone(), format!("rediss://:{PASSWORD}@localhost:{port}/0")] {
        let error = ping(&runtime, &connection).expect_err("the test CA is not trusted yet");
        assert!(
            error.contains("certificate") && error.contains("UnknownIssuer"),
            "{connection}: a clear certificate error, got {error:?}"
        );
    }

    // SSL_CERT_FILE names the test CA: verified, by IP address and by host name (also with sslHost).
    std::env::set_var("SSL_CERT_FILE", &ca);
    for connection in [
        by_ip.clone(),
        format!("rediss://:{PASSWORD}@localhost:{port}/0"),
        format!("localhost:{port},password={PASSWORD},ssl=true,sslHost=localhost,name=kr-tls-test"),
    ] {
        assert_eq!(ping(&runtime, &connection).as_deref(), Ok("PONG"), "{connection}");
    }

    // A trusted certificate that does not name the host connected to (127.0.0.2) is refused.
    let error = ping(&runtime, &format!("127.0.0.2:{port},password={PASSWORD},ssl=true")).expect_err("wrong host");
    assert!(error.contains("certificate not valid for name \"127.0.0.2\""), "a host name error, got {error:?}");

    // The password is checked by the server once TLS is up.
    let error = ping(&runtime, &format!("127.0.0.1:{port},password=wrong,ssl=true")).expect_err("wrong password");
    assert!(error.to_ascii_lowercase().contains("pass"), "an authentication error, got {error:?}");
    std::env::remove_var("SSL_CERT_FILE");
}
