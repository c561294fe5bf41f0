//! The classes that need a socket of our own rather than an HTTP client: a body larger than the
//! server accepts, headers or a body sent a byte at a time, and sockets that connect and say
//! nothing. An HTTP client cannot send slowly, and reports a broken pipe instead of the answer
//! when the server refuses a body before reading it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Another client than the hostile ones (which connect from 127.0.0.1), as the server counts
/// clients by address: Linux routes all of 127.0.0.0/8 to the loopback interface.
pub const OTHER_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// What came back on a socket, and when.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    /// The status of the response; `None` when the server closed without one.
    pub status: Option<u16>,
    /// `extensions.code` of the first error, when the body has one.
    pub code: Option<String>,
    pub bytes: usize,
    /// From the first byte sent to the whole response read (or the connection closed).
    pub elapsed: Duration,
}

/// Sends `head` and then `body`, reading at the same time, until the response is complete or the
/// server closes; gives up after `limit`.
pub async fn exchange(
    address: SocketAddr,
    head: &str,
    body: &[u8],
    limit: Duration,
) -> std::io::Result<Answer> {
    let started = Instant::now();
    let stream = TcpStream::connect(address).await?;
    exchange_on(stream, started, head, body, limit).await
}

/// [`exchange`] on a connection from the local address `from`.
pub async fn exchange_from(
    from: IpAddr,
    address: SocketAddr,
    head: &str,
    body: &[u8],
    limit: Duration,
) -> std::io::Result<Answer> {
    let started = Instant::now();
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let stream = socket.connect(address).await?;
    exchange_on(stream, started, head, body, limit).await
}

async fn exchange_on(
    stream: TcpStream,
    started: Instant,
    head: &str,
    body: &[u8],
    limit: Duration,
) -> std::io::Result<Answer> {
    let (mut reader, mut writer) = stream.into_split();
    let write = async {
        // A write refused because the server already answered and closed is the point of the
        // class, not a failure: the answer is read below.
        if writer.write_all(head.as_bytes()).await.is_ok() {
            let _ = writer.write_all(body).await;
        }
        // Keep this half open: closing it could read as the end of the request.
        std::future::pending::<()>().await
    };
    let read = async {
        let mut received = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
            if complete(&received) {
                break;
            }
        }
        received
    };
    let received = tokio::select! {
        received = read => received,
        () = write => Vec::new(),
        () = tokio::time::sleep(limit) => Vec::new(),
    };
    Ok(parse(&received, started.elapsed()))
}

/// Whether `received` holds a whole response: its head, and as much body as `content-length`
/// says, or the last chunk of a chunked one.
fn complete(received: &[u8]) -> bool {
    let Some(end) = find(received, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
    let body = &received[end + 4..];
    if let Some(length) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return body.len() >= length;
    }
    head.contains("transfer-encoding: chunked") && body.ends_with(b"0\r\n\r\n")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The status and the first error code of a raw response.
fn parse(received: &[u8], elapsed: Duration) -> Answer {
    let text = String::from_utf8_lossy(received);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    let code = text
        .split_once(r#""code":""#)
        .and_then(|(_, rest)| rest.split_once('"').map(|(code, _)| code.to_owned()));
    Answer {
        status,
        code,
        bytes: received.len(),
        elapsed,
    }
}

/// A POST of `length` bytes of JSON (a query string padded with spaces), past the body limit.
pub async fn oversized(address: SocketAddr, length: usize) -> std::io::Result<Answer> {
    let mut body = Vec::with_capacity(length);
    body.extend_from_slice(br#"{"query":"{ __typename }","#);
    body.resize(length - 1, b' ');
    body.push(b'}');
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         accept: application/graphql-response+json\r\nconnection: close\r\ncontent-length: {length}\r\n\r\n"
    );
    exchange(address, &head, &body, Duration::from_secs(30)).await
}

/// Sends `bytes` one at a time, `every` apart, after `head`, until the server closes the
/// connection (or `limit` passes): when it did, and what it answered.
async fn trickle(
    address: SocketAddr,
    head: &[u8],
    bytes: &[u8],
    every: Duration,
    limit: Duration,
) -> std::io::Result<Answer> {
    let stream = TcpStream::connect(address).await?;
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head).await?;
    let write = async {
        for byte in bytes.iter().cycle() {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(every).await;
        }
    };
    let read = async {
        let mut received = Vec::new();
        let _ = reader.read_to_end(&mut received).await;
        received
    };
    let received = tokio::select! {
        received = read => received,
        // The server may close without reading what is in flight: the write fails first.
        () = write => Vec::new(),
        () = tokio::time::sleep(limit) => Vec::new(),
    };
    Ok(parse(&received, started.elapsed()))
}

/// Request headers sent a byte every 100 ms: never cut off before the header timeout existed.
pub async fn slow_headers(address: SocketAddr, limit: Duration) -> std::io::Result<Answer> {
    trickle(
        address,
        b"",
        b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\n",
        Duration::from_millis(100),
        limit,
    )
    .await
}

/// A whole head, then its body a byte every 300 ms: each byte well within any per-read timeout,
/// the whole (a kilobyte, five minutes at that pace) never within the body timeout.
pub async fn slow_body(address: SocketAddr, limit: Duration) -> std::io::Result<Answer> {
    let mut body = br#"{"query":"{ __typename }""#.to_vec();
    body.resize(1_023, b' ');
    body.push(b'}');
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         accept: application/graphql-response+json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    trickle(
        address,
        head.as_bytes(),
        &body,
        Duration::from_millis(300),
        limit,
    )
    .await
}

/// What became of many sockets that connected and sent nothing.
#[derive(Clone, Debug, Default)]
pub struct Silent {
    pub opened: usize,
    /// Connections our side could not open (refused, or none within a second).
    pub not_opened: usize,
    /// Answered 503 at once: over the server's connection limit.
    pub shed: usize,
    /// Closed by the server without an answer (the header timeout).
    pub cut_off: usize,
    /// Still open when we gave up waiting.
    pub held: usize,
    /// When the last one was closed by the server, from the first connect.
    pub last_closed: Duration,
}

/// Opens `count` sockets that send nothing; returns their handles once all are open, to be
/// watched with [`watch_silent`] while the caller looks at the server.
pub async fn open_silent(address: SocketAddr, count: usize) -> (Vec<TcpStream>, usize) {
    let mut open = Vec::with_capacity(count);
    let mut failed = 0;
    for _ in 0..count {
        match tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(address)).await {
            Ok(Ok(stream)) => open.push(stream),
            _ => failed += 1,
        }
    }
    (open, failed)
}

