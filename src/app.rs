//! Wires the store, the clock and the bot together. `run` is what `main` calls; `serve` is what
//! the tests and the demo call with their own store, clock and shutdown signal.

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use teloxide::dispatching::{Dispatcher, ShutdownToken, UpdateHandler};
use teloxide::dptree::di::DependencyMap;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{Me, UpdateKind};
use teloxide::update_listeners::Polling;

use teloxide::{ApiError, RequestError};
use tokio::sync::{Notify, watch};
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::bot;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::i18n::I18n;
use crate::jobs;
use crate::metrics::{self, UpdateOutcome};
use crate::store::{self, Store};
use crate::web;

/// How long handled update ids are remembered for the duplicate check.
const UPDATE_MEMORY_DAYS: i64 = 7;

/// Opens the configured database (running its migrations) and serves until `shutdown`.
pub async fn run(config: Config, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
    let store = store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {:?}", config.database_url))?;
    let store = Arc::new(store);
    let result = serve(config, store.clone(), Arc::new(SystemClock), shutdown).await;
    // A handler abandoned at the end of the shutdown grace may still hold a connection.
    if tokio::time::timeout(Duration::from_secs(2), store.close()).await.is_err() {
        tracing::warn!("the database did not close in 2 s; exiting anyway");
    }
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
///
/// Stopping is bounded: after `SHUTDOWN_GRACE_SECS` it returns anyway, logging what was still in
/// hand, so a stop during a Telegram outage cannot linger (and poll again beside its
/// replacement once the network is back). Unsent notifications stay in the outbox.
pub async fn serve(
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    if config.token.trim().is_empty() {
        anyhow::bail!("TELOXIDE_TOKEN is not set: put the bot token in .env (see .env.example)");
    }
    if config.disclosure().shows_contacts() {
        tracing::warn!(
            "CONTACTS_IN_CHAT=show: contacts' names, phones and e-mails go through Telegram in full; \
             a Russian bank may not do this (SPEC §10, 149-FZ art. 10) — use mask"
        );
    }
    let config = Arc::new(config);
    let i18n = Arc::new(I18n::new());
    // Stopped when `serve` returns (dropped), whichever way it does.
    let _web = web::start(web::WebState {
        store: store.clone(),
        clock: clock.clone(),
        i18n: i18n.clone(),
        config: config.clone(),
    })
    .await?;
    if config.public_url.is_none() && !config.disclosure().shows_contacts() {
        tracing::info!(
            "PUBLIC_URL is not set: cards keep contacts {} and have no «Контакты» button \
             (the Mini App page needs the https:// address where the reverse proxy publishes HTTP_ADDR)",
            config.disclosure().described()
        );
    }
    let bot = make_bot(&config);
    tokio::pin!(shutdown);
    // Nothing is sent before Telegram accepts the token: with a wrong one, the delivery loop
    // would mark the whole outbox failed.
    let me = tokio::select! {
        me = connect(&bot) => me?,
        () = &mut shutdown => return Ok(()),
    };
    let grace = Duration::from_secs(config.shutdown_grace_secs.into());
    let ctx = Ctx { store, clock, i18n, config };
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
    let delivery = workers.delivery.abort_handle();
    let in_hand = InHand::default();
    let (stop, stopped) = watch::channel(false);
    let serving = dispatch(bot, ctx.clone(), me, in_hand.clone(), stopped);
    tokio::pin!(serving);
    let started = tokio::select! {
        result = &mut serving => Some(result),
        () = &mut shutdown => None,
    };
    let result = match started {
        // The listener ended on its own.
        Some(result) => {
            workers.stop().await;
            result
        }
        None => {
            tracing::info!(grace_secs = grace.as_secs(), "shutting down: finishing the updates in hand");
            let _ = stop.send(true);
            let listening = AtomicBool::new(true);
            let delivering = AtomicBool::new(true);
            let stopping = async {
                let (result, ()) = tokio::join!(
                    async {
                        let result = (&mut serving).await;
                        listening.store(false, Ordering::Relaxed);
                        result
                    },
                    async {
                        workers.stop().await;
                        delivering.store(false, Ordering::Relaxed);
                    },
                );
                result
            };
            match tokio::time::timeout(grace, stopping).await {
                Ok(result) => result,
                Err(_) => {
                    delivery.abort();
                    let unsent = unsent_count(&ctx).await;
                    tracing::warn!(
                        grace_secs = grace.as_secs(),
                        updates_in_hand = in_hand.count(),
                        telegram_listener =
                            if listening.load(Ordering::Relaxed) { "still stopping" } else { "stopped" },
                        delivery = if delivering.load(Ordering::Relaxed) { "still sending" } else { "stopped" },
                        outbox_unsent = %unsent.map_or_else(|| "unknown".to_owned(), |n| n.to_string()),
                        "the shutdown grace is over: exiting with this still in hand; unsent notifications \
                         stay in the outbox and go out after the next start"
                    );
                    Ok(())
                }
            }
        }
    };
    pruner.abort();
    result
}

/// Outbox items not sent yet (waiting, or claimed and not settled), for the log of a cut-short stop.
async fn unsent_count(ctx: &Ctx) -> Option<i64> {
    let counts = tokio::time::timeout(Duration::from_secs(2), ctx.store.outbox_counts()).await.ok()?.ok()?;
    Some(counts.iter().filter(|(state, _)| state == "pending" || state == "sending").map(|(_, n)| n).sum())
}

/// Counts the updates being handled, for the log of a cut-short stop.
#[derive(Clone, Default)]
struct InHand(Arc<AtomicUsize>);

/// Held for as long as one update is being handled (it travels in the handler's dependencies).
struct Handling(Arc<AtomicUsize>);

impl InHand {
    fn enter(&self) -> Handling {
        self.0.fetch_add(1, Ordering::Relaxed);
        Handling(self.0.clone())
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `schema`, timed and counted by update kind and outcome (`crate::metrics`).
fn measured(schema: UpdateHandler<anyhow::Error>) -> UpdateHandler<anyhow::Error> {
    let description = schema.description().clone();
    let sig = schema.sig().clone();
    dptree::from_fn_with_description(
        description,
        move |deps: DependencyMap, cont| {
            let schema = schema.clone();
            async move {
                let kind = match &deps.get::<Update>().kind {
                    UpdateKind::Message(_) => "message",
                    UpdateKind::EditedMessage(_) => "edited_message",
                    UpdateKind::CallbackQuery(_) => "callback_query",
                    _ => "other",
                };
                let started = std::time::Instant::now();
                let result = schema.execute(deps, cont).await;
                let outcome = match &result {
                    ControlFlow::Break(Ok(())) => UpdateOutcome::Handled,
                    ControlFlow::Break(Err(_)) => UpdateOutcome::Failed,
                    ControlFlow::Continue(_) => UpdateOutcome::Skipped,
                };
                metrics::update_handled(kind, outcome, started.elapsed());
                result
            }
        },
        sig,
    )
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

/// The longest wait between two `getMe` attempts while Telegram is unreachable.
const CONNECT_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Dispatches updates until `stop` turns true, then finishes the updates in hand.
async fn dispatch(
    bot: Bot,
    ctx: Ctx,
    mut me: Me,
    in_hand: InHand,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let stopped = async move {
        // A dropped sender means nobody can ask to stop: serve until the listener ends.
        if stop.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stopped);
    loop {
        tracing::info!(bot = %me.username(), "connected to Telegram");
        if let Err(e) = bot::register_default_commands(&bot, &ctx).await {
            tracing::warn!(error = %e, "cannot set the bot's command list now; it is set again at the next start");
        }
        let listener = Polling::builder(bot.clone())
            .timeout(Duration::from_secs(ctx.config.poll_timeout_secs.into()))
            .delete_webhook()
            .await
            .build();
        let in_hand = in_hand.clone();
        let schema = dptree::entry().map(move || in_hand.enter()).chain(measured(bot::schema()));
        let mut dispatcher = Dispatcher::builder(bot.clone(), schema)
            .dependencies(dptree::deps![ctx.clone()])
            .default_handler(|_| async {})
            .error_handler(LoggingErrorHandler::with_custom_text("an update handler failed"))
            .build();
        let token = dispatcher.shutdown_token();
        let serving = dispatcher
            .try_dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("update listener"));
        tokio::pin!(serving);
        let error = tokio::select! {
            result = &mut serving => match result {
                Ok(()) => return Ok(()),
                // The dispatcher's own getMe: Telegram went away again right after answering ours.
                Err(e) => e,
            },
            () = &mut stopped => {
                finish(&token, serving).await;
                return Ok(());
            }
        };
        tracing::warn!(error = %error, "Telegram is unreachable, retrying");
        me = tokio::select! {
            me = connect(&bot) => me?,
            () = &mut stopped => return Ok(()),
        };
    }
}

/// Stops the dispatcher: it takes no new updates and finishes those in hand.
async fn finish<E>(token: &ShutdownToken, mut serving: Pin<&mut impl Future<Output = Result<(), E>>>) {
    loop {
        match token.shutdown() {
            Ok(done) => {
                let ((), _) = tokio::join!(done, serving.as_mut());
                return;
            }
            // The dispatcher has not started yet: give it a moment, then stop it.
            Err(_) => {
                tokio::select! {
                    _ = serving.as_mut() => return,
                    () = tokio::time::sleep(Duration::from_millis(20)) => {}
                }
            }
        }
    }
}

/// Asks Telegram who the bot is until it answers: network errors, 5xx and 429 are retried with
/// backoff, so a bot started during an outage (with no supervisor to restart it) serves once
/// Telegram is back. Only a refused token (401) stops start-up.
async fn connect(bot: &Bot) -> anyhow::Result<Me> {
    let mut backoff = Duration::from_secs(1);
    loop {
        let error = match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(e) => e,
        };
        let wait = match &error {
            RequestError::Api(ApiError::InvalidToken) => {
                return Err(error).context("Telegram did not accept the bot token: check TELOXIDE_TOKEN");
            }
            RequestError::RetryAfter(secs) => secs.duration(),
            _ => backoff,
        };
        // The error never carries the token: teloxide hides it in request URLs.
        tracing::warn!(error = %error, retry_in_secs = wait.as_secs(), "Telegram is unreachable, retrying");
        tokio::time::sleep(wait).await;
        backoff = (backoff * 2).min(CONNECT_BACKOFF_MAX);
    }
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
