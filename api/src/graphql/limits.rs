//! The limits a request is held to, as a query field (`limits`): what a client can ask before it
//! is refused, read from the running server rather than from documentation that may differ from
//! its flags.

use async_graphql::{Context, Object, SimpleObject};

use super::Limits;
use super::collaboration::{DEFAULT_NETWORK_NODES, MAX_NETWORK_NODES};
use super::executor::cost::PRICES;
use crate::store::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// A figure as a GraphQL `Int`, which is 32 bits: a limit configured beyond it reads as its largest.
fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A field that costs more than what it selects, because of what it computes.
#[derive(SimpleObject, Clone, Debug)]
pub struct FieldPrice {
    /// The type the field belongs to.
    pub type_name: String,
    /// The field's name.
    pub field: String,
    /// What one such field adds to a query's cost, before what it selects.
    pub price: i32,
}

/// The limits of this server, as it was started.
pub struct ServerLimits(pub Limits);

/// What one request may ask of this server. A query over a limit is refused with the code in the
/// field's description, and each response's `extensions.cost` shows what its query cost.
#[Object]
impl ServerLimits {
    /// The highest cost a query may have (`QUERY_TOO_COMPLEX`). A field costs 1 plus what it
    /// selects times its page size (`first` or `last`, `DEFAULT_PAGE_SIZE` when a connection
    /// gives neither; a network's `limit`), plus the price of the few fields in `prices`.
    async fn max_cost(&self) -> i32 {
        int(self.0.max_complexity)
    }
    /// The fields that cost more than what they select, and their price.
    async fn prices(&self) -> Vec<FieldPrice> {
        PRICES
            .iter()
            .map(|p| FieldPrice {
                type_name: p.type_name.to_owned(),
                field: p.field.to_owned(),
                price: int(p.price),
            })
            .collect()
    }
    /// The most levels of fields a query may nest (`QUERY_TOO_DEEP`).
    async fn max_depth(&self) -> i32 {
        int(self.0.max_depth)
    }
    /// The longest query text accepted, in bytes (`QUERY_TOO_LARGE`, before it is parsed).
    async fn max_query_bytes(&self) -> i32 {
        int(self.0.max_query_bytes)
    }
    /// The most fields a query may select once its fragments are expanded (`QUERY_TOO_LARGE`).
    async fn max_selections(&self) -> i32 {
        int(self.0.max_selections)
    }
    /// The most fields written with an alias, once fragments are expanded (`QUERY_TOO_LARGE`).
    async fn max_aliases(&self) -> i32 {
        int(self.0.max_aliases)
    }
    /// The most root fields, once fragments are expanded (`QUERY_TOO_LARGE`).
    async fn max_root_fields(&self) -> i32 {
        int(self.0.max_root_fields)
    }
    /// The most `__schema` and `__type` fields, once fragments are expanded (`QUERY_TOO_LARGE`).
    async fn max_introspections(&self) -> i32 {
        int(self.0.max_introspections)
    }
    /// The most errors a response lists; it counts the others in `extensions.omittedErrors`.
    async fn max_errors(&self) -> i32 {
        int(self.0.max_errors)
    }
    /// Seconds a query may execute before it is stopped (`TIMEOUT`).
    async fn execution_timeout_seconds(&self) -> f64 {
        self.0.execution_timeout.as_secs_f64()
    }
    /// The most cost executing at once; a query that cannot start within `admissionWaitSeconds`
    /// is refused (`OVERLOADED`). Queries costing at most `freeCost` never wait.
    async fn max_cost_in_flight(&self) -> i32 {
        int(self.0.admission.max_cost_in_flight)
    }
    /// Queries costing at most this start at once, whatever else is running.
    async fn free_cost(&self) -> i32 {
        int(self.0.admission.free_cost)
    }
    /// Seconds a query may wait for room to execute.
    async fn admission_wait_seconds(&self) -> f64 {
        self.0.admission.wait.as_secs_f64()
    }
    /// The largest page a connection gives (`first`, `last`).
    async fn max_page_size(&self) -> i32 {
        int(MAX_PAGE_SIZE as usize)
    }
    /// The page a connection gives when neither `first` nor `last` is.
    async fn default_page_size(&self) -> i32 {
        int(DEFAULT_PAGE_SIZE as usize)
    }
    /// The largest `limit` of `collaborationNetwork`.
    async fn max_network_nodes(&self) -> i32 {
        MAX_NETWORK_NODES
    }
    /// The organizations `collaborationNetwork` keeps when `limit` is not given.
    async fn default_network_nodes(&self) -> i32 {
        DEFAULT_NETWORK_NODES
    }
    /// The most activity memberships a collaboration computation may read (`TOO_BROAD`).
    async fn max_memberships(&self) -> i32 {
        int(self.0.max_memberships)
    }
}

/// Resolves `limits`.
pub fn limits(ctx: &Context<'_>) -> ServerLimits {
    ServerLimits(ctx.data_opt::<Limits>().copied().unwrap_or_default())
}
