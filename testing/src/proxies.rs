//! Proxies in front of DynamoDB Local for the drills: `ThrottlingProxy` answers the first requests
//! with throttling (the one fault the emulator cannot produce), `FaultProxy` stalls or cuts every
//! request after a given one has been answered (drills keyed to events, not to the clock).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::store_at;
use cafe_menu::store::{MenuStore, Workload};

/// A fault injector in front of DynamoDB Local, for the one fault a local emulator cannot
/// produce: throttling. It answers the first `throttled` requests with DynamoDB's
/// `ProvisionedThroughputExceededException` (HTTP 400, as DynamoDB sends it) and forwards every
/// later request to the real DynamoDB Local unchanged.
pub struct ThrottlingProxy {
    pub endpoint: String,
    seen: std::sync::Arc<AtomicUsize>,
}

impl ThrottlingProxy {
    pub async fn start(upstream: String, throttled: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let seen = std::sync::Arc::new(AtomicUsize::new(0));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let counter = seen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, counter) = (upstream.clone(), counter.clone());
                tokio::spawn(async move {
                    let _ = proxy_connection(client, &upstream, &counter, throttled).await;
                });
            }
        });
        Self { endpoint, seen }
    }

    /// Requests received so far (throttled or forwarded).
    pub fn requests(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }

    /// A store on the proxy, with a workload's client.
    pub fn store(&self, table: &str, workload: Workload) -> MenuStore {
        store_at(&self.endpoint, table, workload)
    }
}

/// Reads one HTTP/1.1 message (head and a Content-Length body), or `None` at end of stream.
async fn read_message(
    stream: &mut tokio::net::TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>> {
    use tokio::io::AsyncReadExt;
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            if buffer.len() >= total {
                return Ok(Some(buffer.drain(..total).collect()));
            }
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn proxy_connection(
    mut client: tokio::net::TcpStream,
    upstream: &str,
    counter: &AtomicUsize,
    throttled: usize,
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut from_client = Vec::new();
    let mut server: Option<(tokio::net::TcpStream, Vec<u8>)> = None;
    while let Some(request) = read_message(&mut client, &mut from_client).await? {
        if counter.fetch_add(1, Ordering::SeqCst) < throttled {
            let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#;
            let response = format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: throttled\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            client.write_all(response.as_bytes()).await?;
            continue;
        }
        if server.is_none() {
            server = Some((tokio::net::TcpStream::connect(upstream).await?, Vec::new()));
        }
        let (stream, buffer) = server.as_mut().expect("connected");
        stream.write_all(&request).await?;
        match read_message(stream, buffer).await? {
            Some(response) => client.write_all(&response).await?,
            None => return Ok(()),
        }
    }
    Ok(())
}

/// What trips a [`FaultProxy`]: the N-th DynamoDB request of one kind answered by DynamoDB
/// Local (named by its `X-Amz-Target` operation: `PutItem`, `Scan`...).
#[derive(Debug, Clone, Copy)]
pub struct Trip {
    pub operation: &'static str,
    pub nth: usize,
}

/// What a tripped [`FaultProxy`] does with every later request, until healed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Holds it unanswered, as a Lambda frozen at its timeout leaves it: nothing reaches
    /// DynamoDB Local any more.
    Stall,
    /// Closes the connection without an answer, as a DynamoDB that died does.
    Cut,
}

/// A proxy in front of DynamoDB Local for drills keyed to events instead of the clock: it
/// forwards every request until the `trip` request has been answered (that answer still goes back
/// to the client), then applies `fault` to every request after it. Whatever the host's speed,
/// exactly `trip.nth` requests of that operation reach DynamoDB before the fault.
pub struct FaultProxy {
    pub endpoint: String,
    state: std::sync::Arc<FaultState>,
}

struct FaultState {
    trip: Trip,
    fault: Fault,
    answered: AtomicUsize,
    tripped: std::sync::atomic::AtomicBool,
    healed: std::sync::atomic::AtomicBool,
    event: tokio::sync::Notify,
}

impl FaultProxy {
    pub async fn start(upstream: String, trip: Trip, fault: Fault) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let state = std::sync::Arc::new(FaultState {
            trip,
            fault,
            answered: AtomicUsize::new(0),
            tripped: Default::default(),
            healed: Default::default(),
            event: tokio::sync::Notify::new(),
        });
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, state) = (upstream.clone(), shared.clone());
                tokio::spawn(async move {
                    let _ = fault_connection(client, &upstream, &state).await;
                });
            }
        });
        Self { endpoint, state }
    }

    /// Waits until the trip request has been answered (at once if it has been).
    pub async fn tripped(&self) {
        loop {
            let event = self.state.event.notified();
            if self.is_tripped() {
                return;
            }
            event.await;
        }
    }

    pub fn is_tripped(&self) -> bool {
        self.state.tripped.load(Ordering::SeqCst)
    }

    /// Requests of the trip's operation that DynamoDB Local answered.
    pub fn answered(&self) -> usize {
        self.state.answered.load(Ordering::SeqCst)
    }

    /// Forwards everything again from now on (DynamoDB is back).
    pub fn heal(&self) {
        self.state.healed.store(true, Ordering::SeqCst);
    }

    /// A store on the proxy, with a workload's client.
    pub fn store(&self, table: &str, workload: Workload) -> MenuStore {
        store_at(&self.endpoint, table, workload)
    }
}

/// The DynamoDB operation of a request, from its `X-Amz-Target` header.
fn operation_of(request: &[u8]) -> String {
    let end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(request.len());
    String::from_utf8_lossy(&request[..end])
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("x-amz-target")
                .then(|| value.trim().rsplit('.').next().unwrap_or("").to_owned())
        })
        .unwrap_or_default()
}

async fn fault_connection(
    mut client: tokio::net::TcpStream,
    upstream: &str,
    state: &FaultState,
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut from_client = Vec::new();
    let mut server: Option<(tokio::net::TcpStream, Vec<u8>)> = None;
    while let Some(request) = read_message(&mut client, &mut from_client).await? {
        if state.tripped.load(Ordering::SeqCst) && !state.healed.load(Ordering::SeqCst) {
            match state.fault {
                Fault::Stall => std::future::pending::<()>().await,
                Fault::Cut => return Ok(()),
            }
        }
        let operation = operation_of(&request);
        if server.is_none() {
            server = Some((tokio::net::TcpStream::connect(upstream).await?, Vec::new()));
        }
        let (stream, buffer) = server.as_mut().expect("connected");
        stream.write_all(&request).await?;
        let Some(response) = read_message(stream, buffer).await? else {
            return Ok(());
        };
        if operation == state.trip.operation
            && state.answered.fetch_add(1, Ordering::SeqCst) + 1 == state.trip.nth
        {
            // Tripped before the client has its answer: no later request can slip through.
            state.tripped.store(true, Ordering::SeqCst);
            state.event.notify_waiters();
        }
        client.write_all(&response).await?;
    }
    Ok(())
}
