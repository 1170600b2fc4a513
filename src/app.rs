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
use teloxide::types::{AllowedUpdate, Me, UpdateKind};
use teloxide::update_listeners::Polling;

use teloxide::{ApiError, RequestError};
use tokio::sync::{Notify, watch};
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::bot;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, TelegramMode};
use crate::ctx::Ctx;
use crate::domain::session;
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
    // Held until `serve` returns: a second instance on the same SQLite file refuses to start.
    let _only_instance = sqlite_single_instance(store.database_file())?;
    let config = Arc::new(config);
    let i18n = Arc::new(I18n::new());
    let webhook = web::WebhookSink::default();
    // Stopped when `serve` returns (dropped), whichever way it does.
    let _web = web::start(web::WebState {
        store: store.clone(),
        clock: clock.clone(),
        i18n: i18n.clone(),
        config: config.clone(),
        webhook: webhook.clone(),
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
    let serving: Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> = match ctx.config.telegram_mode {
        TelegramMode::Polling => Box::pin(poll_when_chosen(bot, ctx.clone(), me, in_hand.clone(), stopped)),
        TelegramMode::Webhook => {
            Box::pin(serve_webhook(bot, ctx.clone(), me, in_hand.clone(), webhook, stopped))
        }
    };
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

/// Forgets handled update ids old enough that Telegram will never send them again, and files
/// sent for import that nobody saved or cancelled within a day (their rows hold personal data).
async fn prune_updates(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    ctx.store.prune_updates(now - chrono::Duration::days(UPDATE_MEMORY_DAYS)).await?;
    let abandoned =
        ctx.store.forget_pending_imports(now - chrono::Duration::days(PENDING_IMPORT_DAYS)).await?;
    if abandoned > 0 {
        tracing::info!(files = abandoned, "files sent for import and never decided on were dropped");
    }
    Ok(())
}

/// How long a file sent for import waits for «Загрузить» or «Отмена» before it is dropped.
const PENDING_IMPORT_DAYS: i64 = 1;

/// The longest wait between two `getMe` attempts while Telegram is unreachable.
const CONNECT_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Resolves when `stop` turns true (never, when nobody can ask to stop any more).
async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Polling mode: long-polls while this instance holds the poller's lease (one instance of all
/// those on the database does), and otherwise waits to take over, until `stop` turns true.
/// The others deliver the outbox and run the jobs meanwhile.
async fn poll_when_chosen(
    bot: Bot,
    ctx: Ctx,
    mut me: Me,
    in_hand: InHand,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let instance = ctx.config.instance_id.clone();
    let (chosen_tx, mut chosen) = watch::channel(false);
    let lease = tokio::spawn(hold_poller_lease(ctx.clone(), chosen_tx));
    let result = loop {
        tokio::select! {
            _ = chosen.wait_for(|chosen| *chosen) => {}
            () = stopped(stop.clone()) => break Ok(()),
        }
        tracing::info!(%instance, "this instance polls Telegram");
        let mut lost = chosen.clone();
        let until = async move {
            let _ = lost.wait_for(|chosen| !*chosen).await;
        };
        let quit = {
            let stop = stop.clone();
            async move {
                tokio::select! {
                    () = until => {}
                    () = stopped(stop) => {}
                }
            }
        };
        match dispatch(bot.clone(), ctx.clone(), me.clone(), in_hand.clone(), quit).await {
            Ok(latest) => me = latest,
            Err(e) => break Err(e),
        }
        if *stop.borrow() {
            break Ok(());
        }
        tracing::warn!(%instance, "this instance lost the poller's lease: it stopped polling");
    };
    lease.abort();
    // Let another instance poll at once rather than when the lease runs out.
    if let Err(e) = session::leave_poller(ctx.store.as_ref(), &instance).await {
        tracing::warn!(error = %e, "cannot give the poller's lease up; it runs out by itself");
    }
    result
}

/// Takes the poller's lease when it is free and renews it while held, every quarter of
/// `POLL_TAKEOVER_SECS`, for three quarters of it: an instance that died is replaced within
/// `POLL_TAKEOVER_SECS`. `chosen` says whether this instance holds it.
async fn hold_poller_lease(ctx: Ctx, chosen: watch::Sender<bool>) {
    let takeover = Duration::from_secs(ctx.config.poll_takeover_secs.into());
    let lease = chrono::Duration::from_std(takeover * 3 / 4).unwrap_or(chrono::Duration::seconds(10));
    let mut every = tokio::time::interval(takeover / 4);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        // Liveness is wall-clock time, whatever clock the business rules read.
        let now = chrono::Utc::now();
        let holds =
            match session::take_poller(ctx.store.as_ref(), &ctx.config.instance_id, now, now + lease).await {
                Ok(holds) => holds,
                Err(e) => {
                    // Unable to renew, this instance cannot know it still holds the lease: it stops
                    // polling rather than risk two pollers.
                    tracing::warn!(error = %e, "cannot renew the poller's lease");
                    false
                }
            };
        chosen.send_if_modified(|was| std::mem::replace(was, holds) != holds);
    }
}

/// Webhook mode: asks Telegram to post updates to `{PUBLIC_URL}/telegram/webhook` and hands
/// each to the dispatcher's tree as the HTTP server receives it, until `stop` turns true; then
/// new deliveries are answered "again" (Telegram re-sends them, to another instance behind the
/// balancer) and those in hand are finished.
async fn serve_webhook(
    bot: Bot,
    ctx: Ctx,
    me: Me,
    in_hand: InHand,
    sink: web::WebhookSink,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let url = ctx.config.webhook_url().context("TELEGRAM_MODE=webhook needs PUBLIC_URL")?;
    let secret = ctx.config.webhook_secret.clone().context("TELEGRAM_MODE=webhook needs WEBHOOK_SECRET")?;
    tracing::info!(bot = %me.username(), "connected to Telegram");
    if let Err(e) = bot::register_default_commands(&bot, &ctx).await {
        tracing::warn!(error = %e, "cannot set the bot's command list now; it is set again at the next start");
    }
    let stopping = Arc::new(AtomicBool::new(false));
    let routes = {
        let in_hand = in_hand.clone();
        Arc::new(dptree::entry().map(move || in_hand.enter()).chain(measured(bot::routes())))
    };
    // As the polling dispatcher checks its handler when it is built: a handler asking for a
    // value no update is handled with (the flow state outside the routes by it) stops the start.
    bot::type_check(&routes);
    sink.set({
        let (bot, ctx, stopping) = (bot.clone(), ctx.clone(), stopping.clone());
        move |body| {
            let (bot, ctx, me, routes, stopping) =
                (bot.clone(), ctx.clone(), me.clone(), routes.clone(), stopping.clone());
            Box::pin(async move {
                if stopping.load(Ordering::Relaxed) {
                    return web::Delivery::Again;
                }
                // From the bytes, as teloxide reads `getUpdates`: some of its types borrow.
                let update: Update = match serde_json::from_slice(&body) {
                    Ok(update) => update,
                    Err(e) => {
                        tracing::warn!(error = %e, "an update this bot cannot read: ignored");
                        return web::Delivery::Done;
                    }
                };
                if let teloxide::types::UpdateKind::Error(_) = &update.kind {
                    tracing::warn!(update_id = update.id.0, "an update of a kind this bot cannot read");
                }
                let deps = dptree::deps![bot, ctx.clone(), me, update.clone()];
                // In a task of its own: a caller that hangs up (Telegram's timeout) must not
                // cut a handling short halfway.
                let handling = tokio::spawn(async move { bot::handle_once(&routes, &ctx, &update, deps).await });
                match handling.await.unwrap_or_else(|e| bot::Outcome::Failed(e.into())) {
                    bot::Outcome::Handled | bot::Outcome::Duplicate => web::Delivery::Done,
                    bot::Outcome::Busy => web::Delivery::Again,
                    bot::Outcome::Failed(e) => {
                        tracing::error!(error = ?e, "an update could not be handled; Telegram delivers it again");
                        web::Delivery::Again
                    }
                }
            })
        }
    });
    // Every instance sets the same webhook; Telegram keeps one, so the last start wins nothing.
    let mut backoff = Duration::from_secs(1);
    loop {
        let request = bot
            .set_webhook(url.clone())
            .secret_token(secret.clone())
            .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
            .max_connections(u8::try_from(ctx.config.webhook_max_connections).unwrap_or(40));
        let attempt = tokio::select! {
            result = request.send() => result,
            () = stopped(stop.clone()) => return Ok(()),
        };
        match attempt {
            Ok(_) => break,
            Err(RequestError::Api(e)) => {
                return Err(anyhow::anyhow!("Telegram refused the webhook {url}: {e}"));
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_secs = backoff.as_secs(), "cannot set the webhook now, retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(CONNECT_BACKOFF_MAX);
            }
        }
    }
    tracing::info!(%url, instance = %ctx.config.instance_id, "Telegram posts updates to the webhook");
    stopped(stop).await;
    stopping.store(true, Ordering::Relaxed);
    while in_hand.count() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Dispatches updates by long polling until `quit` resolves, then finishes the updates in
/// hand; returns who the bot is, as last asked.
async fn dispatch(
    bot: Bot,
    ctx: Ctx,
    mut me: Me,
    in_hand: InHand,
    quit: impl Future<Output = ()> + Send,
) -> anyhow::Result<Me> {
    let stopped = quit;
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
        // The lease makes this the only poller; a 409 here means another process polls
        // outside it (an older release, a test script).
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
                Ok(()) => return Ok(me),
                // The dispatcher's own getMe: Telegram went away again right after answering ours.
                Err(e) => e,
            },
            () = &mut stopped => {
                finish(&token, serving).await;
                return Ok(me);
            }
        };
        tracing::warn!(error = %error, "Telegram is unreachable, retrying");
        me = tokio::select! {
            me = connect(&bot) => me?,
            () = &mut stopped => return Ok(me),
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

/// On SQLite, holds an exclusive lock on the database file for the life of the instance: a
/// second instance on the same file refuses to start instead of competing for it (SQLite
/// serves one; several instances share PostgreSQL). The lock goes with the process, however
/// it ends.
fn sqlite_single_instance(file: Option<std::path::PathBuf>) -> anyhow::Result<Option<std::fs::File>> {
    // In memory (`sqlite::memory:`) there is no file to share.
    let Some(path) = file.filter(|path| path.is_file()) else {
        return Ok(None);
    };
    let path = path.display();
    let file = std::fs::File::open(path.to_string())
        .with_context(|| format!("cannot open the database file {path}"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another instance is already running on the SQLite database {path}: SQLite serves one \
             instance; to run several, put them all on one PostgreSQL DATABASE_URL"
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock the database file {path}"))
        }
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
