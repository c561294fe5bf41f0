//! A throwaway PostgreSQL cluster that the test process starts, owns and tears down itself.
//!
//! [`PgCluster::shared`] gives every test in a process one cluster, started on first use;
//! [`PgCluster::create_database`] gives each test a fresh database in it. Nothing has to be
//! running beforehand: CI runs on a fresh machine with PostgreSQL *installed* (Debian's
//! `postgresql` package) but no server started, so the cluster is made from scratch with
//! `initdb` in a temporary directory.
//!
//! # Why it works the way it does
//!
//! * **Its own cluster, on its own port, TCP on 127.0.0.1 only.** The port is picked by binding
//!   a listener to `127.0.0.1:0` and dropping it, so several test processes (and a system
//!   cluster on 5432) never collide. The Unix socket goes into the cluster's temporary directory
//!   rather than `/var/run/postgresql`, which may not exist or not be writable.
//! * **Not as root.** `initdb` and `postgres` refuse to run as root, and tests run as root here
//!   and on CI. When the effective uid is 0, both run as the `postgres` system user (looked up
//!   with `getpwnam_r`), and the temporary directory is `chown`ed to that user. Otherwise they
//!   run as the current user. The switch uses [`CommandExt::uid`]/[`CommandExt::gid`], which
//!   also drop supplementary groups, rather than `runuser`, which would fork and leave the
//!   server a grandchild of the test process (see the next point).
//! * **`postgres` is started directly, not with `pg_ctl`.** `pg_ctl` daemonizes, so the server
//!   would outlive the test process. Started directly, the server is our child, and the child
//!   asks the kernel (`prctl(PR_SET_PDEATHSIG, SIGINT)`, set in `pre_exec`) for a SIGINT, i.e. a
//!   fast shutdown, when its parent dies. That matters because the shared cluster lives in a
//!   `static`, whose `Drop` never runs.
//!   - The death signal is set in `pre_exec`, which runs *after* the uid/gid switch: the kernel
//!     clears the death-signal setting whenever a process's credentials change.
//!   - The "parent" of PDEATHSIG is the *thread* that forked the child, and the test harness's
//!     threads come and go. So the server is always spawned (first start and
//!     [`restart`](PgCluster::restart)) by one dedicated thread that never exits: callers send
//!     it the command over a channel and get the `Child` back.
//!
//! # Teardown
//!
//! * A cluster from [`PgCluster::start_new`] is stopped and its directory removed on `Drop`.
//! * The shared cluster: when the process exits normally (`main` returns or `process::exit`,
//!   which is how the test harness ends, passing or failing), an `atexit` handler shuts the
//!   server down (immediate shutdown, bounded wait) and removes its directory. When the process
//!   is killed instead (SIGKILL, a CI timeout, an abort), the death signal still stops the
//!   server, but its temporary directory (`$TMPDIR/libgraph-pg-*`, a few tens of MB) stays
//!   behind until the next run: every [`PgCluster::start_new`] first removes such directories
//!   whose owning test process and postmaster are both gone (or that have neither an owner file
//!   nor a live postmaster and are more than an hour old).
//!
//! # Speed
//!
//! The server runs with `fsync=off`, `synchronous_commit=off` and `full_page_writes=off`
//! (nothing in a test cluster needs to survive a crash), `max_connections=200` (every test
//! opens its own pool) and `shared_buffers=128MB`; `pg_stat_statements` is preloaded when
//! installed ([`PgCluster::has_pg_stat_statements`]).
//!
//! A cluster takes about 1.2–1.7 s to start (`initdb` is most of it) and a database about
//! 0.2–0.4 s to create. The cluster is per *process*: under `cargo test` that is one per test
//! binary; a runner that runs each test in its own process (nextest) starts one per test.
//!
//! Readiness is judged by the server's own `postmaster.pid` (our child's pid, status `ready`,
//! so PostgreSQL 10 or later), then a TCP connection and `pg_isready`; a server that exits or
//! is not ready within 30 s is reported with its log (`server.log` in the temporary directory).
//!
//! Authentication is `trust`: any local user can connect as the superuser while it runs. It
//! listens on 127.0.0.1 only and holds nothing but test data.
//!
//! # Finding PostgreSQL
//!
//! `LIBGRAPH_PG_BINDIR` if set; else the directory of the first `initdb` on `PATH` (following
//! symlinks, so `/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb` finds the real
//! directory) that also holds `postgres`; else the highest `/usr/lib/postgresql/*/bin`.

