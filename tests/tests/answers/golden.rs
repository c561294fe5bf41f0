//! Sending the cases, comparing their answers with the golden files, and blessing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};
use support::app::TestApp;

use super::Dataset;
use super::case::{Case, Expect, Send};

/// How often blessing sends a racy case ([`Case::racy`]) to see the range of its statement count.
const RACY_RUNS: usize = 20;

/// How far above the highest count seen at blessing a racy case's statement count may go: the
/// range depends on the machine's load and on the store, and one golden file serves both
/// stores. A lower count is always accepted (it only means more siblings shared a batch); a
/// batching regression adds statements per parent or per level, far more than 2.
const RACY_MARGIN: usize = 2;

/// One answer as the server gave it.
struct Answer {
    status: u16,
    statements: usize,
    body: Vec<u8>,
}

/// The SQL statements of a case: one count, or for a racy case the lowest and highest seen.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Statements {
    low: usize,
    high: usize,
}

impl Statements {
    fn exactly(count: usize) -> Statements {
        Statements {
            low: count,
            high: count,
        }
    }

    fn admits(self, count: usize, racy: bool) -> bool {
        if racy {
            count <= self.high + RACY_MARGIN
        } else {
            self.low == count && self.high == count
        }
    }
}

impl std::fmt::Display for Statements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

/// One line of a manifest.
struct Recorded {
    status: u16,
    statements: Statements,
    bytes: usize,
    sha256: String,
    request: String,
}

impl Recorded {
    fn of(answer: &Answer, case: &Case) -> Recorded {
        Recorded {
            status: answer.status,
            statements: Statements::exactly(answer.statements),
            bytes: answer.body.len(),
            sha256: hex(&Sha256::digest(&answer.body)),
            request: case.digest(),
        }
    }
}

async fn send(app: &TestApp, case: &Case, answers: &BTreeMap<String, Value>) -> Answer {
    let url = app.url("/graphql");
    let request = match &case.send {
        Send::Post(body) => {
            let mut body = body.clone();
            for (variable, from, pointer) in &case.fill {
                let value = answers
                    .get(*from)
                    .and_then(|answer| answer.pointer(pointer))
                    .unwrap_or_else(|| {
                        panic!("{}: no {pointer} in the answer of {from}", case.name)
                    })
                    .clone();
                body["variables"][*variable] = value;
            }
            app.client
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
        }
        Send::Raw { content_type, body } => app
            .client
            .post(url)
            .header("content-type", *content_type)
            .body(*body),
        Send::Get(query) => app.client.get(format!("{url}?{query}")),
        Send::Method(method) => app.client.request(method.parse().expect("method"), url),
    };
    let (status, body, statements) = app
        .send_counted(request.header("accept", case.accept))
        .await;
    Answer {
        status,
        statements,
        body,
    }
}

