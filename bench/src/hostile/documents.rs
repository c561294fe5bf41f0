//! The hostile requests of issue 28, item by item, in the shapes `tests/tests/hostile.rs` sends:
//! each is small to send and was once expensive to refuse or to answer.

use serde_json::{Value, json};

/// How a request is sent.
#[derive(Clone, Debug)]
pub enum Request {
    /// A JSON body by `POST /graphql`.
    Post(Vec<u8>),
    /// A query by `GET /graphql?query=…`.
    Get(String),
    /// A JSON body of this many bytes, past the server's body limit, by `POST` over a socket of
    /// our own: the server may answer 413 before it has read the body, and an HTTP client that is
    /// still writing reports a broken pipe rather than the answer.
    Oversized(usize),
}

impl Request {
    fn post(body: &Value) -> Request {
        // A `Value` always serialises.
        Request::Post(serde_json::to_vec(body).unwrap_or_default())
    }

    /// Bytes on the wire, not counting the request line and headers.
    pub fn len(&self) -> usize {
        match self {
            Request::Post(body) => body.len(),
            Request::Get(query) => query.len(),
            Request::Oversized(n) => *n,
        }
    }
}

/// One hostile request class.
#[derive(Clone, Debug)]
pub struct Bomb {
    /// Its name in the table and the report.
    pub class: String,
    pub request: Request,
}

/// `{ ...F0 }` where each of `levels` fragments spreads the next `spreads` times, ending in
/// `__typename`: under 1 KB of text that selects `spreads^levels` fields once expanded (25 × 2
/// took 3.9–5.9 s to refuse). The suite's tests send the same documents.
pub fn fragment_bomb(levels: usize, spreads: usize) -> String {
    support::fragment_bomb(levels, spreads, "__typename")
}

/// Every class that is one request, in the order of issue 28's list.
pub fn bombs() -> Vec<Bomb> {
    let mut bombs = Vec::new();
    for (levels, spreads) in [(25, 2), (27, 2), (7, 10)] {
        let query = fragment_bomb(levels, spreads);
        bombs.push(Bomb {
            class: format!("fragment bomb {levels}×{spreads} POST"),
            request: Request::post(&json!({ "query": query })),
        });
        bombs.push(Bomb {
            class: format!("fragment bomb {levels}×{spreads} GET"),
            request: Request::Get(query),
        });
    }
    // 4,000 schemas in one answer: once 225 MB back and 4.2 GB resident.
    let aliases: String = (0..4_000)
        .map(|i| format!(" s{i}: __schema {{ types {{ fields {{ name }} }} }}"))
        .collect();
    bombs.push(Bomb {
        class: "introspection aliases ×4000".into(),
        request: Request::post(&json!({ "query": format!("{{{aliases} }}") })),
    });
    // A distinct `period` each, so no network is computed once and reused; one field each keeps
    // the document within the selection limit (2 fields an alias), so only the cost of networks
    // can refuse it.
    let networks: String = (0..1_000)
        .map(|i| {
            format!(
                " n{i}: collaborationNetwork(filter: {{ period: {{ from: {}, to: 2100 }} }}) {{ totalNodes }}",
                1_000 + i
            )
        })
        .collect();
    bombs.push(Bomb {
        class: "network aliases ×1000".into(),
        request: Request::post(&json!({ "query": format!("{{{networks} }}") })),
    });
    // 5,000 copies of a directive: once 4,999 errors, 679 KB back for 95 KB.
    let directives = " @include(if: true)".repeat(5_000);
    bombs.push(Bomb {
        class: "duplicate directives ×5000".into(),
        request: Request::post(&json!({
            "query": format!("{{ places(first: 1){directives} {{ totalCount }} }}")
        })),
    });
    let huge = "A".repeat(900_000);
    bombs.push(Bomb {
        class: "invalid ID 900 KB".into(),
        request: Request::post(&json!({
            "query": "query($id: ID!) { node(id: $id) { id } }",
            "variables": { "id": huge },
        })),
    });
    bombs.push(Bomb {
        class: "parse error, 900 KB line".into(),
        request: Request::post(&json!({
            "query": format!("{{ organizations(first: 1) {{ {huge} ( }} }}")
        })),
    });
    // Twice the default body limit (1 MiB).
    bombs.push(Bomb {
        class: "oversized body 2 MiB".into(),
        request: Request::Oversized(2 << 20),
    });
    bombs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bombs_are_as_small_as_issue_28_says() {
        let bombs = bombs();
        let size = |class: &str| {
            bombs
                .iter()
                .find(|b| b.class == class)
                .map(|b| b.request.len())
                .unwrap_or_default()
        };

        assert!(size("fragment bomb 25×2 POST") < 1_500);
        assert!(size("fragment bomb 7×10 GET") < 1_000);
        assert!((150_000..200_000).contains(&size("introspection aliases ×4000")));
        assert!((90_000..100_000).contains(&size("duplicate directives ×5000")));
        assert!(size("invalid ID 900 KB") > 900_000);
    }

    #[test]
    fn a_fragment_bomb_spreads_each_level_into_the_next() {
        let bomb = fragment_bomb(2, 3);

        assert_eq!(
            bomb,
            "query { ...F0 } fragment F0 on Query { ...F1 ...F1 ...F1 } \
             fragment F1 on Query { ...F2 ...F2 ...F2 } fragment F2 on Query { __typename }"
        );
    }
}
