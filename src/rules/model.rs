//! The validated, compiled form of rule files.

use serde::{Deserialize, Serialize};

/// How bad a signal or cause is; also the threshold of `--fail-on`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Debug,
    #[default]
    Info,
    Notice,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::Debug,
        Severity::Info,
        Severity::Notice,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Debug => "debug",
            Severity::Info => "info",
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! tags {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// What role a signal's line plays for the detectors (closed vocabulary).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Tag {
            $(#[doc = $doc] #[serde(rename = $name)] $variant,)*
        }

        impl Tag {
            pub const ALL: &'static [Tag] = &[$(Tag::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Tag::$variant => $name,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Tag::$variant => $doc,)* }
            }

            pub fn parse(text: &str) -> Option<Tag> {
                match text { $($name => Some(Tag::$variant),)* _ => None }
            }
        }
    };
}

tags! {
    RestartMarker => "restart-marker": "a supervisor scheduled or performed a restart",
    StartMarker => "start-marker": "a process or service is starting or started",
    ReadyMarker => "ready-marker": "start-up completed: listening, ready to accept",
    ExitMarker => "exit-marker": "a process exited or was killed",
    CleanExit => "clean-exit": "a process or unit finished successfully (a oneshot job, a clean stop)",
    FailureMarker => "failure-marker": "a unit or container entered a failed state",
    StartLimit => "start-limit": "the start rate limit was hit",
    LoopState => "loop-state": "a status shown only while a service restarts in a loop (auto-restart, CrashLoopBackOff, docker Restarting)",
    StopMarker => "stop-marker": "a deliberate stop was requested",
    TracebackStart => "traceback-start": "the first line of a stack trace",
    TracebackEnd => "traceback-end": "a `Type: message` exception line (ends a Python traceback, heads a Java, Node or .NET trace)",
    TracebackFrame => "traceback-frame": "one frame of a stack trace: a function, a source location or both",
    TracebackCause => "traceback-cause": "links a chained exception (Python's 'During handling of the above exception', Java's 'Caused by:', .NET's ' ---> ')",
    Continuation => "continuation": "a line that continues a multi-line message",
    BindError => "bind-error": "a listening socket could not be bound",
    Oom => "oom": "the out-of-memory killer acted",
    Memory => "memory": "memory use or exhaustion",
    ConnectionError => "connection-error": "a connection to a peer failed",
    ConfigError => "config-error": "configuration missing or invalid",
    ImportError => "import-error": "a module, class or library could not be loaded",
    PermissionError => "permission-error": "access was denied",
    DiskError => "disk-error": "storage full or failing",
    FdError => "fd-error": "file descriptors exhausted",
    Crash => "crash": "a process crashed",
    Timeout => "timeout": "an operation timed out",
    HttpStatus => "http-status": "an HTTP response status",
    Noise => "noise": "looks alarming but is routine",
    HandledAbove => "handled-above": "the program says it takes a fallback: the failure it logged on the lines just above was handled",
    AlreadyRunning => "already-running": "the program refuses to start because another instance runs (captures the `pid` it names)",
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Index of a signal in [`RuleSet::signals`].
pub type SignalIdx = u32;

/// A line a signal must (or must not) match, with the captures it must yield.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub line: String,
    pub captures: Vec<(String, String)>,
}

/// What one log line looks like.
#[derive(Debug, Clone)]
pub struct Signal {
    pub id: String,
    pub description: String,
    /// The file the signal came from (`rules/network.toml`).
    pub origin: String,
    /// Compiled when a line first needs it (`SignalRegex`).
    pub regex: super::SignalRegex,
    /// A journal `MESSAGE_ID` the line must carry (journal JSON input): it survives
    /// localisation and rewording of the message.
    pub message_id: Option<String>,
    /// The line must be at least this severe when its record says how severe it is (a
    /// journal `PRIORITY`, a syslog priority, a logger's level): systemd logs a failure and
    /// a skipped optional command under the same `MESSAGE_ID`, at `err` and at `info`.
    pub min_level: Option<Severity>,
    /// Texts one of which every match contains; empty when none could be found.
    pub literals: Vec<String>,
    pub case_insensitive: bool,
    pub severity: Severity,
    pub tags: Vec<Tag>,
    pub examples: Vec<Example>,
    pub counter_examples: Vec<String>,
}

