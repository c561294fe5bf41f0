//! What the server process holds, read from `/proc/<pid>`: resident memory and open descriptors,
//! sampled on a thread of its own every 10 ms so that a peak between two requests is seen, and the
//! runtime's load (the bombs, the load phase) cannot delay the samples.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the process is sampled. A 225 MB answer took seconds to build; 10 ms sees any peak
/// that matters against a 300 MB target.
const EVERY: Duration = Duration::from_millis(10);

/// The highest figures since the last [`Sampler::take`].
#[derive(Default)]
struct Peaks {
    rss_kb: AtomicU64,
    descriptors: AtomicU64,
}

/// A thread sampling one process until dropped.
pub struct Sampler {
    pid: u32,
    peaks: Arc<Peaks>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What a class cost the server at its worst.
#[derive(Clone, Copy, Debug, Default)]
pub struct Peak {
    pub rss_mb: f64,
    pub descriptors: u64,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let peaks = Arc::new(Peaks::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (peaks, stop) = (peaks.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut tick = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kb) = status_kb(pid, "VmRSS:") {
                        peaks.rss_kb.fetch_max(kb, Ordering::Relaxed);
                    }
                    // Listing a thousand descriptors costs more than reading a status file:
                    // every 50 ms is enough for sockets that stay open for seconds.
                    if tick.is_multiple_of(5)
                        && let Some(n) = descriptors(pid)
                    {
                        peaks.descriptors.fetch_max(n, Ordering::Relaxed);
                    }
                    tick += 1;
                    std::thread::sleep(EVERY);
                }
            })
        };
        Sampler {
            pid,
            peaks,
            stop,
            thread: Some(thread),
        }
    }

    /// The peaks since the last call (or the start), and a fresh start for the next class.
    pub fn take(&self) -> Peak {
        let rss_kb = self.peaks.rss_kb.swap(0, Ordering::Relaxed);
        let descriptors = self.peaks.descriptors.swap(0, Ordering::Relaxed);
        // The figures now, so that a class shorter than a sample still has one.
        let rss_kb = rss_kb.max(status_kb(self.pid, "VmRSS:").unwrap_or(0));
        let descriptors = descriptors.max(self::descriptors(self.pid).unwrap_or(0));
        Peak {
            rss_mb: rss_kb as f64 / 1024.0,
            descriptors,
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A `kB` figure of `/proc/<pid>/status` (`VmRSS:`, `VmHWM:`).
pub fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// How many descriptors the process has open.
pub fn descriptors(pid: u32) -> Option<u64> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64)
}

/// The process's soft limit of open files (`Max open files` in `/proc/<pid>/limits`), which is
/// what `accept` runs into.
pub fn descriptor_limit(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