/// Sends every case in order and compares each answer with the golden files, or rewrites them
/// under `LIBGRAPH_BLESS=1`.
pub async fn check(app: &TestApp, dataset: &Dataset, cases: Vec<Case>) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
    let manifest_path = golden.join(format!("{}.tsv", dataset.name));
    let bodies = golden.join(dataset.name);
    let bless = std::env::var("LIBGRAPH_BLESS").is_ok_and(|v| !v.is_empty() && v != "0");
    let recorded = if bless {
        BTreeMap::new()
    } else {
        read_manifest(&manifest_path)
    };
    let mut names = std::collections::BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case.name.as_str()),
            "two cases named {}",
            case.name
        );
    }

    let mut answers: BTreeMap<String, Value> = BTreeMap::new();
    let mut given = Vec::new();
    let mut wrong = Vec::new();
    for case in &cases {
        let answer = send(app, case, &answers).await;
        let parsed: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        let has_errors = parsed.get("errors").is_some();
        let as_expected = match case.expect {
            Expect::Data => answer.status == 200 && !has_errors,
            Expect::Errors => has_errors,
        };
        if !as_expected {
            wrong.push(format!(
                "- {}: expected {}, got status {}: {}",
                case.name,
                if case.expect == Expect::Data {
                    "data"
                } else {
                    "errors"
                },
                answer.status,
                String::from_utf8_lossy(&answer.body[..answer.body.len().min(400)])
            ));
        }
        answers.insert(case.name.clone(), parsed);
        given.push(answer);
    }
    assert!(
        wrong.is_empty(),
        "{}: {} case(s) answered other than they must:\n{}",
        dataset.name,
        wrong.len(),
        wrong.join("\n")
    );

    if bless {
        let mut lines = Vec::new();
        for (case, answer) in cases.iter().zip(&given) {
            let mut line = Recorded::of(answer, case);
            if case.racy {
                for _ in 0..RACY_RUNS {
                    let again = send(app, case, &answers).await;
                    assert_eq!(
                        again.body, answer.body,
                        "{}: the answer changed when asked again",
                        case.name
                    );
                    line.statements.low = line.statements.low.min(again.statements);
                    line.statements.high = line.statements.high.max(again.statements);
                }
            }
            if dataset.bodies {
                std::fs::create_dir_all(&bodies).expect("golden dir");
                std::fs::write(bodies.join(format!("{}.json", case.name)), &answer.body)
                    .expect("write a golden body");
            }
            lines.push((case.name.as_str(), line));
        }
        write_manifest(&manifest_path, dataset, &lines);
        if dataset.bodies {
            for entry in std::fs::read_dir(&bodies).expect("golden dir").flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if !names.contains(file.trim_end_matches(".json")) {
                    std::fs::remove_file(entry.path()).expect("remove a stale golden body");
                }
            }
        }
        return;
    }

    let actual_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("answers")
        .join(dataset.name);
    let mut differ = Vec::new();
    for (case, answer) in cases.iter().zip(&given) {
        let report = match recorded.get(&case.name) {
            None => Some(format!("- {}: a new case, not recorded yet", case.name)),
            Some(recorded) => compare(dataset, &bodies, &actual_dir, case, recorded, answer),
        };
        differ.extend(report);
    }
    for name in recorded.keys() {
        if !names.contains(name.as_str()) {
            differ.push(format!("- {name}: recorded, but no longer asked"));
        }
    }
    assert!(
        differ.is_empty(),
        "{}: {} of {} answers differ from {} (if the change is meant, \
         LIBGRAPH_BLESS=1 rewrites the golden files):\n{}",
        dataset.name,
        differ.len(),
        cases.len(),
        manifest_path.display(),
        differ.join("\n")
    );
}

/// What differs between a recorded answer and the one just given, if anything.
fn compare(
    dataset: &Dataset,
    bodies: &Path,
    actual_dir: &Path,
    case: &Case,
    recorded: &Recorded,
    answer: &Answer,
) -> Option<String> {
    let line = Recorded::of(answer, case);
    let mut report = String::new();
    if recorded.request != line.request {
        report.push_str("\n    the request changed since it was recorded");
    }
    if recorded.status != line.status {
        let _ = write!(
            report,
            "\n    HTTP status {} -> {}",
            recorded.status, line.status
        );
    }
    if !recorded.statements.admits(answer.statements, case.racy) {
        let _ = write!(
            report,
            "\n    SQL statements {} -> {}{}",
            recorded.statements,
            answer.statements,
            if case.racy {
                format!(" (a racy case: at most {RACY_MARGIN} above the range is accepted)")
            } else {
                String::new()
            }
        );
    }
    // Where the whole body is kept, that file is what the answer must equal; otherwise its digest.
    let expected = dataset
        .bodies
        .then(|| std::fs::read(bodies.join(format!("{}.json", case.name))));
    let differs = match &expected {
        Some(Ok(expected)) => *expected != answer.body,
        Some(Err(_)) => true,
        None => recorded.sha256 != line.sha256,
    };
    if differs {
        let _ = std::fs::create_dir_all(actual_dir);
        let actual_path = actual_dir.join(format!("{}.json", case.name));
        let _ = std::fs::write(&actual_path, &answer.body);
        match expected {
            Some(Ok(expected)) => report.push_str(&body_diff(&expected, &answer.body)),
            Some(Err(e)) => {
                let _ = write!(report, "\n    its recorded body cannot be read: {e}");
            }
            None => {
                let _ = write!(
                    report,
                    "\n    the body was {} bytes, SHA-256 {}…, and is {} bytes, SHA-256 {}…",
                    recorded.bytes,
                    recorded.sha256.get(..12).unwrap_or(&recorded.sha256),
                    line.bytes,
                    &line.sha256[..12]
                );
            }
        }
        let _ = write!(report, "\n    the whole answer: {}", actual_path.display());
    }
    (!report.is_empty()).then(|| format!("- {}:{report}", case.name))
}

