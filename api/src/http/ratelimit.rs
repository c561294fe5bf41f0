//! The per-client rate limit of `/graphql`: each client (an IPv4 address, an IPv6 /64) may send
//! `per_second` requests a second on average and `burst` at once; past that it is answered
//! `429 Too Many Requests` with `Retry-After` and the code `RATE_LIMITED` (by the endpoint,
//! [`crate::http::graphql`], before it reads the request). `/healthz`, `/readyz` and `/metrics`
//! are never limited: a load balancer and a scraper poll them on their own schedule, and an
//! instance that answered them 429 would be taken out of service.
//!
//! The other limits of the server bound what one *request* may cost (depth, selections, cost,
//! admission, timeouts); this one bounds how often one *client* may ask, so that a single client
//! in a tight loop cannot take the capacity the others share.
//!
//! # Whom it counts
//!
//! The peer address of the connection, with an IPv6 address cut to its /64: one host (one home
//! router, one cloud VM) is handed a whole /64 and may use any of its 2^64 addresses, so keying by
//! the full address would give it a fresh budget per request. An IPv4 address mapped into IPv6
//! (`::ffff:a.b.c.d`, what a dual-stack listener reports for IPv4 clients) counts as the IPv4
//! address: cut to its /64 it would put every IPv4 client in one budget. The server's cap on the
//! connections one client holds ([`crate::http::server`]) counts clients the same way
//! ([`ClientAddress`]).
//!
//! Behind reverse proxies every connection comes from a proxy, so every client would share one
//! budget. `trusted_proxies` (`--trusted-proxies`) says how many proxies stand in front, each
//! appending the address it saw to `X-Forwarded-For`; the client is then the address the
//! outermost one saw, the `trusted_proxies`-th entry from the right. It is 0 by default and must
//! stay 0 when clients can reach the server directly: the header is the client's to write, and
//! trusting it lets anyone pick a fresh key per request. Entries further left than the trusted
//! ones are the client's own and are never read.
//!
//! # Why governor
//!
//! [`governor`] is a GCRA limiter (one 64-bit word per key, updated with a compare-and-swap, no
//! timer) with keyed state in a `DashMap`, maintained, and the base of the Tower and actix
//! limiters. Not `tower_governor`, the Tower layer over it: its 429 is plain text rather than the
//! GraphQL-shaped body every other refusal of the endpoint has; its proxy-aware key extractor
//! takes the *first* `X-Forwarded-For` address, which the client writes, whatever proxies are
//! trusted; it keys IPv6 clients by full address; and it leaves the state's growth to the caller
//! as well.
//!
//! # Bounded memory
//!
//! governor keeps a key until told to forget it. A sweep every [`SWEEP_EVERY`] drops the clients
//! whose budget has refilled (their state is then the same as a new client's), so the table
//! holds the clients of the last few seconds, and gives the map's memory back once a flood is
//! over. Within a sweep, a flood from many addresses (an IPv6 /48 holds 65,536 /64s) could still
//! add keys without end, so at most `max_clients` are tracked: once the table is full, clients
//! it does not know share one budget (`Client::Unplaced`) until a sweep makes room. Clients
//! already known keep theirs, and the flood's new addresses together get one client's share
//! rather than one each. Measured (a unit test's process, 100,000 IPv4 clients): 5.8 MB resident
//! more, 59 bytes a client (a 24-byte entry and the map's spare room); about half came back once a
//! sweep had dropped them all and shrunk the map.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::HeaderMap;
use governor::Quota;
use governor::clock::{Clock, DefaultClock};
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::{DashMapStateStore, ShrinkableKeyedStateStore};

/// How often the clients whose budget has refilled are forgotten. Every second: the sooner a
/// sweep runs after a flood, the sooner new clients get budgets of their own again, and one is
/// cheap (at the 100,000-client cap, in a debug build: 42 ms when it keeps every client, 2 ms
/// when it drops them all; it runs on a blocking thread, off the workers serving requests).
pub const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// What the rate limit allows one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests a second, on average, that one client may send.
    pub per_second: NonZeroU32,
    /// Requests one client may send at once, after a pause, before `per_second` applies.
    pub burst: NonZeroU32,
    /// Proxies in front of the server whose `X-Forwarded-For` entries are believed (see the
    /// module docs); 0 keys clients by the connection's peer address alone.
    pub trusted_proxies: usize,
    /// The most clients tracked at once; past it, new clients share one budget.
    pub max_clients: usize,
}

