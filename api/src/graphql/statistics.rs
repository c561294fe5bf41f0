//! Dashboard statistics as the schema serves them: only the figures a query selects are read, each
//! one statement of [`crate::store::statistics`].

use async_graphql::{Context, Object, SimpleObject};
use sea_orm::DatabaseConnection;

use super::object::value::Money;
use crate::store::StoreResult;
use crate::store::statistics::{self, Tally};

/// A count under a key.
#[derive(SimpleObject, Clone, Debug)]
pub struct Count {
    /// What is counted, depending on the list: an ISO 3166-1 alpha-2 country code or `unknown`, an
    /// organization kind in lowercase (`public_authority`), an SDG number, a slug or a year.
    pub key: String,
    /// A readable label for the key, where there is one (the SDG's, programme's or funder's name);
    /// null otherwise.
    pub label: Option<String>,
    /// How many there are under `key`.
    pub count: i64,
}

/// A funder's total in one currency.
#[derive(SimpleObject, Clone, Debug)]
pub struct FundingTotal {
    /// The funder's slug.
    pub funder: String,
    /// The funder's name as the source writes it.
    pub funder_name: String,
    /// The sum of its stated amounts in one currency.
    pub total: Money,
    /// How many fundings with a stated amount the total sums.
    pub fundings: i64,
}

/// Counts for dashboards.
pub struct Statistics;

/// One figure of counts, read by `read` from the store.
async fn counts<'a, F>(
    ctx: &'a Context<'_>,
    read: impl FnOnce(&'a DatabaseConnection) -> F,
) -> async_graphql::Result<Vec<Count>>
where
    F: Future<Output = StoreResult<Vec<Tally>>>,
{
    let db = ctx.data::<DatabaseConnection>()?;
    Ok(read(db)
        .await?
        .into_iter()
        .map(|t| Count {
            key: t.key,
            label: t.label,
            count: t.count,
        })
        .collect())
}

/// Counts for dashboards.
#[Object]
impl Statistics {
    /// Organizations per country (key: ISO 3166-1 alpha-2 code, or `unknown` when no place or
    /// country is recorded); most first.
    async fn organizations_by_country(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::organizations_by_country).await
    }
    /// Libraries per country (key: ISO 3166-1 alpha-2 code, or `unknown` when no place or country
    /// is recorded): the organizations of kind `LIBRARY`, the ones `libraries` lists, so each count
    /// is that list's `totalCount` filtered by the country; most first.
    async fn libraries_by_country(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::libraries_by_country).await
    }
    /// Organizations per kind (key: the kind in lowercase, `public_authority`, not the enum name);
    /// most first.
    async fn organizations_by_kind(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::organizations_by_kind).await
    }
    /// Records classified under each SDG, every SDG listed even at 0 (key: the goal's number,
    /// label: its name); most first, ties by key as text.
    async fn records_by_sdg(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::records_by_sdg).await
    }
    /// Projects and events run directly under each programme (not its sub-programmes; key:
    /// programme slug, label: its name); programmes with none are left out; most first.
    async fn activities_by_programme(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::activities_by_programme).await
    }
    /// Fundings per funder, with or without an amount (key: funder slug, label: its name); most
    /// first.
    async fn fundings_by_funder(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::fundings_by_funder).await
    }
    /// Projects, programmes and events per first year, `period.yearFrom` (key: the year; undated
    /// ones are not counted); earliest year first.
    async fn activities_by_year(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Count>> {
        counts(ctx, statistics::activities_by_year).await
    }
    /// Funded amounts per funder and currency, largest total first in minor units whatever the
    /// currency (fundings without an amount are left out).
    async fn funding_totals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FundingTotal>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(statistics::funding_totals(db)
            .await?
            .into_iter()
            .map(|sum| FundingTotal {
                funder: sum.funder,
                funder_name: sum.funder_name,
                total: Money::new(sum.total_minor, &sum.currency),
                fundings: sum.fundings,
            })
            .collect())
    }
}
