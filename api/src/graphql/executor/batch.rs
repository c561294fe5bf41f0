//! Runs each request's DataLoader fetches inside the request's own task, so that batching does
//! not depend on timing.
//!
//! async-graphql's `DataLoader` collects keys for a short delay (1 ms) after the first one and
//! then fetches them, on a task given to its spawner. With `tokio::spawn` that task runs on
//! another worker thread while the request is still resolving fields: on a page of thousands of
//! children, registering their keys takes longer than the delay, the batch is cut part-way, and
//! the statements of a query grow with its page sizes (measured: 19 statements for the nested
//! benchmark query at 20 per page, 201 at 40).
//!
//! Here the spawner only queues the fetch; [`Batched`] polls the queued fetches in the same task
//! as the query, after the query's own futures have run as far as they can. Every key that a
//! level of the query asks for is therefore registered before the delay even starts, and one
//! level costs one statement per loader, whatever the page sizes.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use async_graphql::{Executor, Request, Response};
use futures_util::stream::{BoxStream, FuturesUnordered, StreamExt};
use futures_util::task::AtomicWaker;
use sea_orm::DatabaseConnection;

use super::admission::Admission;
use super::lean::Trace;
use super::rules::{self, DepthLimit, SizeLimit};
use super::shape::{self, Shapes};
use super::variables::{self, InputTypes};
use super::{codes, cost};
use crate::graphql::{LibgraphSchema, Limits};
use crate::store::loader::loaders;
use crate::store::page::TextOrder;
use crate::store::share;

type Task = std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The fetches one request has queued, and the waker of the task that runs them.
#[derive(Default)]
struct Queue {
    tasks: Mutex<Vec<Task>>,
    waker: AtomicWaker,
}

impl Queue {
    fn push(&self, task: Task) {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(task);
        self.waker.wake();
    }