impl RateLimit {
    /// Requests a second one client may send when the limit is on and not given (on PostgreSQL,
    /// see `crate::command`). Far above what one person's browser or a script waiting for each
    /// answer sends, and far below what a client in a tight loop on a kept-alive connection
    /// does.
    pub const DEFAULT_PER_SECOND: NonZeroU32 = NonZeroU32::new(50).unwrap();

    /// The most clients tracked at once by default: about 6 MB (see the module docs).
    pub const DEFAULT_MAX_CLIENTS: usize = 100_000;

    /// `per_second` requests a second and `burst` at once (by default two seconds' worth, so a
    /// page that sends its queries together is not refused the second half of them), keyed by
    /// peer address.
    pub fn new(per_second: NonZeroU32, burst: Option<NonZeroU32>) -> RateLimit {
        RateLimit {
            per_second,
            burst: burst.unwrap_or(per_second.saturating_add(per_second.get())),
            trusted_proxies: 0,
            max_clients: RateLimit::DEFAULT_MAX_CLIENTS,
        }
    }

    /// The same limit, keyed by the address the outermost of `trusted_proxies` proxies saw.
    pub fn behind_proxies(self, trusted_proxies: usize) -> RateLimit {
        RateLimit {
            trusted_proxies,
            ..self
        }
    }
}

/// A client as the server's per-client limits count it: an IPv4 address, or an IPv6 /64 (see
/// "Whom it counts" above). The rate limit keeps a budget per client, and [`crate::http::server`]
/// counts the connections each holds open.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ClientAddress {
    V4(u32),
    /// The upper 64 bits of the address.
    V6Network(u64),
}

impl ClientAddress {
    /// The client `address` belongs to.
    pub fn of(address: IpAddr) -> ClientAddress {
        match address.to_canonical() {
            IpAddr::V4(address) => ClientAddress::V4(u32::from(address)),
            IpAddr::V6(address) => ClientAddress::V6Network((u128::from(address) >> 64) as u64),
        }
    }
}

/// Who a budget belongs to: a client, or every client the full table could not take.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum Client {
    Address(ClientAddress),
    /// Clients not tracked because `max_clients` were already: they share one budget.
    Unplaced,
}

/// What `/metrics` shows of the limiter (`crate::telemetry` reads it at scrape time). Refusals
/// themselves are counted with every other error, as `libgraph_errors_total{code="RATE_LIMITED"}`.
#[derive(Debug, Default)]
pub struct RateLimitCounters {
    /// Clients tracked: exact after each sweep, and counted up as new ones arrive between sweeps
    /// (two first requests of one client at the same instant may count it twice until the next).
    pub clients: AtomicU64,
    /// Requests checked against the shared budget because the table was full.
    pub unplaced: AtomicU64,
}

/// governor's `DashMap` store with at most `capacity` clients (see the module docs).
#[derive(Debug)]
struct BoundedClients {
    /// Shared with [`ClientLimiter`], which shrinks the map after a sweep: governor keeps its
    /// store to itself and offers `shrink_to_fit` only unconditionally.
    clients: Arc<DashMapStateStore<Client>>,
    capacity: usize,
    counters: Arc<RateLimitCounters>,
}

impl StateStore for BoundedClients {
    type Key = Client;

    fn measure_and_replace<T, F, E>(&self, key: &Client, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        // The known-client check first: it reads one shard, `len` reads them all.
        let key = if self.clients.contains_key(key) {
            key
        } else if self.clients.len() >= self.capacity {
            self.counters.unplaced.fetch_add(1, Ordering::Relaxed);
            &Client::Unplaced
        } else {
            self.counters.clients.fetch_add(1, Ordering::Relaxed);
            key
        };
        self.clients.measure_and_replace(key, f)
    }
}

