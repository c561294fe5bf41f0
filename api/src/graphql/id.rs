//! Opaque global IDs (Relay): `base64url("Type:id")`. Clients must treat them as opaque; the
//! type inside lets `node(id:)` find the row and reject an ID of one type used as another.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::store::error::{StoreError, StoreResult, excerpt};

/// The kinds of node an ID can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeType {
    Organization,
    Place,
    Programme,
    Project,
    Event,
    Outcome,
    Person,
    Topic,
    TargetGroup,
    Participation,
    Funding,
    OrganizationRelation,
    Position,
    Source,
}

impl NodeType {
    const ALL: [NodeType; 14] = [
        NodeType::Organization,
        NodeType::Place,
        NodeType::Programme,
        NodeType::Project,
        NodeType::Event,
        NodeType::Outcome,
        NodeType::Person,
        NodeType::Topic,
        NodeType::TargetGroup,
        NodeType::Participation,
        NodeType::Funding,
        NodeType::OrganizationRelation,
        NodeType::Position,
        NodeType::Source,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NodeType::Organization => "Organization",
            NodeType::Place => "Place",
            NodeType::Programme => "Programme",
            NodeType::Project => "Project",
            NodeType::Event => "Event",
            NodeType::Outcome => "Outcome",
            NodeType::Person => "Person",
            NodeType::Topic => "Topic",
            NodeType::TargetGroup => "TargetGroup",
            NodeType::Participation => "Participation",
            NodeType::Funding => "Funding",
            NodeType::OrganizationRelation => "OrganizationRelation",
            NodeType::Position => "Position",
            NodeType::Source => "Source",
        }
    }
}

/// The global ID of row `id` of `ty`.
pub fn encode(ty: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", ty.name())))
}

/// The type and row id inside a global ID; `field` names the argument in errors.
pub fn decode(field: &str, id: &ID) -> StoreResult<(NodeType, i64)> {
    let bad = || {
        StoreError::invalid(
            field,
            format!(
                "\"{}\" is not an ID issued by this API",
                excerpt(id.as_str())
            ),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (name, number) = text.split_once(':').ok_or_else(bad)?;
    let ty = NodeType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(bad)?;
    let id = number.parse::<i64>().map_err(|_| bad())?;
    Ok((ty, id))
}

/// The row id inside a global ID that must be of type `ty`.
pub fn decode_as(field: &str, id: &ID, ty: NodeType) -> StoreResult<i64> {
    match decode(field, id)? {
        (found, row) if found == ty => Ok(row),
        (found, _) => Err(StoreError::invalid(
            field,
            format!(
                "expected an ID of a {}, got one of a {}",
                ty.name(),
                found.name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_bad_user_input() {
        let id = encode(NodeType::Project, 42);
        assert_eq!(decode("id", &id).unwrap(), (NodeType::Project, 42));
        assert_eq!(
            decode_as("id", &id, NodeType::Event).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        for garbage in ["", "!!!", "UHJvamVjdA", "VW5rbm93bjox"] {
            assert_eq!(
                decode("id", &ID(garbage.into())).unwrap_err().code(),
                "BAD_USER_INPUT",
                "{garbage}"
            );
        }
    }
}
