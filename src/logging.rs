//! The process's log: plain text or JSON lines (`LOG_FORMAT`), filtered by `RUST_LOG`, and
//! never carrying personal data or the bot token at any level.
//!
//! Our own code logs ids, counts and states, never names, phones, e-mails or texts people
//! typed. Libraries are another matter: at `debug` and `trace` some of them print what they
//! send and receive. The targets in [`CAPPED`] are held at the level named there whatever
//! `RUST_LOG` says (the README lists them); a test runs real flows at `RUST_LOG=trace` and
//! greps the log for the contacts used and the token.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// The filter when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tokio_cron_scheduler=warn";

/// Library targets held at most at this level, whatever `RUST_LOG` asks for: what they log
/// below it carries what goes over the wire (request and response bodies, URLs with the token).
pub const CAPPED: &[(&str, &str)] = &[
    // Bodies of Bot API requests and responses (messages with the card's contacts).
    ("teloxide_core", "info"),
    ("teloxide", "info"),
    // Connection-level traces of the HTTP client (URLs, bytes read and written).
    ("reqwest", "info"),
    ("hyper", "info"),
    ("hyper_util", "info"),
    ("rustls", "info"),
];

/// `rust_log` (RUST_LOG's value, if set) with the [`CAPPED`] targets held down.
pub fn filter(rust_log: Option<&str>) -> EnvFilter {
    let base = rust_log.map(str::trim).filter(|v| !v.is_empty()).unwrap_or(DEFAULT_FILTER);
    let mut filter = EnvFilter::builder().parse_lossy(base);
    for (target, level) in CAPPED {
        if let Ok(directive) = format!("{target}={level}").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the process's log subscriber writing to `writer`; an error when one is installed
/// already.
pub fn init<W>(format: LogFormat, rust_log: Option<&str>, writer: W) -> anyhow::Result<()>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter(rust_log)).with_writer(writer);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the log subscriber: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_targets_stay_capped_under_trace() {
        let shown = filter(Some("trace")).to_string();
        for (target, level) in CAPPED {
            assert!(shown.contains(&format!("{target}={level}")), "{target} in {shown}");
        }
        assert!(filter(None).to_string().contains("info"));
    }
}