impl ShrinkableKeyedStateStore<Client> for BoundedClients {
    fn retain_recent(&self, drop_below: Nanos) {
        ShrinkableKeyedStateStore::retain_recent(&*self.clients, drop_below);
    }

    fn shrink_to_fit(&self) {
        self.clients.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.clients.len()
    }

    fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

/// A client over its limit: how long until it may send again, in whole seconds (at least 1),
/// as `Retry-After` wants them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_seconds: u64,
}

/// The limiter of one server: every client's budget.
#[derive(Debug)]
pub struct ClientLimiter {
    limiter: governor::RateLimiter<Client, BoundedClients, DefaultClock>,
    clients: Arc<DashMapStateStore<Client>>,
    trusted_proxies: usize,
    counters: Arc<RateLimitCounters>,
    /// Whether the hint about proxies has been logged (once per server: see [`Self::check`]).
    warned_about_proxies: AtomicBool,
}

impl ClientLimiter {
    /// A limiter for `limit` counting into `counters`, and its sweep, which runs as long as the
    /// limiter does (it holds it weakly, and ends within a sweep of its drop).
    /// Within a Tokio runtime, which the sweep runs on.
    pub fn start(limit: RateLimit, counters: Arc<RateLimitCounters>) -> Arc<ClientLimiter> {
        let limiter = Arc::new(ClientLimiter::new(limit, counters));
        let swept = Arc::downgrade(&limiter);
        tokio::spawn(sweep_while_alive(swept));
        limiter
    }

    /// A limiter without its sweep.
    fn new(limit: RateLimit, counters: Arc<RateLimitCounters>) -> ClientLimiter {
        let clients = Arc::new(DashMapStateStore::<Client>::default());
        let store = BoundedClients {
            clients: clients.clone(),
            capacity: limit.max_clients,
            counters: counters.clone(),
        };
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        ClientLimiter {
            limiter: governor::RateLimiter::new(quota, store, DefaultClock::default()),
            clients,
            trusted_proxies: limit.trusted_proxies,
            counters,
            warned_about_proxies: AtomicBool::new(false),
        }
    }

    /// Counts a request from `peer` (with `headers`) against its client's budget: `Err` when the
    /// budget is spent. A request without a peer address is not limited: every connection the
    /// server accepts has one (`http::server` adds it); only a router driven without the server,
    /// as in unit tests, has none.
    pub fn check(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Result<(), Limited> {
        let Some(peer) = peer else {
            return Ok(());
        };
        let address = client_address(peer.ip(), headers, self.trusted_proxies);
        let Err(not_until) = self
            .limiter
            .check_key(&Client::Address(ClientAddress::of(address)))
        else {
            return Ok(());
        };
        if self.trusted_proxies == 0
            && headers.contains_key(X_FORWARDED_FOR)
            && !self.warned_about_proxies.swap(true, Ordering::Relaxed)
        {
            // Logged once: a client may send the header itself, but when a proxy does, every
            // client behind it is refused as one, and the operator should hear why.
            tracing::warn!(
                %peer,
                "a client over its rate limit sent X-Forwarded-For: if the server is behind \
                 reverse proxies, every client behind them shares one budget until \
                 --trusted-proxies says how many there are"
            );
        }
        let wait = not_until.wait_time_from(self.limiter.clock().now());
        Err(Limited {
            retry_after_seconds: whole_seconds(wait),
        })
    }

    /// Forgets the clients whose budget has refilled, and gives the map's memory back when it
    /// holds far fewer clients than it has room for (after a flood).
    fn sweep(&self) {
        self.limiter.retain_recent();
        let tracked = self.clients.len();
        if self.clients.capacity() > 4 * tracked.max(1024) {
            self.clients.shrink_to_fit();
        }
        self.counters
            .clients
            .store(tracked as u64, Ordering::Relaxed);
    }
}

/// Sweeps `limiter` every [`SWEEP_EVERY`] until it is dropped.
async fn sweep_while_alive(limiter: Weak<ClientLimiter>) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(limiter) = limiter.upgrade() else {
            return;
        };
        // A failed sweep (it cannot panic short of a bug) leaves the table to the next one.
        let _ = tokio::task::spawn_blocking(move || limiter.sweep()).await;
    }
}

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The address a request is counted under: the peer's, or with `trusted_proxies` proxies in
/// front, the `trusted_proxies`-th `X-Forwarded-For` entry from the right (the leftmost when
/// there are fewer, all of which a trusted proxy wrote). An entry that is not an address (a
/// proxy may write `unknown`) leaves the peer's.
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted_proxies: usize) -> IpAddr {
    if trusted_proxies == 0 {
        return peer;
    }
    // Header lines in order, each a comma-separated list: RFC 9110 lets them be joined.
    headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .rev()
        .take(trusted_proxies)
        .last()
        .and_then(forwarded_address)
        .unwrap_or(peer)
}