    fn take(&self) -> Vec<Task> {
        std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A waker that remembers whether it was woken, passing the wake on.
struct Flagged {
    inner: Waker,
    woken: AtomicBool,
}

impl Wake for Flagged {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.inner.wake_by_ref();
    }
}

/// Runs `work`, and the fetches its loaders queue, in the calling task.
///
/// The fetches are polled only when `work` is waiting for something else: async-graphql's
/// executor polls a few nested lists at a time and then wakes itself to go on (a cooperative
/// yield), and while it does so it is still registering keys. Starting a fetch then would start
/// its delay, and the batch would be cut when the delay ends, part-way through the level.
async fn run_with_queue<T>(queue: Arc<Queue>, work: impl Future<Output = T>) -> T {
    let mut work = pin!(work);
    let mut running: FuturesUnordered<Task> = FuturesUnordered::new();
    poll_fn(move |cx| {
        let flag = Arc::new(Flagged {
            inner: cx.waker().clone(),
            woken: AtomicBool::new(false),
        });
        let waker = Waker::from(flag.clone());
        if let Poll::Ready(out) = work.as_mut().poll(&mut Context::from_waker(&waker)) {
            return Poll::Ready(out);
        }
        if flag.woken.load(Ordering::Acquire) {
            // It yielded and will be polled again at once: let it finish what it is doing.
            return Poll::Pending;
        }
        loop {
            queue.waker.register(cx.waker());
            running.extend(queue.take());
            match running.poll_next_unpin(cx) {
                // A fetch finished: its results woke `work`; poll any others that are ready.
                Poll::Ready(Some(())) => continue,
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await
}

/// The schema with per-request loaders whose fetches run in the request's task; it also refuses
/// documents too long to parse ([`rules::check_length`]) or that do not parse, select too many fields once expanded ([`rules::check_size`]), nest too deep or break a rule async-graphql does not check
/// ([`rules::check`], [`variables::check_usages`]), variables their operation cannot take
/// ([`variables::coerce`]) and documents that cost too much ([`cost::refusal`]), leaves out the
/// arguments given a variable without a value ([`variables::without_absent`]), lets a document
/// execute only when its cost fits what is already running ([`Admission`]), runs it within its
/// deadline and its share of the pool ([`share`]), shows its cost ([`cost::shown`]), completes the
/// response as the specification says ([`shape::complete`]) and gives every error a code
/// ([`codes::complete`]).
#[derive(Clone)]
pub struct Batched {
    schema: LibgraphSchema,
    db: DatabaseConnection,
    max_cost: usize,
    /// The longest document text parsed ([`rules::check_length`]).
    max_query_bytes: usize,
    size: SizeLimit,
    max_memberships: usize,
    /// [`TextOrder::of`] the database, asked when the server started.
    text_order: TextOrder,
    admission: Admission,
    depth: DepthLimit,
    /// How long a document may execute ([`Limits::execution_timeout`]).
    deadline: std::time::Duration,
    /// How many statements it may run at once ([`crate::store::share`]).
    share: usize,
    /// The schema's types, for completing responses as the specification says ([`shape`]).
    shapes: Arc<Shapes>,
    /// The schema's input types, for coercing variables ([`variables`]).
    inputs: Arc<InputTypes>,
}

impl Batched {
    pub fn new(
        schema: LibgraphSchema,
        db: DatabaseConnection,
        limits: Limits,
        text_order: TextOrder,
    ) -> Result<Self, String> {
        let sdl = schema.sdl();
        let shapes = Shapes::from_sdl(&sdl)
            .map_err(|error| format!("the schema's SDL does not parse: {error}"))?;
        let inputs = InputTypes::from_sdl(&sdl)
            .map_err(|error| format!("the schema's SDL does not parse: {error}"))?;
        Ok(Batched {
            schema,
            db,
            max_cost: limits.max_complexity,
            max_query_bytes: limits.max_query_bytes,
            size: limits.size(),
            max_memberships: limits.max_memberships,
            text_order,
            admission: Admission::new(limits.admission),
            depth: limits.depth(),
            deadline: limits.execution_timeout,
            share: limits.db_request_share,
            shapes: Arc::new(shapes),
            inputs: Arc::new(inputs),
        })
    }
}

impl Batched {
    /// Executes `request` and counts how its pages and objects were resolved ([`Trace`]): for
    /// tests and diagnostics that must know which executor answered.
    pub async fn execute_traced(&self, request: Request) -> (Response, Arc<Trace>) {
        let trace = Arc::new(Trace::default());
        let response = self.run(request.data(trace.clone())).await;
        (response, trace)
    }

    async fn run(&self, mut request: Request) -> Response {
        if let Err(error) = rules::check_length(&request.query, self.max_query_bytes) {
            return Response::from_errors(vec![error]);
        }
        // Parsed once here; the schema executes the parsed document the request now holds.
        let mut document = match request.parsed_query() {
            Ok(document) => document.clone(),
            Err(error) => {
                let error = rules::too_deep(&request.query, self.depth)
                    .unwrap_or_else(|| codes::with_code(error, "GRAPHQL_PARSE_FAILED"));
                return Response::from_errors(vec![error]);
            }
        };
        // Without an operation to run, async-graphql refuses the request in its own words.
        let mut absent = Default::default();
        if let Some(operation) = shape::operation(&document, request.operation_name.as_deref()) {
            if let Err(error) = rules::check_size(&document, &operation.node, self.size)
                .and_then(|()| rules::check(&document, &operation.node, self.depth))
                .and_then(|()| variables::check_usages(&self.inputs, &document, &operation.node))
            {
                return Response::from_errors(vec![error]);
            }
            match variables::coerce(&self.inputs, &operation.node, &request.variables) {
                Ok(coerced) => {
                    request.variables = coerced.variables;
                    absent = coerced.absent;
                }
                // The spec validates before it coerces: a document that is not valid is
                // refused as such.
                Err(errors) => {
                    let invalid = variables::validation_errors(&self.schema, &document).await;
                    let errors = if invalid.is_empty() { errors } else { invalid };
                    return Response::from_errors(errors);
                }
            }
        }
        if !absent.is_empty() {
            let invalid = variables::validation_errors(&self.schema, &document).await;
            if !invalid.is_empty() {
                return Response::from_errors(invalid);
            }
            let name = request.operation_name.as_deref();
            document = variables::without_absent(document, name, &absent);
        }
        let cost = cost::document_cost(&document, &request.variables);
        if let Some(error) = cost::refusal(cost, self.max_cost) {
            return cost::shown(Response::from_errors(vec![error]), cost, self.max_cost);
        }
        shape::prepare(&mut document);
        request.set_parsed_query(document.clone());
        let operation_name = request.operation_name.clone();
        let variables = request.variables.clone();
        // Held while the document executes: its field futures, the memory that grows with its cost,
        // are gone when it returns.
        let _admitted = match self.admission.admit(cost).await {
            Ok(admitted) => admitted,
            Err(error) => {
                return cost::shown(Response::from_errors(vec![error]), cost, self.max_cost);
            }
        };
        let queue = Arc::new(Queue::default());
        let spawner = {
            let queue = queue.clone();
            move |task: Task| queue.push(task)
        };
        // Loaders are per request: their caches must not outlive it or leak across clients.
        let loaders = loaders(
            self.db.clone(),
            self.max_memberships,
            self.text_order,
            spawner,
        );
        let request = request.data(loaders);
        // The deadline drops the execution, and with it every statement it was waiting on (each
        // gives its connection back as it is dropped). A network or a path being computed on a
        // blocking thread finishes there, bounded by `--max-memberships` (about a second).
        let execution = share::scope(
            self.share,
            run_with_queue(queue, self.schema.execute(request)),
        );
        let mut response = match tokio::time::timeout(self.deadline, execution).await {
            Ok(response) => response,
            Err(_) => Response::from_errors(vec![codes::timeout(self.deadline)]),
        };
        if let Some(operation) = shape::operation(&document, operation_name.as_deref()) {
            shape::complete(
                &self.shapes,
                &document,
                &operation.node,
                &variables,
                &mut response,
            );
        }
        codes::complete(&mut response);
        cost::shown(response, cost, self.max_cost)
    }
}

impl Executor for Batched {
    async fn execute(&self, request: Request) -> Response {
        self.run(request).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, Response> {
        // The schema has no subscriptions; this only answers with the schema's own error.
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn queued_tasks_run_only_once_the_work_waits_and_all_of_them_run() {
        let queue = Arc::new(Queue::default());
        let ran = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel::<usize>();
        let work = {
            let queue = queue.clone();
            let ran = ran.clone();
            async move {
                // Queue a task, and check it has not run while this future has not yielded.
                let seen = ran.clone();
                queue.push(Box::pin(async move {
                    seen.fetch_add(1, Ordering::SeqCst);
                    let _ = tx.send(41);
                }));
                assert_eq!(ran.load(Ordering::SeqCst), 0);
                rx.await.unwrap_or(0) + 1
            }
        };

        let answer = run_with_queue(queue, work).await;

        assert_eq!(answer, 42);
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}
