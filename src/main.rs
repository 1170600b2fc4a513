//! Thin entry point: parse the command line, read the configuration, hand over.

use std::time::Duration;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(start());
    // A stop cut short by the shutdown grace leaves tasks behind (a request to an unreachable
    // Telegram, a DNS lookup on a blocking thread): they must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn start() -> anyhow::Result<()> {
    // A missing .env is normal; its keys may come from the real environment instead.
    let _ = dotenvy::dotenv();
    let cli = prospect_diary::cli::Cli::parse();
    if let Some(prospect_diary::cli::Command::Demo { database }) = cli.command {
        // The demo needs no configuration, and its own database; its terminal is the chat, so
        // it logs to a file of its own.
        return prospect_diary::demo::run(database).await;
    }
    let config = prospect_diary::config::Config::from_env()?;
    let rust_log = std::env::var("RUST_LOG").ok();
    prospect_diary::logging::init(config.log_format, rust_log.as_deref(), std::io::stderr)?;
    prospect_diary::cli::execute(cli, config).await
}
