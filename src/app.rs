//! Wires the store, the clock and the bot together. `run` is what `main` calls; `serve` is what
//! the tests and the demo call with their own store, clock and shutdown signal.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use teloxide::dispatching::Dispatcher;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::update_listeners::Polling;

use tokio::sync::Notify;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::bot::{self, Ctx};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::i18n::I18n;
use crate::jobs;
use crate::store::{self, Store};

/// How long handled update ids are remembered for the duplicate check.
const UPDATE_MEMORY_DAYS: i64 = 7;

/// Opens the configured database (running its migrations) and serves until `shutdown`.
pub async fn run(config: Config, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
    let store = store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {:?}", config.database_url))?;
    let store = Arc::new(store);
    let result = serve(config, store.clone(), Arc::new(SystemClock), shutdown).await;
    store.close().await;
    result
}

pub fn make_bot(config: &Config) -> Bot {
    let bot = Bot::new(config.token.clone());
    match &config.api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    }
}

/// Serves updates until `shutdown` resolves, then finishes the updates in hand and returns.
pub async fn serve(
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    if config.token.trim().is_empty() {
        anyhow::bail!("TELOXIDE_TOKEN is not set: put the bot token in .env (see .env.example)");
    }
    let bot = make_bot(&config);
    let ctx = Ctx { store, clock, i18n: Arc::new(I18n::new()), config: Arc::new(config) };
    prune_updates(&ctx).await?;
    let pruner = tokio::spawn({
        let ctx = ctx.clone();
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(6 * 3600));
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(e) = prune_updates(&ctx).await {
                    tracing::warn!(error = %e, "cannot prune handled update ids");
                }
            }
        }
    });
    let workers = start_workers(&bot, &ctx).await?;
    let result = dispatch(bot, ctx, shutdown).await;
    pruner.abort();
    workers.stop().await;
    result
}

/// The scheduler that queues due work, and the delivery loop that sends it.
struct Workers {
    scheduler: JobScheduler,
    stop: Arc<Notify>,
    delivery: tokio::task::JoinHandle<()>,
}

impl Workers {
    async fn stop(mut self) {
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!(error = %e, "the scheduler did not stop cleanly");
        }
        self.stop.notify_one();
        let _ = self.delivery.await;
    }
}

async fn start_workers(bot: &Bot, ctx: &Ctx) -> anyhow::Result<Workers> {
    // What came due while the bot was down goes out first (marked late).
    if let Err(e) = jobs::tick(ctx).await {
        tracing::error!(error = ?e, "catching up on due work failed");
    }
    let scheduler = JobScheduler::new().await?;
    let every = Duration::from_secs(ctx.config.jobs_interval_secs.into());
    let tick_ctx = ctx.clone();
    scheduler
        .add(Job::new_repeated_async(every, move |_, _| {
            let ctx = tick_ctx.clone();
            Box::pin(async move {
                if let Err(e) = jobs::tick(&ctx).await {
                    tracing::error!(error = ?e, "periodic work failed");
                }
            })
        })?)
        .await?;
    scheduler.start().await?;
    let stop = Arc::new(Notify::new());
    let deliverer = jobs::Deliverer::new(ctx.config.instance_id.clone(), ctx.config.outbox_rate_per_second);
    let delivery =
        tokio::spawn(deliverer.run(bot.clone(), ctx.clone(), Duration::from_millis(250), stop.clone()));
    Ok(Workers { scheduler, stop, delivery })
}

/// Forgets handled update ids old enough that Telegram will never send them again.
async fn prune_updates(ctx: &Ctx) -> anyhow::Result<()> {
    let forget_before = ctx.clock.now() - chrono::Duration::days(UPDATE_MEMORY_DAYS);
    ctx.store.prune_updates(forget_before).await?;
    Ok(())
}

async fn dispatch(bot: Bot, ctx: Ctx, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
    let me = bot.get_me().await.context("Telegram did not accept the bot token")?;
    tracing::info!(bot = %me.username(), "connected to Telegram");
    bot::register_default_commands(&bot, &ctx).await?;

    let listener = Polling::builder(bot.clone())
        .timeout(Duration::from_secs(ctx.config.poll_timeout_secs.into()))
        .delete_webhook()
        .await
        .build();
    let mut dispatcher = Dispatcher::builder(bot, bot::schema())
        .dependencies(dptree::deps![ctx])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text("an update handler failed"))
        .build();
    let token = dispatcher.shutdown_token();
    let serving =
        dispatcher.dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("update listener"));
    tokio::pin!(serving);
    tokio::select! {
        () = &mut serving => return Ok(()),
        () = shutdown => {}
    }
    tracing::info!("shutting down: finishing the updates in hand");
    loop {
        match token.shutdown() {
            Ok(done) => {
                let ((), ()) = tokio::join!(done, &mut serving);
                break;
            }
            // The dispatcher has not started yet: give it a moment, then stop it.
            Err(_) => {
                tokio::select! {
                    () = &mut serving => break,
                    () = tokio::time::sleep(Duration::from_millis(20)) => {}
                }
            }
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
