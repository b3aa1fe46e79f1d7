//! A Lambda function running under the Runtime Interface Emulator, and its invocations.

use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::process::stop_tree;
use crate::rie_path;

/// The emulator's default is 300 s; a hung test should fail well before that.
const DEFAULT_FUNCTION_TIMEOUT_SECS: u32 = 30;

/// Room past the function's own timeout for its cold start and the emulator's answer.
const INVOKE_MARGIN: Duration = Duration::from_secs(15);

/// How long the emulator gets to shut the function down itself when dropped.
const STOP_GRACE: Duration = Duration::from_secs(3);

const READY_DEADLINE: Duration = Duration::from_secs(10);

/// How often to start over on fresh ports when the emulator dies at start, as it does when
/// another process took a port between our probe and its bind.
const START_ATTEMPTS: usize = 3;

/// A Lambda function served by `aws-lambda-rie` on 127.0.0.1.
///
/// Start one with [`Emulator::start`] or [`Emulator::builder`]. Each emulator listens on
/// ports of its own, for both the Invoke API and the Runtime API, so tests may run several
/// at once. Dropping it kills the emulator and the function's process.
pub struct Emulator {
    child: Child,
    address: SocketAddr,
    agent: ureq::Agent,
    output: Arc<Mutex<Vec<u8>>>,
    // The emulator crashes when two invocations overlap.
    in_flight: Mutex<()>,
}

/// Configures an [`Emulator`] before it starts.
#[must_use]
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    bootstrap: PathBuf,
    env: Vec<(OsString, OsString)>,
    function_timeout_secs: u32,
    invoke_timeout: Option<Duration>,
}

/// What one invocation through the emulator's Invoke API answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoked {
    /// The HTTP status: 200 for a result, a function error and a timeout alike; 502 when
    /// the function's process exited.
    pub status: u16,
    /// The response body: the function's result, its `{"errorType", "errorMessage"}`, or
    /// the emulator's plain-text timeout notice.
    pub body: Vec<u8>,
    /// The `X-Amz-Function-Error` header. The emulator never sends it (see the crate docs),
    /// so under it this is `None` even for a function error.
    pub function_error: Option<String>,
}

impl Emulator {
    /// Starts `bootstrap` under the emulator with the default settings.
    ///
    /// # Panics
    ///
    /// As [`EmulatorBuilder::start`] does.
    pub fn start(bootstrap: impl Into<PathBuf>) -> Self {
        Self::builder(bootstrap).start()
    }

    /// A builder for an emulator running `bootstrap`, the function's executable.
    pub fn builder(bootstrap: impl Into<PathBuf>) -> EmulatorBuilder {
        EmulatorBuilder {
            bootstrap: bootstrap.into(),
            env: Vec::new(),
            function_timeout_secs: DEFAULT_FUNCTION_TIMEOUT_SECS,
            invoke_timeout: None,
        }
    }

    /// The address of the emulator's Invoke API.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Invokes the function with `payload` as the event, as `aws lambda invoke` would.
    ///
    /// Invocations on one emulator run one after another, even from several threads.
    ///
    /// # Panics
    ///
    /// When no answer comes within the invoke timeout, or the connection fails, with the
    /// emulator's output so far.
    pub fn invoke(&self, payload: &[u8]) -> Invoked {
        let _turn = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let url = format!(
            "http://{}/2015-03-31/functions/function/invocations",
            self.address
        );

        let answer = self
            .agent
            .post(&url)
            .send(payload)
            .and_then(|mut response| {
                let status = response.status().as_u16();
                let function_error = response
                    .headers()
                    .get("x-amz-function-error")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned);
                let body = response.body_mut().read_to_vec()?;
                Ok(Invoked {
                    status,
                    body,
                    function_error,
                })
            });