use std::ffi::CString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, TryLockError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// Prefix of the temporary directories, so that stale ones can be recognised and removed.
const DIR_PREFIX: &str = "libgraph-pg-";
/// File in the temporary directory naming the test process that owns the cluster.
const OWNER_FILE: &str = "owner.pid";
/// The server's stdout and stderr.
const LOG_FILE: &str = "server.log";
/// The superuser `initdb` creates (and the system user the server runs as under root).
const SUPERUSER: &str = "postgres";
/// How long the server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a fast shutdown may take before harsher signals follow.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// A leftover directory with no owner file and no live postmaster is removed after this long.
const STALE_AGE: Duration = Duration::from_secs(60 * 60);
/// Environment variables that would redirect or alter the client tools' connections.
const CLIENT_ENV_REMOVE: &[&str] = &[
    "PGOPTIONS",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGHOSTADDR",
    "PGTARGETSESSIONATTRS",
    "PGREQUIRESSL",
    "PGSSLMODE",
];

static SHARED: OnceLock<Result<PgCluster, String>> = OnceLock::new();
static DATABASE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A PostgreSQL cluster in a temporary directory, run by this process.
///
/// See the [module documentation](self) for how it is started and torn down.
#[derive(Debug)]
pub struct PgCluster {
    /// The temporary directory: `data/`, the socket, `server.log`, `owner.pid`.
    dir: tempfile::TempDir,
    data_dir: PathBuf,
    /// Where the Unix socket goes; `None` when the path would be too long for a socket.
    socket_dir: Option<PathBuf>,
    port: u16,
    bin_dir: PathBuf,
    superuser: String,
    /// The (uid, gid) to run `initdb` and `postgres` as, when not the current user.
    run_as: Option<(u32, u32)>,
    has_pg_stat_statements: bool,
    /// The running postmaster, if any.
    child: Mutex<Option<Child>>,
}