/// A short diff of two bodies: the first byte where they part, with some context either side,
/// and the JSON pointer of the first value that differs.
fn body_diff(expected: &[u8], actual: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let context = |bytes: &[u8]| {
        let start = at.saturating_sub(60);
        let end = (at + 60).min(bytes.len());
        String::from_utf8_lossy(&bytes[start.min(end)..end]).into_owned()
    };
    let mut out = format!(
        "\n    the body differs at byte {at} ({} -> {} bytes)\n    expected: …{}…\n    actual:   …{}…",
        expected.len(),
        actual.len(),
        context(expected),
        context(actual)
    );
    if let (Ok(a), Ok(b)) = (
        serde_json::from_slice::<Value>(expected),
        serde_json::from_slice::<Value>(actual),
    ) && let Some((path, a, b)) = first_difference(&a, &b, String::new())
    {
        let _ = write!(
            out,
            "\n    the first value that differs: {path}: {a} -> {b}"
        );
    }
    out
}

/// The JSON pointer of the first value that differs between two answers, with both values
/// (abbreviated); `None` when they are equal as JSON (the bytes then differ in key order or
/// number format).
fn first_difference(a: &Value, b: &Value, path: String) -> Option<(String, String, String)> {
    let short = |v: Option<&Value>| match v {
        None => "(absent)".to_owned(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 80 {
                format!("{}…", text.chars().take(80).collect::<String>())
            } else {
                text
            }
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let path = format!("{path}/{key}");
                match y.get(key) {
                    Some(other) => {
                        if let Some(found) = first_difference(value, other, path) {
                            return Some(found);
                        }
                    }
                    None => return Some((path, short(Some(value)), short(None))),
                }
            }
            y.iter()
                .find(|(key, _)| !x.contains_key(*key))
                .map(|(key, value)| (format!("{path}/{key}"), short(None), short(Some(value))))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if let Some(found) = first_difference(p, q, format!("{path}/{i}")) {
                    return Some(found);
                }
            }
            (x.len() != y.len()).then(|| {
                let i = x.len().min(y.len());
                (format!("{path}/{i}"), short(x.get(i)), short(y.get(i)))
            })
        }
        _ => (a != b).then(|| (path, short(Some(a)), short(Some(b)))),
    }
}

fn read_manifest(path: &Path) -> BTreeMap<String, Recorded> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (LIBGRAPH_BLESS=1 writes it)",
            path.display()
        )
    });
    let mut recorded = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let number = |text: &str| -> usize {
            text.parse()
                .unwrap_or_else(|_| panic!("{}: not a number in {line}", path.display()))
        };
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, status, statements, bytes, sha256, request] = fields[..] else {
            panic!("{}: six fields expected in {line}", path.display());
        };
        let statements = match statements.split_once('-') {
            Some((low, high)) => Statements {
                low: number(low),
                high: number(high),
            },
            None => Statements::exactly(number(statements)),
        };
        recorded.insert(
            name.to_owned(),
            Recorded {
                status: number(status) as u16,
                statements,
                bytes: number(bytes),
                sha256: sha256.to_owned(),
                request: request.to_owned(),
            },
        );
    }
    recorded
}

fn write_manifest(path: &Path, dataset: &Dataset, lines: &[(&str, Recorded)]) {
    let mut text = format!(
        "# The answers of tests/tests/answers/ on the {} data, a case a line, in the order asked;\n\
         # rewritten by `LIBGRAPH_BLESS=1 cargo test -p libgraph-tests --test main answers::`{}.\n\
         # SQL statements: the count, or for a racy case the lowest and highest of {} runs.\n\
         # case\tHTTP status\tSQL statements\tbody bytes\tbody SHA-256\trequest digest\n",
        dataset.name,
        if dataset.bodies {
            format!("; the bodies are in {}/", dataset.name)
        } else {
            String::new()
        },
        RACY_RUNS + 1
    );
    for (name, line) in lines {
        let _ = writeln!(
            text,
            "{name}\t{}\t{}\t{}\t{}\t{}",
            line.status, line.statements, line.bytes, line.sha256, line.request
        );
    }
    std::fs::write(path, text).expect("write the manifest");
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
