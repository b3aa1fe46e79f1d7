//! End-to-end test support for aegis: builds a workspace binary and runs it as a Lambda
//! function under AWS's Lambda Runtime Interface Emulator (RIE), on the real Runtime API.
//!
//! ```
//! use aegis_tests::{cargo_bin, Emulator};
//!
//! let emulator = Emulator::builder(cargo_bin("aegis-tests", "echo_lambda"))
//!     .function_timeout_secs(3)
//!     .start();
//! let invoked = emulator.invoke(br#"{"hello":"world"}"#);
//! assert_eq!(invoked.status, 200);
//! assert_eq!(invoked.json()["hello"], "world");
//! ```
//!
//! # Getting the emulator
//!
//! `.ci/install-rie.sh` takes the static `aws-lambda-rie` binary out of the `aws-sam-cli` wheel
//! on PyPI (no Docker, no install of SAM itself) and caches it under
//! `${AEGIS_TOOLS:-$HOME/.cache/aegis-tools}`. [`rie_path`] finds it there, or at `AEGIS_RIE`.
//!
//! # How the emulator behaves
//!
//! Observed with the RIE shipped in aws-sam-cli 1.170; the harness and its self-tests rely on
//! each point, so a newer RIE that changes one fails `tests/tests/emulator.rs` first.
//!
//! - **Command line.** `aws-lambda-rie [flags] BOOTSTRAP [ARGS…]`. The flags are
//!   `--runtime-interface-emulator-address` (the Invoke API, default `0.0.0.0:8080`),
//!   `--runtime-api-address` (the Runtime API the function polls, default `127.0.0.1:9001`),
//!   `--log-level` (or `LOG_LEVEL`) and `--enable-init-caching`. Both addresses can move, so
//!   each [`Emulator`] takes two free ports and emulators run side by side. There is no
//!   `--help`: an unknown first word is taken for the bootstrap and exec'd. With more than
//!   one word after the flags, the last becomes `_HANDLER`.
//! - **Environment of the function.** The function inherits the emulator's whole
//!   environment, plus `AWS_LAMBDA_RUNTIME_API` (the Runtime API address),
//!   `AWS_LAMBDA_FUNCTION_VERSION=$LATEST`, log group and stream names, and
//!   defaults for `AWS_LAMBDA_FUNCTION_NAME` (`test_function`) and
//!   `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (`3008`) that a value set on the emulator replaces.
//!   `AWS_LAMBDA_FUNCTION_TIMEOUT` (whole seconds, default 300) is read by the emulator for
//!   its own deadline and reaches the function too. The deadline header matches it; the
//!   invoked ARN is always in `us-east-1`, account `012345678912`, whatever `AWS_REGION` says.
//! - **Invoke API.** Only `POST /2015-03-31/functions/function/invocations` exists: any
//!   other function name is a 404. The function starts lazily, on the first invocation, so
//!   that one carries the cold start.
//! - **One at a time.** Two invocations in flight at once crash the emulator itself (a nil
//!   pointer panic in its Go code). [`Emulator::invoke`] therefore queues callers.
//! - **Function error.** The runtime's `{"errorType", "errorMessage"}` comes back with status
//!   200 and no `X-Amz-Function-Error` header, unlike the real Invoke API (and unlike aegis's
//!   local mode); tell it from a success by its body.
//! - **Panic.** `lambda_runtime` catches a handler's panic and reports it as a function error
//!   (message `Lambda panicked: …`); the process lives on and serves the next invocation.
//! - **Crash.** When the process exits during an invocation, the answer is 502 with
//!   `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: … Error: Runtime exited with
//!   error: exit status N"}`. A process that exits before asking for its first event gets a
//!   502 with an empty body.
//! - **Timeout.** When the deadline passes, the answer is 200 with the plain-text body
//!   `Task timed out after N.00 seconds` (not JSON), sent at the deadline; the emulator then
//!   SIGKILLs the process.
//! - **Restart.** After a crash or a timeout the next invocation starts a fresh process (a
//!   new cold start); nothing restarts it until then.
//! - **Output.** The function's stdout and stderr both come out on the emulator's stdout,
//!   between `START RequestId: …`, `END RequestId: …` and `REPORT RequestId: …` lines; the
//!   emulator's own log lines (`… [INFO] (rapid) …`) go to its stderr.
//! - **Processes.** The function runs in a process group of its own, so killing the
//!   emulator's group would leave it behind; dropping an [`Emulator`] kills every descendant.

mod cargo;
mod emf;
mod emulator;
mod process;
mod rie;

pub use cargo::cargo_bin;
pub use emf::emf_problems;
pub use emulator::{Emulator, EmulatorBuilder, Invoked};
pub use rie::rie_path;
