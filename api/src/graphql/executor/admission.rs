//! Admission: how much query cost may execute at once, so that a burst of large queries waits its
//! turn instead of raising the server's memory without bound.
//!
//! A nested query holds a future for every field it is resolving: a loader batches a level only
//! when every sibling has asked for its key, so all of a level's fields are alive at once. At size
//! M the benchmark's nested query (cost 212,626) peaked at 27 MB of heap, 21 MB of it those
//! futures, and eight at once took the server from 25 MB to 235 MB resident, while answering no
//! faster than three at once on two cores. (Those figures predate [`super::lean`], which resolves
//! pages with fewer futures; at 8 connections the same query now peaks at 109-125 MB resident
//! with the default pool.) Memory follows what executes, so admission weighs a request by the cost
//! [`super::cost`] gives its document: each takes that many permits from one pool, for as long as
//! it runs.
//!
//! Small queries (at most [`AdmissionLimits::free_cost`]) are not weighed at all: a node by ID or
//! a search holds a few kilobytes, and must never wait behind a large one. The pool is fair, so
//! a large query is not starved by a stream of medium ones, and one that cannot start within
//! [`AdmissionLimits::wait`] is answered `OVERLOADED` (HTTP 503 with `Retry-After`), never queued
//! for ever.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Pos, ServerError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The code of the error a request gets when it could not start in time; the HTTP layer answers
/// it with 503.
pub const OVERLOADED: &str = "OVERLOADED";

/// How much may execute at once, and how long a request may wait to start.
#[derive(Clone, Copy, Debug)]
pub struct AdmissionLimits {
    /// The most query cost executing at once. The default, twice the highest cost accepted,
    /// lets two of the largest queries run together: on two cores that answers as many per
    /// second as eight would, with a quarter of their memory.
    pub max_cost_in_flight: usize,
    /// Queries costing at most this start at once, whatever else is running.
    pub free_cost: usize,
    /// How long a request may wait to start before it is refused with `OVERLOADED`.
    pub wait: Duration,
}

impl Default for AdmissionLimits {
    fn default() -> Self {
        AdmissionLimits {
            max_cost_in_flight: 500_000,
            free_cost: 2_000,
            wait: Duration::from_secs(10),
        }
    }
}

/// The pool of cost that executing requests draw from; shared by every clone of the executor.
#[derive(Clone)]
pub struct Admission {
    pool: Arc<Semaphore>,
    /// Permits in the pool: no request takes more, so the largest accepted query can always run
    /// once everything before it has finished.
    capacity: u32,
    limits: AdmissionLimits,
}

/// A request's share of the pool, given back when it is dropped (when the request has finished,
/// however it finished).
pub struct Admitted(#[allow(dead_code)] Option<OwnedSemaphorePermit>);

impl Admission {
    pub fn new(limits: AdmissionLimits) -> Self {
        // tokio's pool counts permits in u32 and holds at most `usize::MAX >> 3` of them.
        let capacity = u32::try_from(limits.max_cost_in_flight.max(1))
            .unwrap_or(u32::MAX)
            .min(u32::try_from(Semaphore::MAX_PERMITS).unwrap_or(u32::MAX));
        Admission {
            pool: Arc::new(Semaphore::new(capacity as usize)),
            capacity,
            limits,
        }
    }

    /// Waits until a request of `cost` may start, or refuses it with `OVERLOADED` after the wait.
    pub async fn admit(&self, cost: usize) -> Result<Admitted, ServerError> {
        if cost <= self.limits.free_cost {
            return Ok(Admitted(None));
        }
        let permits = u32::try_from(cost).unwrap_or(u32::MAX).min(self.capacity);
        let acquire = self.pool.clone().acquire_many_owned(permits);
        match tokio::time::timeout(self.limits.wait, acquire).await {
            Ok(Ok(permit)) => Ok(Admitted(Some(permit))),
            // The pool is never closed; treat it as busy all the same.
            Ok(Err(_)) | Err(_) => Err(self.overloaded()),
        }
    }

    fn overloaded(&self) -> ServerError {
        let mut error = ServerError::new(
            format!(
                "the server is busy with other large queries and this one could not start within \
                 {} s; retry later, or ask for smaller pages or fewer levels",
                self.limits.wait.as_secs_f64()
            ),
            Some(Pos { line: 1, column: 1 }),
        );
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", OVERLOADED);
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(max: usize, wait_ms: u64) -> Admission {
        Admission::new(AdmissionLimits {
            max_cost_in_flight: max,
            free_cost: 10,
            wait: Duration::from_millis(wait_ms),
        })
    }

    fn code(error: &ServerError) -> Option<String> {
        match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        }
    }

    #[tokio::test]
    async fn requests_that_fit_run_together_and_one_that_does_not_is_refused_after_the_wait() {
        let admission = admission(100, 20);

        let first = admission.admit(60).await;
        let second = admission.admit(40).await;
        let third = admission.admit(30).await;

        assert!(first.is_ok() && second.is_ok());
        let error = third.err().expect("the pool is full");
        assert_eq!(code(&error).as_deref(), Some(OVERLOADED));
        assert!(error.message.contains("retry later"), "{}", error.message);
    }

    #[tokio::test]
    async fn a_waiting_request_starts_when_a_running_one_finishes() {
        let admission = admission(100, 5_000);
        let running = admission.admit(100).await.expect("an empty pool admits");

        let waiting = tokio::spawn({
            let admission = admission.clone();
            async move { admission.admit(50).await.is_ok() }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !waiting.is_finished(),
            "it must wait while the pool is full"
        );
        drop(running);

        assert!(waiting.await.expect("the task ran"));
    }

    #[tokio::test]
    async fn small_queries_never_wait_and_the_largest_takes_the_whole_pool() {
        let admission = admission(100, 20);
        // More than the pool holds: it takes all of it rather than waiting for ever.
        let largest = admission.admit(1_000).await.expect("an empty pool admits");

        assert!(
            admission.admit(10).await.is_ok(),
            "free cost starts at once"
        );
        assert!(admission.admit(11).await.is_err(), "the rest waits");
        drop(largest);
        assert!(admission.admit(100).await.is_ok());
    }
}
