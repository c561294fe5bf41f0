//! Load generators: `wrk` (with a Lua script for POST bodies) for HTTP servers, `pgbench` for the
//! hand-written SQL, and what both report.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// What one load run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// The share of the machine's CPU time, in percent, that the hypervisor gave to others while
    /// this ran (`steal` in `/proc/stat`): on a shared host, figures taken under much steal are
    /// slower than the code, and comparing two of them means little.
    pub steal_pct: f64,
}

impl Figures {
    pub fn json(&self) -> Value {
        json!({
            "requests": self.requests,
            "rps": round(self.rps),
            "p50_ms": round(self.p50_ms),
            "p90_ms": round(self.p90_ms),
            "p99_ms": round(self.p99_ms),
            "steal_pct": round(self.steal_pct),
        })
    }
}

/// The machine's CPU time so far, as `/proc/stat`'s first line counts it: (all, stolen).
fn cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
    // counted in user and nice.
    let all = fields.iter().take(8).sum();
    Some((all, fields.get(7).copied().unwrap_or(0)))
}

/// A point to measure stolen CPU time from.
struct Steal(Option<(u64, u64)>);

impl Steal {
    fn start() -> Self {
        Steal(cpu_times())
    }

    /// The share of CPU time, in percent, stolen since the start (0 where `/proc/stat` cannot
    /// be read).
    fn pct(&self) -> f64 {
        match (self.0, cpu_times()) {
            (Some((all0, steal0)), Some((all1, steal1))) if all1 > all0 => {
                steal1.saturating_sub(steal0) as f64 * 100.0 / (all1 - all0) as f64
            }
            _ => 0.0,
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Sends the body in `BODY_FILE` as a JSON POST; `done` prints one JSON line of figures, and
/// every response that is not a 200 counts as an error.
const WRK_SCRIPT: &str = r#"
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"rps":%.3f,"p50_ms":%.4f,"p90_ms":%.4f,"p99_ms":%.4f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"#;

/// Runs wrk against `url` with `connections` connections for `duration`.
pub fn wrk(
    scratch: &Path,
    url: &str,
    body: &[u8],
    connections: u32,
    duration: Duration,
) -> anyhow::Result<Figures> {
    let script = scratch.join("post.lua");
    if !script.exists() {
        std::fs::write(&script, WRK_SCRIPT)?;
    }
    let body_file = scratch.join("body.json");
    std::fs::write(&body_file, body)?;
    let threads = connections.min(2).to_string();
    let steal = Steal::start();
    let output = Command::new("wrk")
        .args([
            "-t",
            &threads,
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{}s", duration.as_secs().max(1)),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(&script)
        .arg(url)
        .env("BODY_FILE", &body_file)
        .output()
        .context("running wrk (apt-get install wrk)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .with_context(|| format!("wrk printed no figures: {stdout}"))?;
    let v: Value = serde_json::from_str(line)?;
    let errors = v["non2xx"].as_u64().unwrap_or(0) + v["socket_errors"].as_u64().unwrap_or(0);
    if errors > 0 {
        bail!("wrk against {url}: {errors} failed requests: {line}");
    }
    Ok(Figures {
        requests: v["requests"].as_u64().unwrap_or(0),
        rps: v["rps"].as_f64().unwrap_or(0.0),
        p50_ms: v["p50_ms"].as_f64().unwrap_or(0.0),
        p90_ms: v["p90_ms"].as_f64().unwrap_or(0.0),
        p99_ms: v["p99_ms"].as_f64().unwrap_or(0.0),
        steal_pct: steal.pct(),
    })
}

/// Runs `sql` with pgbench (`clients` clients) and reads the latency of every transaction from
/// its per-transaction log.
pub fn pgbench(
    scratch: &Path,
    port: u16,
    database: &str,
    sql: &str,
    clients: u32,
    duration: Duration,
) -> anyhow::Result<Figures> {
    let dir = scratch.join(format!("pgbench-{clients}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("query.sql");
    // pgbench reads one statement per line unless it ends with a semicolon: join the lines.
    std::fs::write(&file, sql.split_whitespace().collect::<Vec<_>>().join(" "))?;
    let steal = Steal::start();
    let output = Command::new("pgbench")
        .args([
            "-n",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
        ])
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(2).to_string(),
        ])
        .args([
            "-T",
            &duration.as_secs().max(1).to_string(),
            "-l",
            "--log-prefix",
        ])
        .arg(dir.join("tx"))
        .arg("-f")
        .arg(&file)
        .arg(database)
        .current_dir(&dir)
        .output()
        .context("running pgbench")?;
    let steal_pct = steal.pct();
    if !output.status.success() {
        bail!(
            "pgbench failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut latencies_us: Vec<f64> = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tx"))
        {
            continue;
        }
        for line in std::fs::read_to_string(&path)?.lines() {
            // client_id transaction_no time script_no time_epoch time_us
            if let Some(us) = line.split_whitespace().nth(2).and_then(|v| v.parse().ok()) {
                latencies_us.push(us);
            }
        }
    }
    if latencies_us.is_empty() {
        bail!("pgbench logged no transactions");
    }
    latencies_us.sort_by(f64::total_cmp);
    let at = |q: f64| latencies_us[((latencies_us.len() - 1) as f64 * q).round() as usize] / 1000.0;
    Ok(Figures {
        requests: latencies_us.len() as u64,
        rps: latencies_us.len() as f64 / duration.as_secs_f64().max(1.0),
        p50_ms: at(0.50),
        p90_ms: at(0.90),
        p99_ms: at(0.99),
        steal_pct,
    })
}

/// Peak resident memory of a process (`VmHWM`), in MB.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}