/// An `X-Forwarded-For` entry's address: `192.0.2.1`, `2001:db8::1`, or with a port as some
/// proxies write it (`192.0.2.1:4711`, `[2001:db8::1]:4711`), or bracketed without one.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .or_else(|| {
            let bracketed = entry.strip_prefix('[')?.strip_suffix(']')?;
            bracketed.parse().ok()
        })
}

/// `wait` in whole seconds, rounded up, at least 1: `Retry-After` takes whole seconds, and 0 would
/// invite the client straight back while its budget is still spent.
fn whole_seconds(wait: Duration) -> u64 {
    let rounded_up = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    rounded_up.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(
                X_FORWARDED_FOR,
                HeaderValue::from_str(line).expect("a header value"),
            );
        }
        headers
    }

    fn limit(per_second: u32, burst: u32) -> RateLimit {
        RateLimit::new(
            NonZeroU32::new(per_second).expect("nonzero"),
            NonZeroU32::new(burst),
        )
    }

    fn peer(text: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip(text), 40_000))
    }

    #[test]
    fn ipv4_clients_are_addresses_and_ipv6_clients_are_64_bit_networks() {
        assert_eq!(
            ClientAddress::of(ip("192.0.2.1")),
            ClientAddress::of(ip("192.0.2.1"))
        );
        assert_ne!(
            ClientAddress::of(ip("192.0.2.1")),
            ClientAddress::of(ip("192.0.2.2"))
        );
        assert_eq!(
            ClientAddress::of(ip("2001:db8:1:2::1")),
            ClientAddress::of(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            ClientAddress::of(ip("2001:db8:1:2::1")),
            ClientAddress::of(ip("2001:db8:1:3::1"))
        );
        // A dual-stack listener's IPv4 clients: one each, not one /64 for all of them.
        assert_eq!(
            ClientAddress::of(ip("::ffff:192.0.2.1")),
            ClientAddress::of(ip("192.0.2.1"))
        );
        assert_ne!(
            ClientAddress::of(ip("::ffff:192.0.2.1")),
            ClientAddress::of(ip("::ffff:192.0.2.2"))
        );
    }

    #[test]
    fn forwarded_for_is_read_only_as_far_as_proxies_are_trusted() {
        let peer = ip("10.0.0.1");
        let chain = forwarded(&["198.51.100.7, 203.0.113.5", "192.0.2.9"]);

        assert_eq!(client_address(peer, &chain, 0), peer, "untrusted: ignored");
        assert_eq!(client_address(peer, &chain, 1), ip("192.0.2.9"));
        assert_eq!(client_address(peer, &chain, 2), ip("203.0.113.5"));
        assert_eq!(client_address(peer, &chain, 3), ip("198.51.100.7"));
        assert_eq!(
            client_address(peer, &chain, 9),
            ip("198.51.100.7"),
            "fewer entries than proxies: the leftmost, which a proxy wrote"
        );
        assert_eq!(client_address(peer, &HeaderMap::new(), 1), peer);
        assert_eq!(client_address(peer, &forwarded(&["unknown"]), 1), peer);
        assert_eq!(
            client_address(peer, &forwarded(&["192.0.2.1:4711"]), 1),
            ip("192.0.2.1")
        );
        assert_eq!(
            client_address(peer, &forwarded(&["[2001:db8::1]:4711"]), 1),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(peer, &forwarded(&["[2001:db8::1]"]), 1),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_client_past_its_burst_is_told_to_wait_whole_seconds() {
        let limiter = ClientLimiter::new(limit(1, 2), Arc::default());
        let headers = HeaderMap::new();

        let first = limiter.check(peer("192.0.2.1"), &headers);
        let second = limiter.check(peer("192.0.2.1"), &headers);
        let third = limiter.check(peer("192.0.2.1"), &headers);
        let other = limiter.check(peer("192.0.2.2"), &headers);
        let unknown_peer = limiter.check(None, &headers);

        assert_eq!((first, second), (Ok(()), Ok(())));
        assert_eq!(
            third,
            Err(Limited {
                retry_after_seconds: 1
            })
        );
        assert_eq!((other, unknown_peer), (Ok(()), Ok(())));
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(2_001)), 3);
    }

    #[test]
    fn the_default_burst_is_two_seconds_worth() {
        let limit = RateLimit::new(NonZeroU32::new(50).expect("nonzero"), None);

        assert_eq!(limit.burst.get(), 100);
        assert_eq!(limit.trusted_proxies, 0);
    }

    #[test]
    fn past_max_clients_new_clients_share_one_budget_and_known_ones_keep_theirs() {
        let counters = Arc::new(RateLimitCounters::default());
        let limiter = ClientLimiter::new(
            RateLimit {
                max_clients: 2,
                ..limit(1, 1)
            },
            counters.clone(),
        );
        let headers = HeaderMap::new();
        assert!(limiter.check(peer("192.0.2.1"), &headers).is_ok());
        assert!(limiter.check(peer("192.0.2.2"), &headers).is_ok());

        let third = limiter.check(peer("192.0.2.3"), &headers);
        let fourth = limiter.check(peer("192.0.2.4"), &headers);
        let known = limiter.check(peer("192.0.2.2"), &headers);

        assert!(third.is_ok(), "the shared budget's first request");
        assert!(fourth.is_err(), "the shared budget is spent");
        assert!(
            known.is_err(),
            "a known client still has its own budget, spent"
        );
        assert_eq!(counters.unplaced.load(Ordering::Relaxed), 2);
        assert!(
            limiter.clients.len() <= 3,
            "two clients and the shared budget"
        );
    }

    #[test]
    fn a_sweep_forgets_clients_whose_budget_has_refilled_and_keeps_the_others() {
        let counters = Arc::new(RateLimitCounters::default());
        // A fast client's budget refills in a millisecond, a slow one's in a second.
        let fast = ClientLimiter::new(limit(1_000, 1), counters.clone());
        let slow = ClientLimiter::new(limit(1, 1), Arc::default());
        for n in 0..100u8 {
            let address = peer(&format!("192.0.2.{n}"));
            assert!(fast.check(address, &HeaderMap::new()).is_ok());
            assert!(slow.check(address, &HeaderMap::new()).is_ok());
        }
        assert_eq!(counters.clients.load(Ordering::Relaxed), 100);
        std::thread::sleep(Duration::from_millis(20));

        fast.sweep();
        slow.sweep();

        assert_eq!(fast.clients.len(), 0);
        assert_eq!(counters.clients.load(Ordering::Relaxed), 0);
        assert_eq!(slow.clients.len(), 100, "their budgets are still spent");
    }

    #[tokio::test]
    async fn the_sweep_ends_with_its_limiter() {
        let limiter = ClientLimiter::start(limit(1, 1), Arc::default());
        let swept = Arc::downgrade(&limiter);
        let sweep = tokio::spawn(sweep_while_alive(swept));

        drop(limiter);

        tokio::time::timeout(SWEEP_EVERY * 3, sweep)
            .await
            .expect("the sweep stopped")
            .expect("it did not panic");
    }
}