impl PgCluster {
    /// The cluster shared by every test in this process, started on first use.
    ///
    /// Panics with the reason if it cannot be started (PostgreSQL not installed, the server
    /// failing to come up): that is a failure of the test setup, not of the code under test.
    /// The failure is remembered, so later callers panic at once with the same message.
    pub fn shared() -> &'static PgCluster {
        let cluster = SHARED.get_or_init(|| {
            let started = PgCluster::start_new().map_err(|e| e.to_string());
            if started.is_ok() {
                // SAFETY: registers a plain `extern "C" fn` that never unwinds.
                unsafe { libc::atexit(stop_shared_at_exit) };
            }
            started
        });
        match cluster {
            Ok(cluster) => cluster,
            Err(e) => panic!("could not start the shared test PostgreSQL cluster: {e}"),
        }
    }

    /// Starts a new cluster: `initdb` into a fresh temporary directory, then `postgres` on a
    /// free port of 127.0.0.1, waiting until it accepts connections.
    ///
    /// Also removes stale directories left by earlier runs that were killed.
    pub fn start_new() -> io::Result<PgCluster> {
        let bin_dir = find_bin_dir()?;
        let run_as = server_user()?;
        let root = temp_root(run_as.is_some());
        remove_stale_dirs(&root);

        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir_in(&root)?;
        fs::write(dir.path().join(OWNER_FILE), std::process::id().to_string())?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
        }
        let data_dir = dir.path().join("data");
        initdb(&bin_dir, dir.path(), &data_dir, run_as)?;

        // `.s.PGSQL.NNNNN` must fit in sun_path (108 bytes), and the setting is a
        // comma-separated list.
        let usable_socket_dir = dir.path().to_str().is_some_and(|p| {
            p.len() + "/.s.PGSQL.65535.lock".len() < 100
                && !p.contains(|c: char| c == ',' || c == '"' || c.is_whitespace())
        });
        let socket_dir = usable_socket_dir.then(|| dir.path().to_path_buf());

        let has_pg_stat_statements = find_pg_stat_statements(&bin_dir);
        let mut cluster = PgCluster {
            dir,
            data_dir,
            socket_dir,
            port: 0,
            bin_dir,
            superuser: SUPERUSER.to_string(),
            run_as,
            has_pg_stat_statements,
            child: Mutex::new(None),
        };
        // The port is free when picked but another process may take it before the server
        // binds it; then try another.
        let mut attempt = 0;
        loop {
            attempt += 1;
            cluster.port = free_port()?;
            match cluster.launch() {
                Ok(()) => return Ok(cluster),
                Err(e) if attempt < 5 && e.kind() == io::ErrorKind::AddrInUse => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The TCP port the server listens on (on 127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's name (`postgres`), who can log in without a password.
    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether `pg_stat_statements` is preloaded; a database still needs
    /// `CREATE EXTENSION pg_stat_statements` to query it.
    pub fn has_pg_stat_statements(&self) -> bool {
        self.has_pg_stat_statements
    }

    /// The URL of database `name` in this cluster, as the superuser:
    /// `postgres://postgres@127.0.0.1:PORT/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{}",
            self.superuser, self.port, name
        )
    }

    /// Creates a fresh, uniquely named, empty database and returns its URL
    /// (`postgres://postgres@127.0.0.1:PORT/NAME`).
    ///
    /// Panics if the database cannot be created.
    pub fn create_database(&self) -> String {
        let n = DATABASE_COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("libgraph_test_{}_{}", std::process::id(), n);
        match self.psql("postgres", &format!("CREATE DATABASE \"{name}\"")) {
            Ok(out) if out.status.success() => self.url(&name),
            Ok(out) => panic!(
                "creating database {name} on port {} failed ({}): {}",
                self.port,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => panic!(
                "creating database {name} on port {}: could not run psql: {e}",
                self.port
            ),
        }
    }

    /// Creates a fresh, uniquely named database as a copy of `template` (which must have no
    /// open connection) and returns its URL.
    pub fn create_database_from(&self, template: &str) -> String {
        let n = DATABASE_COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("libgraph_test_{}_{}", std::process::id(), n);
        let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        match self.psql("postgres", &sql) {
            Ok(out) if out.status.success() => self.url(&name),
            Ok(out) => panic!(
                "{sql} on port {} failed ({}): {}",
                self.port,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => panic!("{sql} on port {}: could not run psql: {e}", self.port),
        }
    }

    /// Runs `sql` with `psql` in `database` as the superuser over TCP, stopping at the first
    /// error (`ON_ERROR_STOP`), and returns its output (unaligned, tuples only).
    pub fn psql(&self, database: &str, sql: &str) -> io::Result<Output> {
        let mut cmd = self.client("psql");
        cmd.args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database,
            "-c",
            sql,
        ]);
        cmd.output()
    }

    /// Stops the server (fast shutdown: SIGINT, then waits for it to exit), for tests of a
    /// database that goes away. Does nothing if it is not running.
    pub fn stop(&self) {
        if let Some(mut child) = lock(&self.child).take() {
            shutdown(&mut child, libc::SIGINT, STOP_TIMEOUT);
        }
    }

    /// Starts the server again on the same port and data directory and waits until it accepts
    /// connections; stops it first if it is running.
    ///
    /// Panics if it does not come up (for example because another process took the port).
    pub fn restart(&self) {
        self.stop();
        if let Err(e) = self.launch() {
            panic!(
                "restarting the test PostgreSQL server on port {}: {e}",
                self.port
            );
        }
    }

    /// Whether the server process is running (it may not accept connections yet, or any more).
    pub fn is_running(&self) -> bool {
        lock(&self.child)
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Spawns the server, if it is not running, and waits until it accepts connections.
    fn launch(&self) -> io::Result<()> {
        let mut guard = lock(&self.child);
        if let Some(child) = guard.as_mut() {
            if child.try_wait()?.is_none() {
                return Ok(());
            }
            *guard = None;
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let log_start = log.metadata()?.len();

        let mut cmd = Command::new(self.bin_dir.join("postgres"));
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg("-p")
            .arg(self.port.to_string());
        let mut settings = vec![
            "listen_addresses=127.0.0.1".to_string(),
            format!(
                "unix_socket_directories={}",
                self.socket_dir
                    .as_deref()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()
            ),
            "fsync=off".into(),
            "synchronous_commit=off".into(),
            "full_page_writes=off".into(),
            "max_connections=200".into(),
            "shared_buffers=128MB".into(),
            "logging_collector=off".into(),
        ];
        if self.has_pg_stat_statements {
            settings.push("shared_preload_libraries=pg_stat_statements".into());
        }
        for setting in settings {
            cmd.arg("-c").arg(setting);
        }
        cmd.current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        die_with_parent(&mut cmd, libc::SIGINT);

        let mut child = spawn_from_keeper(cmd)?;
        match self.wait_ready(&mut child) {
            Ok(()) => {
                *guard = Some(child);
                Ok(())
            }
            Err(e) => {
                shutdown(&mut child, libc::SIGQUIT, Duration::from_secs(5));
                let log = self.log_since(log_start);
                let kind = if log.contains("Address already in use") {
                    io::ErrorKind::AddrInUse
                } else {
                    e.kind()
                };
                Err(io::Error::new(kind, format!("{e}; server log:\n{log}")))
            }
        }
    }

    /// Polls until the server accepts connections: our postmaster has written `ready` to
    /// `postmaster.pid`, a TCP connection succeeds and `pg_isready` says yes.
    fn wait_ready(&self, child: &mut Child) -> io::Result<()> {
        let started = Instant::now();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        loop {
            if let Some(status) = child.try_wait()? {
                return Err(io::Error::other(format!(
                    "postgres exited during start-up on port {} ({status})",
                    self.port
                )));
            }
            if self.postmaster_ready(child.id())
                && TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
                && self.pg_isready()?
            {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "postgres did not accept connections on port {} within {READY_TIMEOUT:?}",
                        self.port
                    ),
                ));
            }
            thread::sleep(Duration::from_millis(25));
        }
    }

    /// Whether `postmaster.pid` names `pid` and says `ready` (its eighth line, written since
    /// PostgreSQL 10; the first lines are written before the server has bound its port).
    fn postmaster_ready(&self, pid: u32) -> bool {
        let Ok(text) = fs::read_to_string(self.data_dir.join("postmaster.pid")) else {
            return false;
        };
        let lines: Vec<&str> = text.lines().collect();
        lines.first().is_some_and(|l| l.trim() == pid.to_string())
            && lines.get(7).is_some_and(|status| status.trim() == "ready")
    }

    fn pg_isready(&self) -> io::Result<bool> {
        let mut cmd = self.client("pg_isready");
        cmd.args(["-q", "-t", "2", "-d", "postgres"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Ok(cmd.status()?.success())
    }

    /// A client tool pointed at this cluster over TCP as the superuser.
    fn client(&self, tool: &str) -> Command {
        let mut cmd = Command::new(tool_path(&self.bin_dir, tool));
        cmd.args(["-h", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .args(["-U", &self.superuser]);
        for var in CLIENT_ENV_REMOVE {
            cmd.env_remove(var);
        }
        cmd.env("PGCONNECT_TIMEOUT", "10").stdin(Stdio::null());
        cmd
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(LOG_FILE)
    }

    /// The server log from byte `start` on, at most its last 8 KiB.
    fn log_since(&self, start: u64) -> String {
        let read = || -> io::Result<String> {
            let mut file = File::open(self.log_path())?;
            let len = file.metadata()?.len();
            file.seek(SeekFrom::Start(start.max(len.saturating_sub(8192))))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        };
        read().unwrap_or_else(|e| format!("(could not read {}: {e})", self.log_path().display()))
    }
}

impl Drop for PgCluster {
    /// Stops the server (immediate shutdown: its data is about to be deleted) and removes the
    /// temporary directory.
    fn drop(&mut self) {
        if let Some(mut child) = lock(&self.child).take() {
            shutdown(&mut child, libc::SIGQUIT, STOP_TIMEOUT);
        }
        // `self.dir` removes the directory when dropped after this.
    }
}

/// `atexit` handler: shut the shared cluster down and remove its directory.
///
/// Must not panic (it is called from C). It gives up rather than block on a lock held by a
/// thread that may never release it; the death signal still stops the server then.
extern "C" fn stop_shared_at_exit() {
    let Some(Ok(cluster)) = SHARED.get() else {
        return;
    };
    let mut guard = match cluster.child.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => return,
    };
    if let Some(mut child) = guard.take()
        && !shutdown(&mut child, libc::SIGQUIT, Duration::from_secs(5))
    {
        return; // still running: leave its directory alone
    }
    let _ = fs::remove_dir_all(cluster.dir.path());
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends `signal` to the postmaster and waits up to `patience` for it to exit, then SIGQUIT
/// (immediate shutdown) and finally SIGKILL. Returns whether it has exited and been reaped.
fn shutdown(child: &mut Child, signal: libc::c_int, patience: Duration) -> bool {
    if matches!(child.try_wait(), Ok(Some(_)) | Err(_)) {
        return true;
    }
    let pid = child.id() as libc::pid_t;
    for (sig, wait) in [(signal, patience), (libc::SIGQUIT, Duration::from_secs(5))] {
        // SAFETY: `pid` is our unreaped child, so it cannot have been reused.
        unsafe { libc::kill(pid, sig) };
        if wait_for_exit(child, wait).is_some() {
            return true;
        }
    }
    let _ = child.kill();
    child.wait().is_ok()
}

fn wait_for_exit(child: &mut Child, patience: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if started.elapsed() < patience => thread::sleep(Duration::from_millis(10)),
            _ => return None,
        }
    }
}

/// Asks the kernel to send `signal` to the child when the thread that spawned it exits.
fn die_with_parent(cmd: &mut Command, signal: libc::c_int) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure only makes async-signal-safe system calls and does not allocate.
    // It runs after the uid/gid switch, which would otherwise clear the death signal.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before the call above: then no signal would come.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `cmd` from a thread that lives as long as the process, so that a death signal set
/// with [`die_with_parent`] fires when the process exits and not when a test thread does.
fn spawn_from_keeper(cmd: Command) -> io::Result<Child> {
    static KEEPER: OnceLock<mpsc::Sender<SpawnRequest>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (requests, incoming) = mpsc::channel::<SpawnRequest>();
        thread::Builder::new()
            .name("libgraph-pg-keeper".into())
            .spawn(move || {
                for (mut cmd, reply) in incoming {
                    let _ = reply.send(cmd.spawn());
                }
                // Unreachable while `KEEPER` holds the sender; never exit all the same.
                loop {
                    thread::park();
                }
            })
            .expect("could not start the thread that spawns the test PostgreSQL server");
        requests
    });
    let gone = || io::Error::other("the thread that spawns the test PostgreSQL server is gone");
    let (reply, response) = mpsc::channel();
    keeper.send((cmd, reply)).map_err(|_| gone())?;
    response.recv().map_err(|_| gone())?
}