/// Opens `count` connections that each ask `GET /healthz`, read the answer, and then keep the
/// connection alive and say nothing more, as a browser's idle keep-alive connections do.
/// Returns them, how many could not be opened, and how many the server answered 503 (shed).
pub async fn open_kept_alive(address: SocketAddr, count: usize) -> (Vec<TcpStream>, usize, usize) {
    let mut open = Vec::with_capacity(count);
    let (mut failed, mut shed) = (0, 0);
    for _ in 0..count {
        let opened = tokio::time::timeout(Duration::from_secs(2), async {
            let mut stream = TcpStream::connect(address).await?;
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
                .await?;
            let mut received = Vec::new();
            let mut chunk = [0u8; 1024];
            while !complete(&received) {
                match stream.read(&mut chunk).await? {
                    0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                    n => received.extend_from_slice(&chunk[..n]),
                }
            }
            std::io::Result::Ok((stream, received.starts_with(b"HTTP/1.1 503")))
        })
        .await;
        match opened {
            Ok(Ok((_, true))) => shed += 1,
            Ok(Ok((stream, false))) => open.push(stream),
            _ => failed += 1,
        }
    }
    (open, failed, shed)
}

/// Waits (at most `limit` from `started`) for the server to close every socket, sorting them by
/// how it did.
pub async fn watch_silent(
    sockets: Vec<TcpStream>,
    not_opened: usize,
    started: Instant,
    limit: Duration,
) -> Silent {
    let mut silent = Silent {
        opened: sockets.len(),
        not_opened,
        ..Silent::default()
    };
    let watchers: Vec<_> = sockets
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move {
                let mut received = Vec::new();
                let left = limit.saturating_sub(started.elapsed());
                let read = tokio::time::timeout(left, stream.read_to_end(&mut received)).await;
                (read.is_ok(), received, started.elapsed())
            })
        })
        .collect();
    for watcher in watchers {
        let Ok((closed, received, at)) = watcher.await else {
            silent.held += 1;
            continue;
        };
        if !closed {
            silent.held += 1;
        } else if received.starts_with(b"HTTP/1.1 503") {
            silent.shed += 1;
        } else {
            silent.cut_off += 1;
            silent.last_closed = silent.last_closed.max(at);
        }
    }
    silent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_complete_with_its_whole_body() {
        let head = b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 5\r\n\r\n";
        let whole = [&head[..], b"{\"a\"}"].concat();

        assert!(!complete(&head[..]));
        assert!(complete(&whole));
        assert!(complete(
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        ));
    }

    #[test]
    fn the_status_and_code_are_read_from_a_raw_response() {
        let answer = parse(
            br#"HTTP/1.1 408 Request Timeout
content-length: 60

{"errors":[{"message":"x","extensions":{"code":"REQUEST_TIMEOUT"}}]}"#,
            Duration::ZERO,
        );

        assert_eq!(answer.status, Some(408));
        assert_eq!(answer.code.as_deref(), Some("REQUEST_TIMEOUT"));
        assert_eq!(parse(b"", Duration::ZERO).status, None);
    }
}
