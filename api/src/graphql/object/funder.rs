//! `Funder`: an organization in its role as a funder.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{funding, organization};

use super::{Funding, Organization, PageInput, child, child_connection, child_page, loaders, spec};

use crate::graphql::connection::Conn;
use crate::graphql::id::{NodeType, encode};
use crate::store::loader::FundingTotals;

/// An organization in its role as a funder: what it funds, through which programmes, and how much.
pub struct Funder(pub Arc<organization::Model>);

impl Funder {
    /// The funder view of an organization, if it funds anything.
    pub async fn of(
        ctx: &Context<'_>,
        model: Arc<organization::Model>,
    ) -> async_graphql::Result<Option<Funder>> {
        // In the list's own order, which its index holds: whether it has a first row.
        let spec = spec(&child::FUNDINGS_GIVEN, Vec::new());
        let (page, _) = child_page::<funding::Entity>(
            ctx,
            model.organization_id,
            spec,
            PageInput {
                first: Some(1),
                ..Default::default()
            },
        )
        .await?;
        Ok((!page.rows.is_empty()).then_some(Funder(model)))
    }
}

/// An organization in its role as a funder: what it funds, through which programmes, and how much.
#[Object]
impl Funder {
    /// The funding organization's global ID, the same as `organization.id` (`node` returns the
    /// organization).
    pub async fn id(&self) -> ID {
        encode(NodeType::Organization, self.0.organization_id)
    }
    /// The funding organization.
    async fn organization(&self) -> Organization {
        Organization::from_model(self.0.clone())
    }
    /// Everything it funds, earliest first, undated last; the same list as
    /// `organization.fundingsGiven`.
    async fn fundings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Funding>> {
        let spec = spec(&child::FUNDINGS_GIVEN, Vec::new());
        child_connection::<funding::Entity, _>(
            ctx,
            self.0.organization_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Funding(m.clone()),
        )
        .await
    }
    /// Amounts funded, summed per currency, by currency code (fundings without a stated amount are
    /// not counted).
    async fn totals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::value::Money>> {
        let totals = loaders(ctx)?
            .load_one(FundingTotals(self.0.organization_id))
            .await?
            .unwrap_or_default();
        Ok(totals
            .iter()
            .map(|(currency, total)| super::value::Money::new(*total, currency))
            .collect())
    }
}