/// Runs `initdb`, with the C.UTF-8 locale or, where that is missing, C.
fn initdb(
    bin_dir: &Path,
    dir: &Path,
    data_dir: &Path,
    run_as: Option<(u32, u32)>,
) -> io::Result<()> {
    let mut failures = Vec::new();
    for locale in ["C.UTF-8", "C"] {
        let mut cmd = Command::new(bin_dir.join("initdb"));
        cmd.arg("-D")
            .arg(data_dir)
            .args([
                "-A",
                "trust",
                "-U",
                SUPERUSER,
                "--no-sync",
                "-E",
                "UTF8",
                "--locale",
                locale,
            ])
            .current_dir(dir)
            .stdin(Stdio::null());
        if let Some((uid, gid)) = run_as {
            cmd.uid(uid).gid(gid);
        }
        // Runs on the calling thread, which waits for it, so that thread is the right parent.
        die_with_parent(&mut cmd, libc::SIGKILL);
        let out = cmd.output()?;
        if out.status.success() {
            return Ok(());
        }
        failures.push(format!(
            "initdb --locale {locale} ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        let _ = fs::remove_dir_all(data_dir);
    }
    Err(io::Error::other(failures.join("\n")))
}

/// The (uid, gid) of the `postgres` user when running as root, else `None` (run as ourselves).
fn server_user() -> io::Result<Option<(u32, u32)>> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = CString::new(SUPERUSER).expect("no NUL in the user name");
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    loop {
        // SAFETY: all-zero is a valid `passwd` (null pointers, zero ids).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: the pointers are valid for the call and `buf.len()` is the buffer's size.
        let rc = unsafe {
            libc::getpwnam_r(
                name.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        if found.is_null() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "running as root, and PostgreSQL refuses to: no '{SUPERUSER}' system user to run it as \
                     (it comes with Debian's postgresql package)"
                ),
            ));
        }
        return Ok(Some((pwd.pw_uid, pwd.pw_gid)));
    }
}

