//! Malformed engine answers. A real engine will not misbehave on request, so this is the one
//! place a fake is right: a tiny engine on a unix socket that answers the version handshake
//! properly, then each request with the bytes of the case — truncated JSON, a non-ASCII id,
//! numbers past any integer, a stream cut mid-frame — and a fuzz of log frames. Every call
//! must end in a value or an error with a message: no panic, no hang.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_core::{Endpoint, Engine, LogOptions};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;

use crate::{report, Size};

type Answer = Arc<Mutex<Vec<u8>>>;

const VERSION: &str = r#"{"ApiVersion":"1.41","MinAPIVersion":"1.12","Version":"20.10.24","Os":"linux","Arch":"amd64"}"#;

fn http(content_type: &str, body: &[u8], length: Option<usize>) -> Vec<u8> {
    let mut head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nApi-Version: 1.41\r\n");
    match length {
        Some(n) => head.push_str(&format!("Content-Length: {n}\r\n")),
        None => head.push_str("Connection: close\r\n"),
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn json(body: &str) -> Vec<u8> {
    http("application/json", body.as_bytes(), Some(body.len()))
}

/// Serves the handshake properly and every other request with `answer`, then closes.
async fn fake_engine(listener: UnixListener, answer: Answer) {
    while let Ok((mut conn, _)) = listener.accept().await {
        let answer = answer.clone();
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            let bytes = if line.contains("/version") {
                json(VERSION)
            } else if line.contains("/_ping") {
                http("text/plain", b"OK", Some(2))
            } else {
                answer.lock().unwrap_or_else(|p| p.into_inner()).clone()
            };
            let _ = conn.write_all(&bytes).await;
            let _ = conn.shutdown().await;
        });
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    values: usize,
    errors: usize,
    panics: usize,
    hangs: usize,
    empty_messages: usize,
}

impl Tally {
    async fn judge<T: Send + 'static>(
        &mut self,
        what: &str,
        call: impl Future<Output = berth_core::Result<T>> + Send + 'static,
    ) {
        self.cases += 1;
        match tokio::time::timeout(Duration::from_secs(20), tokio::spawn(call)).await {
            Err(_) => {
                self.hangs += 1;
                println!("  {what}: no answer in 20 s");
            }
            Ok(Err(join)) if join.is_panic() => {
                self.panics += 1;
                println!("  {what}: PANIC");
            }
            Ok(Err(_)) => self.panics += 1,
            Ok(Ok(Ok(_))) => self.values += 1,
            Ok(Ok(Err(e))) => {
                let message = e.to_string();
                if message.trim().is_empty() {
                    self.empty_messages += 1;
                }
                self.errors += 1;
                if std::env::var_os("BERTH_REL_VERBOSE").is_some() {
                    println!("  {what}: {message}");
                }
            }
        }
    }
}

/// Reads a whole stream: its first error, or how many items.
async fn drain<T>(
    stream: berth_core::Result<futures_util::stream::BoxStream<'static, berth_core::Result<T>>>,
) -> berth_core::Result<usize> {
    let mut stream = stream?;
    let mut n = 0;
    while let Some(item) = stream.next().await {
        item?;
        n += 1;
    }
    Ok(n)
}