impl Signal {
    pub fn has_tag(&self, tag: Tag) -> bool {
        self.tags.contains(&tag)
    }
}

/// A reference to evidence in a cause condition: a signal id or `tag:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceRef {
    /// Resolved to the signal's index.
    Signal(SignalIdx),
    Tag(Tag),
    /// `detector:restart-loop`: the restart-loop detector found a loop.
    RestartLoop,
    /// `detector:competing-managers`: units under the system manager and a user manager
    /// restart in loops at the same time (two supervisors fighting over one resource).
    CompetingManagers,
    /// `detector:port-holder`: while other processes fail to bind, a process of the same
    /// kind that never failed starts, runs or stops (a copy started by hand holds the port).
    PortHolder,
    /// `detector:stale-pid`: an `already-running` line names a PID that nothing else in the
    /// logs shows alive (a PID or lock file left behind).
    StalePid,
    /// `detector:lost-route`: a route answered 2xx before a restart of its server and 404
    /// after it (in-memory state lost on restart).
    LostRoute,
}

/// When a cause applies.
#[derive(Debug, Clone, Default)]
pub struct CauseCondition {
    /// At least `min_count` hits among these.
    pub any: Vec<EvidenceRef>,
    /// Every one of these must have fired.
    pub all: Vec<EvidenceRef>,
    /// Raise confidence.
    pub supporting: Vec<EvidenceRef>,
    /// Lower confidence.
    pub contradicting: Vec<EvidenceRef>,
    /// Evidence that the failure was survived: an `any` line is not counted when one of
    /// these follows it in the same process (same source, and the same host, identifier and
    /// PID where both lines name one) before that process ends or restarts (a ready line
    /// after a start-up retry: the dependency came up and the service went on).
    pub resolved_by: Vec<EvidenceRef>,
    /// The failure is one that ends its process (an uncaught exception): an `any` line
    /// is not counted when its process is heard from after it, past the block of lines
    /// it starts (the program caught the exception, logged it and went on).
    pub ends_process: bool,
    pub min_count: usize,
    /// Confidence when the required evidence is present.
    pub confidence: f64,
}

/// What a pattern of evidence means, and what to do about it.
#[derive(Debug, Clone)]
pub struct Cause {
    pub id: String,
    pub origin: String,
    pub summary: String,
    pub severity: Severity,
    pub title: String,
    pub explanation: String,
    pub fix: Vec<String>,
    pub verify: Vec<String>,
    /// This cause is a consequence (a start limit, a crash report): when another cause is
    /// found, it is told as part of that story instead of on its own.
    pub consequence: bool,
    /// Causes this one is the reason for (a left-over process explains a port conflict):
    /// found for the same unit, this finding is ranked before theirs.
    pub explains: Vec<String>,
    /// Causes that tell the same problem less precisely: found for the same unit, this
    /// finding replaces theirs.
    pub supersedes: Vec<String>,
    pub when: CauseCondition,
}

/// Every loaded and validated rule.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub signals: Vec<Signal>,
    pub causes: Vec<Cause>,
}

impl RuleSet {
    pub fn signal(&self, idx: SignalIdx) -> &Signal {
        &self.signals[idx as usize]
    }

    pub fn signal_by_id(&self, id: &str) -> Option<SignalIdx> {
        self.signals
            .iter()
            .position(|s| s.id == id)
            .map(|i| i as SignalIdx)
    }

    pub fn cause(&self, id: &str) -> Option<&Cause> {
        self.causes.iter().find(|c| c.id == id)
    }

    /// Whether the referenced evidence covers this signal.
    pub fn refers_to(&self, reference: &EvidenceRef, idx: SignalIdx) -> bool {
        match reference {
            EvidenceRef::Signal(s) => *s == idx,
            EvidenceRef::Tag(tag) => self.signal(idx).has_tag(*tag),
            EvidenceRef::RestartLoop
            | EvidenceRef::CompetingManagers
            | EvidenceRef::PortHolder
            | EvidenceRef::StalePid
            | EvidenceRef::LostRoute => false,
        }
    }
}
