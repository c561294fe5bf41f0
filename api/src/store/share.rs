//! One request's share of the database pool: how many of its statements may run at once.
//!
//! A request runs its statements side by side: its root fields, and each loader's batch of a
//! level. Unbounded, one document could take every connection of the pool: 1,000 aliased
//! `collaborationNetwork` fields each read their memberships at once, the pool's ten
//! connections were all theirs, and every other client waited for a connection until it gave
//! up with `DATABASE_UNAVAILABLE` (5 s later). [`scope`] gives the statements of the future it
//! runs a number of turns, and each statement takes one for as long as it runs ([`turn`]), so a
//! request holds at most that many connections and the rest of the pool keeps answering others.
//!
//! The share is a task-local rather than an argument: a request's resolvers and its loaders'
//! fetches all run in the request's own task ([`crate::graphql::executor::batch`] polls them
//! there), and the twenty places that run a statement need no new parameter threaded through
//! every reader. A statement outside any scope (the command line, readiness, tests calling the
//! store directly) runs without a turn.
//!
//! A turn is held for one statement only, never across another statement or a loader: a
//! resolver that held one while waiting for a batch that needs one could wait on itself.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

tokio::task_local! {
    static SHARE: Arc<Semaphore>;
}

/// Runs `work` with at most `statements` of its statements running at once (at least one).
pub async fn scope<F: Future>(statements: usize, work: F) -> F::Output {
    SHARE
        .scope(Arc::new(Semaphore::new(statements.max(1))), work)
        .await
}

/// Waits for a turn to run one statement in the current request's share; `None` outside a
/// request. Hold it until the statement's rows have been read.
pub async fn turn() -> Option<OwnedSemaphorePermit> {
    let share = SHARE.try_with(Arc::clone).ok()?;
    share.acquire_owned().await.ok()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn statements_of_a_scope_take_turns_and_none_are_needed_outside_one() {
        assert!(turn().await.is_none());
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let statement = || {
            let running = running.clone();
            let most = most.clone();
            async move {
                let _turn = turn().await.expect("inside a scope");
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                running.fetch_sub(1, Ordering::SeqCst);
            }
        };
        scope(
            3,
            futures_util::future::join_all((0..12).map(|_| statement())),
        )
        .await;
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }
}