        answer.unwrap_or_else(|error| {
            panic!(
                "invoking {url} failed: {error}\n--- emulator output ---\n{}",
                self.output()
            )
        })
    }

    /// Everything the emulator and the function wrote so far, stdout and stderr interleaved
    /// line by line.
    pub fn output(&self) -> String {
        let output = self.output.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&output).into_owned()
    }

    /// The lines of [`output`](Self::output) that are JSON objects, such as the function's
    /// structured logs, in the order written.
    pub fn json_lines(&self) -> Vec<Value> {
        self.output()
            .lines()
            .filter(|line| line.starts_with('{'))
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(Value::is_object)
            .collect()
    }

    /// Waits until a line of output satisfies `matches` and returns that line.
    ///
    /// Output travels through the emulator, so a line the function wrote during an
    /// invocation may arrive shortly after the invocation's answer.
    ///
    /// # Panics
    ///
    /// When no such line appears within `timeout`, with the output so far.
    pub fn wait_for_line(&self, matches: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let output = self.output();
            if let Some(line) = output.lines().find(|line| matches(line)) {
                return line.to_owned();
            }
            assert!(
                start.elapsed() < timeout,
                "no matching line within {timeout:?}\n--- emulator output ---\n{output}",
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        stop_tree(&mut self.child, STOP_GRACE);

        if std::thread::panicking() {
            #[expect(
                clippy::print_stderr,
                reason = "a failing test shows what the function said"
            )]
            {
                eprintln!("--- emulator output ---\n{}", self.output());
            }
        }
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("pid", &self.child.id())
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// Sets an environment variable for the emulator, which the function inherits.
    ///
    /// Set the timeout with [`function_timeout_secs`](Self::function_timeout_secs) rather
    /// than here, so that the invoke timeout follows it.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets the function's timeout (`AWS_LAMBDA_FUNCTION_TIMEOUT`), 30 s unless set.
    ///
    /// The invoke timeout follows it, with a margin, unless set on its own.
    pub fn function_timeout_secs(mut self, secs: u32) -> Self {
        self.function_timeout_secs = secs;
        self
    }

    /// Sets how long [`Emulator::invoke`] waits for an answer before it fails the test.
    pub fn invoke_timeout(mut self, timeout: Duration) -> Self {
        self.invoke_timeout = Some(timeout);
        self
    }

    /// Starts the emulator and waits until its Invoke API accepts connections.
    ///
    /// The function itself starts on the first invocation, as the emulator does it.
    ///
    /// # Panics
    ///
    /// When the emulator binary is missing (see [`rie_path`]), cannot be run, exits at start
    /// on every attempt, or does not listen within ten seconds.
    pub fn start(self) -> Emulator {
        let rie = rie_path();
        let invoke_timeout = self.invoke_timeout.unwrap_or_else(|| {
            Duration::from_secs(self.function_timeout_secs.into()) + INVOKE_MARGIN
        });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(invoke_timeout))
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();

        let mut last_output = String::new();
        for _ in 0..START_ATTEMPTS {
            let [address, runtime_api] = free_ports();
            let mut command = Command::new(&rie);
            command
                .arg("--runtime-interface-emulator-address")
                .arg(address.to_string())
                .arg("--runtime-api-address")
                .arg(runtime_api.to_string())
                .arg(&self.bootstrap)
                .env_remove("AWS_LAMBDA_RUNTIME_API")
                .env(
                    "AWS_LAMBDA_FUNCTION_TIMEOUT",
                    self.function_timeout_secs.to_string(),
                )
                .envs(self.env.iter().map(|(key, value)| (key, value)))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());

            let mut emulator = spawn(command, address, agent.clone());
            match wait_until_listening(&mut emulator) {
                Listening::Yes => return emulator,
                Listening::Exited => last_output = emulator.output(),
                Listening::NotYet => panic!(
                    "the emulator did not listen on {address} within {READY_DEADLINE:?}\n\
                     --- emulator output ---\n{}",
                    emulator.output(),
                ),
            }
        }
        panic!(
            "the emulator exited at start {START_ATTEMPTS} times running {}\n\
             --- last output ---\n{last_output}",
            self.bootstrap.display(),
        )
    }
}

impl Invoked {
    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON, with the body.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.text()))
    }

    /// Whether this is the emulator's answer to a function that ran past its timeout.
    pub fn timed_out(&self) -> bool {
        self.body.starts_with(b"Task timed out after ")
    }
}

fn spawn(mut command: Command, address: SocketAddr, agent: ureq::Agent) -> Emulator {
    let mut child = command.spawn().unwrap_or_else(|error| {
        panic!(
            "cannot run {}: {error}",
            command.get_program().to_string_lossy()
        )
    });

    let output = Arc::new(Mutex::new(Vec::new()));
    collect_lines(child.stdout.take(), &output);
    collect_lines(child.stderr.take(), &output);

    Emulator {
        child,
        address,
        agent,
        output,
        in_flight: Mutex::new(()),
    }
}

enum Listening {
    Yes,
    Exited,
    NotYet,
}

fn wait_until_listening(emulator: &mut Emulator) -> Listening {
    let start = Instant::now();
    while start.elapsed() < READY_DEADLINE {
        if !matches!(emulator.child.try_wait(), Ok(None)) {
            return Listening::Exited;
        }
        if TcpStream::connect_timeout(&emulator.address, Duration::from_millis(200)).is_ok() {
            return Listening::Yes;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Listening::NotYet
}

/// Two distinct ports free on 127.0.0.1 a moment ago.
fn free_ports() -> [SocketAddr; 2] {
    let bind = || {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|error| panic!("cannot bind a port on 127.0.0.1: {error}"))
    };
    // Both stay bound until both are known, so the kernel cannot hand out one twice.
    let listeners = [bind(), bind()];
    listeners.map(|listener| {
        listener
            .local_addr()
            .unwrap_or_else(|error| panic!("a bound listener has no address: {error}"))
    })
}

/// Appends whole lines from `pipe` to `output` on a thread of their own, so lines from
/// stdout and stderr never interleave mid-line. The thread ends when the pipe closes.
fn collect_lines(pipe: Option<impl Read + Send + 'static>, output: &Arc<Mutex<Vec<u8>>>) {
    let Some(pipe) = pipe else { return };
    let output = Arc::clone(output);

    std::thread::spawn(move || {
        let mut pipe = BufReader::new(pipe);
        let mut line = Vec::new();
        while matches!(pipe.read_until(b'\n', &mut line), Ok(n) if n > 0) {
            output
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(&line);
            line.clear();
        }
    });
}
