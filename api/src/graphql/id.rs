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
    let (name, row) = parts(field, id)?;
    let ty = NodeType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| not_issued(field, id))?;
    Ok((ty, row))
}

/// The type name and row id inside a global ID, whatever the type.
fn parts(field: &str, id: &ID) -> StoreResult<(String, i64)> {
    let bad = || not_issued(field, id);
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (name, number) = text.split_once(':').ok_or_else(bad)?;
    let row = number.parse::<i64>().map_err(|_| bad())?;
    Ok((name.to_owned(), row))
}

fn not_issued(field: &str, id: &ID) -> StoreError {
    StoreError::invalid(
        field,
        format!(
            "\"{}\" is not an ID issued by this API",
            excerpt(id.as_str())
        ),
    )
}

/// The ID of row `id` of something that is not a node of the graph (an API token): the same
/// opaque shape, but `node(id:)` does not know it, and only [`decode_other`] with the same
/// `type_name` reads it back.
pub fn encode_other(type_name: &'static str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// The row id inside an ID that [`encode_other`] made for `type_name`.
pub fn decode_other(field: &str, id: &ID, type_name: &'static str) -> StoreResult<i64> {
    match parts(field, id)? {
        (name, row) if name == type_name => Ok(row),
        _ => Err(StoreError::invalid(
            field,
            format!(
                "\"{}\" is not the ID of a {type_name}",
                excerpt(id.as_str())
            ),
        )),
    }
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
    fn other_ids_round_trip_only_as_their_own_type() {
        let id = encode_other("ApiToken", 7);
        assert_eq!(decode_other("id", &id, "ApiToken").unwrap(), 7);
        assert_eq!(decode("id", &id).unwrap_err().code(), "BAD_USER_INPUT");
        let node = encode(NodeType::Project, 7);
        assert_eq!(
            decode_other("id", &node, "ApiToken").unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }

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