fn frame(kind: u8, payload: &[u8], claimed: Option<u32>) -> Vec<u8> {
    let len = claimed.unwrap_or(payload.len() as u32);
    let mut f = vec![kind, 0, 0, 0];
    f.extend_from_slice(&len.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A small deterministic generator (xorshift): the frames are reproducible from the seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub async fn run(size: Size) {
    println!("\n== malformed engine answers from a fake engine on a unix socket");
    let path = std::env::temp_dir().join(format!("berth-rel-fake-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("the fake engine's socket");
    let answer: Answer = Arc::default();
    let server = tokio::spawn(fake_engine(listener, answer.clone()));
    let engine =
        Engine::connect(&Endpoint::parse(&format!("unix://{}", path.display())).expect("unix"))
            .await
            .expect("the handshake works");
    let set = |bytes: Vec<u8>| *answer.lock().unwrap_or_else(|p| p.into_inner()) = bytes;
    let raw = "application/vnd.docker.raw-stream";
    let container = r#"{"Id":"ID","Names":["/NAME"],"Image":"busybox","ImageID":"sha256:1","Command":"sh","Created":CREATED,"State":"running","Status":"Up","Ports":[],"Labels":{},"Mounts":[]}"#;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "truncated JSON, length honest",
            json(r#"[{"Id":"abc","Names":["/x"],"Sta"#),
        ),
        ("truncated JSON, connection cut before the length", {
            let body = br#"[{"Id":"abc","Names":["/x"],"Sta"#;
            http("application/json", body, Some(body.len() + 100))
        }),
        (
            "a non-ASCII id and name",
            json(&format!(
                "[{}]",
                container
                    .replace("ID", "ø✓容器-\u{202e}")
                    .replace("NAME", "é\\u0000x")
                    .replace("CREATED", "1")
            )),
        ),
        (
            "a number past u64",
            json(&format!(
                "[{}]",
                container
                    .replace("ID", "abc")
                    .replace("NAME", "x")
                    .replace("CREATED", "184467440737095516150000")
            )),
        ),
        (
            "a number past f64",
            json(&format!(
                "[{}]",
                container
                    .replace("ID", "abc")
                    .replace("NAME", "x")
                    .replace("CREATED", "1e400")
            )),
        ),
        (
            "a negative time",
            json(&format!(
                "[{}]",
                container
                    .replace("ID", "abc")
                    .replace("NAME", "x")
                    .replace("CREATED", "-9223372036854775808")
            )),
        ),
        ("not JSON at all", json("<html>proxy error</html>")),
        ("an empty answer", json("")),
        (
            "JSON of the wrong shape",
            json(r#"{"message":"not a list"}"#),
        ),
    ];
    let mut tally = Tally::default();
    for (what, bytes) in &cases {
        set(bytes.clone());
        let e = engine.clone();
        tally
            .judge(
                &format!("list: {what}"),
                async move { e.containers().await },
            )
            .await;
        let e = engine.clone();
        tally
            .judge(&format!("info: {what}"), async move { e.info().await })
            .await;
        let e = engine.clone();
        tally
            .judge(&format!("inspect: {what}"), async move {
                e.container_inspect("abc").await
            })
            .await;
    }
    let huge_stats = r#"{"read":"2026-01-01T00:00:00Z","cpu_stats":{"cpu_usage":{"total_usage":18446744073709551615},"system_cpu_usage":18446744073709551615,"online_cpus":4294967295},"precpu_stats":{"cpu_usage":{"total_usage":0}},"memory_stats":{"usage":18446744073709551615,"limit":0,"stats":{"cache":18446744073709551615}},"networks":{"eth0":{"rx_bytes":18446744073709551615,"tx_bytes":0}},"blkio_stats":{},"pids_stats":{"current":18446744073709551615}}"#;
    // (what, bytes, whether only an error is a right answer: a log that was cut must not look
    // like a log that ended)
    let streams: Vec<(&str, Vec<u8>, bool)> = vec![
        (
            "a log cut mid-frame",
            {
                let mut body = frame(1, b"a whole line\n", None);
                body.extend_from_slice(&frame(1, b"only part of th", Some(4096)));
                http(raw, &body, None)
            },
            true,
        ),
        (
            "a log cut mid-header",
            {
                let mut body = frame(2, b"line\n", None);
                body.extend_from_slice(&[1, 0, 0]);
                http(raw, &body, None)
            },
            true,
        ),
        (
            "a log frame of an unknown stream",
            http(raw, &frame(9, b"x\n", None), None),
            false,
        ),
        // Cut inside the first frame: bollard hands the rest on as a TTY log would look, and
        // without the container's TTY setting the bytes cannot tell the two apart.
        (
            "a log frame claiming 4 GiB",
            http(raw, &frame(1, b"x", Some(u32::MAX)), None),
            false,
        ),
        (
            "stats with numbers at u64::MAX",
            http("application/json", huge_stats.as_bytes(), None),
            false,
        ),
        (
            "stats cut mid-object",
            http("application/json", &huge_stats.as_bytes()[..90], None),
            true,
        ),
    ];
    let ids = vec!["abc".to_owned()];
    let mut cut_seen_as_end = Vec::new();
    for (what, bytes, only_error) in &streams {
        set(bytes.clone());
        let errors_before = tally.errors;
        let calls_before = tally.cases;
        for timestamps in [false, true] {
            let e = engine.clone();
            let ids = ids.clone();
            let options = LogOptions {
                follow: true,
                timestamps,
                filter: Some("x|line".into()),
                ..LogOptions::default()
            };
            tally
                .judge(&format!("logs: {what}"), async move {
                    drain(e.logs(&ids, &options)).await
                })
                .await;
        }
        let e = engine.clone();
        let ids = ids.clone();
        tally
            .judge(&format!("stats: {what}"), async move {
                drain(e.stats(&ids)).await
            })
            .await;
        if *only_error && what.starts_with("a log") && tally.errors - errors_before < 2 {
            cut_seen_as_end.push(*what);
        }
        if *only_error && what.starts_with("stats") && tally.errors - errors_before < 1 {
            cut_seen_as_end.push(*what);
        }
        let _ = calls_before;
    }
    report(
        tally.panics == 0 && tally.hangs == 0 && tally.empty_messages == 0,
        format!(
            "malformed answers: {} calls, {} values, {} clear errors, {} panics, {} hangs, {} errors without a message",
            tally.cases, tally.values, tally.errors, tally.panics, tally.hangs, tally.empty_messages
        ),
    );

    report(
        cut_seen_as_end.is_empty(),
        format!(
            "cut or broken streams that ended in an error rather than as if complete: {}/{} {:?}",
            streams.iter().filter(|s| s.2).count() - cut_seen_as_end.len(),
            streams.iter().filter(|s| s.2).count(),
            cut_seen_as_end
        ),
    );

    // Log frames, fuzzed: random stream kinds, lengths (true or not), bytes (invalid UTF-8,
    // \r, \n, ANSI, RFC 3339-looking prefixes), cut anywhere.
    let responses = size.pick(1_000, 100);
    let per_response = 100;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut frames = Tally::default();
    let alphabet: &[u8] = b"ab \n\r\x1b[0m\xff\xfe\xc3\xa9\xe2\x82T:.-Z0123456789";
    for _ in 0..responses {
        let mut body = Vec::new();
        for _ in 0..per_response {
            let len = rng.below(64) as usize;
            let mut payload: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            if rng.below(4) == 0 {
                let mut stamped = b"2026-11-30T12:00:00.123456789Z ".to_vec();
                stamped.append(&mut payload);
                payload = stamped;
            }
            let kind = match rng.below(20) {
                0 => rng.below(256) as u8,
                n => (n % 3) as u8,
            };
            let claimed = (rng.below(30) == 0).then(|| rng.below(200) as u32);
            body.extend_from_slice(&frame(kind, &payload, claimed));
        }
        if rng.below(3) == 0 {
            let cut = rng.below(body.len() as u64) as usize;
            body.truncate(cut);
        }
        set(http(raw, &body, None));
        let e = engine.clone();
        let ids = ids.clone();
        let options = LogOptions {
            follow: true,
            timestamps: rng.below(2) == 0,
            filter: (rng.below(2) == 0).then(|| "a|é".to_owned()),
            ..LogOptions::default()
        };
        frames
            .judge(
                "log frames",
                async move { drain(e.logs(&ids, &options)).await },
            )
            .await;
    }
    report(
        frames.panics == 0 && frames.hangs == 0 && frames.empty_messages == 0,
        format!(
            "log frames fuzzed: {} frames in {} answers, {} read whole, {} ended with a clear error, {} panics, {} hangs",
            responses * per_response,
            frames.cases,
            frames.values,
            frames.errors,
            frames.panics,
            frames.hangs
        ),
    );
    server.abort();
    let _ = std::fs::remove_file(&path);
}