/// Where the temporary directories go: `$TMPDIR`, or `/tmp` when the server runs as another
/// user who could not reach `$TMPDIR` (e.g. one under `/root`).
fn temp_root(other_user: bool) -> PathBuf {
    let root = std::env::temp_dir();
    let reachable = root
        .ancestors()
        .all(|dir| fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o001 != 0));
    if other_user && !reachable {
        PathBuf::from("/tmp")
    } else {
        root
    }
}

/// Removes the temporary directories of clusters whose test process and postmaster are gone.
fn remove_stale_dirs(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(DIR_PREFIX));
        if !is_ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let owner = read_pid(&dir.join(OWNER_FILE));
        let postmaster = read_pid(&dir.join("data").join("postmaster.pid"));
        let postmaster_gone = postmaster.is_none_or(|pid| !process_exists(pid));
        let stale = match owner {
            Some(pid) => postmaster_gone && !process_exists(pid),
            // Interrupted before the owner file was written, or from an older version.
            None => {
                postmaster_gone
                    && fs::metadata(&dir)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_AGE))
            }
        };
        if stale {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

/// The pid on the first line of a pid file.
fn read_pid(path: &Path) -> Option<libc::pid_t> {
    let text = fs::read_to_string(path).ok()?;
    text.lines()
        .next()?
        .trim()
        .parse()
        .ok()
        .filter(|&pid| pid > 0)
}

fn process_exists(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    alive || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The directory holding the server binaries (`initdb` and `postgres`), or why none was found:
/// what a test that needs PostgreSQL checks before it starts a cluster (see
/// [`crate::postgres_available`]). `LIBGRAPH_PG_BINDIR` pointing at a directory without them
/// (`/nonexistent`) stops the search there, which is how a run without PostgreSQL is tried on a
/// machine that has it.
pub fn server_binaries() -> io::Result<PathBuf> {
    find_bin_dir()
}

/// The directory holding `initdb` and `postgres`.
fn find_bin_dir() -> io::Result<PathBuf> {
    let has_server =
        |dir: &Path| is_executable(&dir.join("initdb")) && is_executable(&dir.join("postgres"));
    if let Some(dir) = std::env::var_os("LIBGRAPH_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        return if has_server(&dir) {
            Ok(dir)
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "LIBGRAPH_PG_BINDIR={} holds no initdb and postgres",
                    dir.display()
                ),
            ))
        };
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let initdb = dir.join("initdb");
        if !is_executable(&initdb) {
            continue;
        }
        // Follow symlinks to the real directory, which holds the rest of the tools.
        if let Some(real) = fs::canonicalize(&initdb)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            && has_server(&real)
        {
            return Ok(real);
        }
        if has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(|n| n.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            let bin = entry.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "PostgreSQL server binaries not found: no initdb with postgres beside it on PATH or in \
             /usr/lib/postgresql/*/bin (install Debian's postgresql package, or set LIBGRAPH_PG_BINDIR)",
        )
    })
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `tool` from the server's directory, else from `PATH`.
fn tool_path(bin_dir: &Path, tool: &str) -> PathBuf {
    let path = bin_dir.join(tool);
    if is_executable(&path) {
        path
    } else {
        PathBuf::from(tool)
    }
}

/// Whether `pg_stat_statements.so` is installed for this server, per its own `pg_config`
/// (one on `PATH` counts only if it reports the same `--bindir`), or in Debian's layout.
fn find_pg_stat_statements(bin_dir: &Path) -> bool {
    let pkglibdir = Command::new(tool_path(bin_dir, "pg_config"))
        .args(["--bindir", "--pkglibdir"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let mut lines = text.lines();
            let (reported_bin, pkglibdir) = (lines.next()?, lines.next()?);
            let same = fs::canonicalize(reported_bin).ok()? == fs::canonicalize(bin_dir).ok()?;
            same.then(|| PathBuf::from(pkglibdir.trim()))
        })
        .or_else(|| bin_dir.parent().map(|p| p.join("lib")));
    pkglibdir.is_some_and(|dir| dir.join("pg_stat_statements.so").is_file())
}
