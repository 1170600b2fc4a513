//! Periodic work and delivery (SPEC §6, §9). `tick` queues what came due (reminders, morning
//! digests); `deliver_once` sends what is queued, within Telegram's rates, retrying after
//! errors. Both are plain functions: tokio-cron-scheduler and the delivery loop call them in
//! the app, tests call them after moving the clock.

mod render;
pub mod weekly;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveTime, TimeZone, Utc};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId, ParseMode, ReplyParameters};
use teloxide::{ApiError, RequestError};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::bot::agenda;
use crate::ctx::Ctx;
use crate::domain::access::Region;
use crate::domain::access::{Audience, Role, manages, may_receive};
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::handoff::{self, Handoff, HandoffState, Waiting};
use crate::domain::ids::RegionCode;
use crate::domain::ids::TelegramId;
use crate::domain::notice;
use crate::domain::portfolio;
use crate::domain::worktime::{Calendar, WorkTime};
use crate::metrics::{self, SendResult};
use crate::store::{NewOutgoing, Outgoing};

/// How long a claim on an outbox item lasts before another instance may take it over.
const LEASE_SECS: i64 = 60;
const BATCH: i64 = 50;
/// How long a report item is held while its workbook is built.
const REPORT_LEASE_SECS: i64 = 15 * 60;

/// Queues everything that came due by now: follow-up reminders and morning digests.
pub async fn tick(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    while ctx.store.queue_due_followups(now, 500).await? == 500 {}
    held_leads(ctx).await?;
    waiting_leads(ctx).await?;
    stale_leads(ctx).await?;
    digests(ctx).await?;
    weekly::queue(ctx).await
}

/// Leads whose specialist did not give the facts within the wait: their cards go to the chat
/// with what was given, so no lead is lost to an unanswered question.
pub async fn held_leads(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    for h in ctx.store.held_handoffs(Some(now), None, 500).await? {
        ctx.store.release_handoff(h.id, &notice::lead_card(h.id, h.chat_id, &h.region), now).await?;
    }
    Ok(())
}

/// The bank's calendar and its divisions, read once for a pass over waiting leads.
struct Divisions {
    calendar: Calendar,
    regions: HashMap<RegionCode, Region>,
}

impl Divisions {
    async fn load(ctx: &Ctx) -> anyhow::Result<Self> {
        let calendar = ctx.store.calendar().await?;
        let regions = ctx.store.regions().await?.into_iter().map(|r| (r.code.clone(), r)).collect();
        Ok(Self { calendar, regions })
    }

    /// A division's working time; `None` for a division that is not there.
    fn work_time(&self, code: &RegionCode) -> Option<WorkTime<'_>> {
        self.regions.get(code).map(|r| r.work_time(&self.calendar))
    }
}

/// Leads nobody took: after `HANDOFF_SLA_HOURS` working hours of the division (its hours,
/// the bank's calendar) a reminder in the chat; after twice that, the division's managers are
/// told. Queued once each (dedupe keys), then marked.
pub async fn waiting_leads(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    let sla = chrono::Duration::hours(i64::from(ctx.config.handoff_sla_hours));
    let divisions = Divisions::load(ctx).await?;
    // Working time never runs faster than the clock, so the store's cut by calendar time only
    // narrows the candidates; each is then measured in its division's working hours.
    let waited = |h: &Handoff, sla: chrono::Duration| {
        divisions.work_time(&h.region).is_none_or(|w| w.between(h.waiting_since, now) >= sla)
    };
    for h in ctx.store.waiting_handoffs(now - sla, Waiting::Reminder, 500).await? {
        if !waited(&h, sla) {
            continue;
        }
        let item = NewOutgoing {
            kind: "lead_reminder",
            chat_id: h.chat_id,
            ref_id: Some(h.id),
            text: None,
            markup: None,
            dedupe_key: format!("handoff:{}:reminder", h.id),
            audience: Audience::Region(h.region.clone()),
            notice: None,
        };
        ctx.store.enqueue(&[item], now).await?;
        ctx.store.mark_waiting(h.id, Waiting::Reminder, now).await?;
    }
    let users = ctx.store.users().await?;
    for h in ctx.store.waiting_handoffs(now - sla * 2, Waiting::Escalation, 500).await? {
        if !waited(&h, sla * 2) {
            continue;
        }
        let items: Vec<NewOutgoing> = users
            .iter()
            .filter(|m| manages(m, &h.region))
            .map(|m| NewOutgoing {
                kind: "lead_overdue",
                chat_id: m.telegram_id.get(),
                ref_id: Some(h.id),
                text: None,
                markup: None,
                dedupe_key: format!("handoff:{}:overdue:{}", h.id, m.telegram_id),
                audience: Audience::Region(h.region.clone()),
                notice: None,
            })
            .collect();
        if items.is_empty() {
            tracing::warn!(handoff = h.id, region = %h.region, "a lead waits too long and the division has no manager");
        }
        ctx.store.enqueue(&items, now).await?;
        ctx.store.mark_waiting(h.id, Waiting::Escalation, now).await?;
    }
    Ok(())
}

/// Leads nobody took within `HANDOFF_EXPIRE_WORKING_DAYS` working days of their division
/// expire: the card in the chat says so, the specialist and the managers are told, and the
/// company can be handed off again.
pub async fn stale_leads(ctx: &Ctx) -> anyhow::Result<()> {
    let days = ctx.config.handoff_expire_working_days;
    if days == 0 {
        return Ok(());
    }
    let now = ctx.clock.now();
    let divisions = Divisions::load(ctx).await?;
    // A working day is never shorter than a calendar day, so only leads older than `days`
    // calendar days can be due; each is then measured in its division's working days.
    let before = now - chrono::Duration::days(i64::from(days));
    for h in ctx.store.pending_handoffs(before, 500).await? {
        let Some(work) = divisions.work_time(&h.region) else { continue };
        let due = handoff::expires_at(h.waiting_since, days, &work);
        if due.is_some_and(|due| due <= now) {
            handoff::expire(ctx.store.as_ref(), &h, &format!("not taken within {days} working days"), now)
                .await?;
        }
    }
    Ok(())
}

/// Each working day of the bank's calendar from 09:00 local, once per division: a digest to everyone with something due.
pub async fn digests(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("a time");
    let users = ctx.store.users().await?;
    let calendar = ctx.store.calendar().await?;
    for region in ctx.store.regions().await? {
        let tz = region.tz.tz();
        let local = now.with_timezone(&tz);
        if !calendar.is_working_day(local.date_naive()) || local.time() < nine {
            continue;
        }
        let date = local.date_naive();
        if !ctx.store.claim_digest_day(region.code.as_str(), &date.to_string(), now).await? {
            continue;
        }
        let end_of_day = tz
            .from_local_datetime(&(date + chrono::Duration::days(1)).and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let mut items = vec![];
        let staff = users.iter().filter(|u| {
            u.active
                && u.region.as_ref() == Some(&region.code)
                && matches!(u.role, Role::Specialist | Role::Manager | Role::CreditOfficer)
        });
        for user in staff {
            let agenda = ctx.store.agenda(user.telegram_id, end_of_day).await?;
            if agenda.is_empty() {
                continue;
            }
            let (text, markup) = agenda::digest(ctx, user.lang, tz, &agenda, now);
            items.push(NewOutgoing {
                kind: "digest",
                chat_id: user.telegram_id.get(),
                ref_id: None,
                text: Some(text),
                markup: Some(serde_json::to_string(&markup)?),
                dedupe_key: format!("digest:{date}:{}", user.telegram_id),
                audience: Audience::Region(region.code.clone()),
                notice: None,
            });
        }
        ctx.store.enqueue(&items, now).await?;
    }
    Ok(())
}

/// Telegram's rates as this instance keeps them: about `per_second` overall (a token bucket
/// with a small burst, so time lost on one message is made up on the next), one message a
/// second to one chat, twenty a minute to one group.
pub struct Pace {
    per_second: f64,
    tokens: f64,
    at: Instant,
    chats: HashMap<i64, Instant>,
    /// Set by a 429: nothing is sent before it.
    paused_until: Option<Instant>,
}

/// How many messages may go out back to back after a pause (well within Telegram's tolerance).
const BURST: f64 = 5.0;

impl Pace {
    pub fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second.max(1));
        Self { per_second, tokens: 1.0, at: Instant::now(), chats: HashMap::new(), paused_until: None }
    }

    async fn wait(&mut self, chat: i64) {
        let chat_gap = if chat < 0 { Duration::from_secs(3) } else { Duration::from_secs(1) };
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.per_second).min(BURST);
        self.at = now;
        let mut ready = now;
        if self.tokens < 1.0 {
            ready += Duration::from_secs_f64((1.0 - self.tokens) / self.per_second);
        }
        if let Some(last) = self.chats.get(&chat) {
            ready = ready.max(*last + chat_gap);
        }
        if let Some(until) = self.paused_until {
            ready = ready.max(until);
        }
        tokio::time::sleep_until(ready).await;
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.per_second).min(BURST) - 1.0;
        self.at = now;
        self.chats.insert(chat, now);
        if self.chats.len() > 10_000 {
            self.chats.retain(|_, at| now.duration_since(*at) < Duration::from_secs(5));
        }
    }

    fn pause(&mut self, secs: u32) {
        self.paused_until = Some(Instant::now() + Duration::from_secs(u64::from(secs)));
        self.tokens = 0.0;
    }
}

/// What to do after a failed send.
enum Verdict {
    /// A network error or a Telegram outage: try again later.
    Retry,
    /// 429: try again after Telegram's `retry_after`.
    RetryAfter(u32),
    /// The person blocked the bot (or never opened it): stop, mark them unreachable.
    Unreachable,
    /// The message itself is wrong: retrying will not help.
    Failed,
}

impl Verdict {
    /// How `/metrics` counts the failed send.
    fn counted_as(&self) -> SendResult {
        match self {
            Verdict::Retry => SendResult::Retried,
            Verdict::RetryAfter(_) => SendResult::TooManyRequests,
            Verdict::Unreachable => SendResult::Forbidden,
            Verdict::Failed => SendResult::Failed,
        }
    }
}

fn classify(err: &RequestError) -> Verdict {
    match err {
        RequestError::RetryAfter(secs) => Verdict::RetryAfter(secs.seconds()),
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => Verdict::Retry,
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::CantInitiateConversation
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::ChatNotFound,
        ) => Verdict::Unreachable,
        RequestError::Api(ApiError::Unknown(text)) if text.starts_with("Forbidden") => Verdict::Unreachable,
        RequestError::Api(ApiError::Unknown(text))
            if ["Bad Gateway", "Internal Server Error", "Service Unavailable", "Gateway Timeout"]
                .iter()
                .any(|t| text.contains(t)) =>
        {
            Verdict::Retry
        }
        _ => Verdict::Failed,
    }
}

/// The delay before attempt `attempts + 1`: 2, 4, 8 … seconds, at most five minutes.
fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::seconds(2_i64.saturating_pow(attempts.clamp(1, 9) as u32).min(300))
}

/// One instance's sender: its id for claims, and its pace.
#[derive(Clone)]
pub struct Deliverer {
    pub instance: String,
    pace: Arc<Mutex<Pace>>,
}

impl Deliverer {
    pub fn new(instance: impl Into<String>, per_second: u32) -> Self {
        Self { instance: instance.into(), pace: Arc::new(Mutex::new(Pace::new(per_second))) }
    }

    /// Sends one batch of what is due; returns how many items were handled.
    pub async fn deliver_once(&self, bot: &Bot, ctx: &Ctx) -> anyhow::Result<usize> {
        let now = ctx.clock.now();
        let items = ctx.store.claim_outbox(&self.instance, now, LEASE_SECS, BATCH).await?;
        let count = items.len();
        for item in items {
            self.deliver(bot, ctx, item).await?;
        }
        Ok(count)
    }

    async fn deliver(&self, bot: &Bot, ctx: &Ctx, item: Outgoing) -> anyhow::Result<()> {
        if let Ok(id) = TelegramId::new(item.chat_id) {
            let recipient = ctx.store.user(id).await?;
            // Rights are checked when a message is sent, not only when it was queued (SPEC §2):
            // nothing goes to a disabled person, nor to one moved away from its division.
            let about = Audience::from_key(item.audience.as_deref());
            let entitled = match (&recipient, &about) {
                (Some(user), Some(about)) => may_receive(user, about),
                _ => false,
            };
            if !entitled {
                withhold(ctx, &item).await?;
                return Ok(());
            }
            // A person who blocked the bot is not tried again until they write to it.
            if recipient.as_ref().is_some_and(|u| u.unreachable) {
                ctx.store.outbox_failed(item.id, "the person blocked the bot").await?;
                return Ok(());
            }
            // A person on leave: their reminders and notices go to the colleague covering, who
            // must be entitled to them too; after the leave they come to the person again.
            // Their morning digest is not sent: each reminder in it reaches the cover anyway.
            // The Monday report goes to the cover only when the cover may read that report
            // (a manager of the same division); otherwise it waits in the person's own chat.
            let kind = item.kind.as_str();
            let covered = COVERED_KINDS.contains(&kind) || kind == "digest" || weekly::is_report(kind);
            if covered
                && item.for_id.is_none()
                && let (Some(user), Some(about)) = (&recipient, &about)
                && let Some(cover) = portfolio::cover_now(ctx.store.as_ref(), user, ctx.clock.now()).await?
                && may_receive(&cover, about)
                && (!weekly::is_report(kind) || may_read_report(&cover, about))
            {
                if item.kind == "digest" {
                    ctx.store.outbox_sent(item.id, ctx.clock.now()).await?;
                } else {
                    ctx.store.pass_to_cover(item.id, cover.telegram_id, ctx.clock.now()).await?;
                }
                return Ok(());
            }
        }
        if item.kind == weekly::KIND {
            // A large report takes longer to build than a claim lasts.
            let until = ctx.clock.now() + chrono::Duration::seconds(REPORT_LEASE_SECS);
            if !ctx.store.extend_claim(item.id, &self.instance, until).await? {
                return Ok(());
            }
            self.pace.lock().await.wait(item.chat_id).await;
            let sent = weekly::send(bot, ctx, &item).await?;
            return self.settle(ctx, &item, sent.map(|()| None)).await;
        }
        let Some(rendered) = render::outgoing(ctx, &item).await? else {
            // The follow-up was done or moved meanwhile, or the lead was settled: nothing to send.
            ctx.store.outbox_sent(item.id, ctx.clock.now()).await?;
            return Ok(());
        };
        // Telegram refuses an edit that changes nothing (two quick steps of a lead both render
        // its latest state): such an edit is not sent, and costs none of the group's messages.
        let shown = lead_card_shown(&item, &rendered);
        if rendered.edit.is_some()
            && let (Some(handoff), Some(shown)) = (item.ref_id, &shown)
            && ctx.store.lead_card_shown(handoff).await?.as_ref() == Some(shown)
        {
            ctx.store.outbox_sent(item.id, ctx.clock.now()).await?;
            return Ok(());
        }
        self.pace.lock().await.wait(item.chat_id).await;
        let chat = ChatId(item.chat_id);
        let due = rendered.due;
        let sent = match rendered.edit {
            Some(message) => {
                let request = bot
                    .edit_message_text(chat, MessageId(message), rendered.text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(rendered.markup.unwrap_or_default());
                match request.await {
                    Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {
                        if let (Some(handoff), Some(shown)) = (item.ref_id, &shown) {
                            ctx.store.set_lead_card_shown(handoff, shown).await?;
                        }
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            None => {
                // Edits need the card's message, known only once this post succeeded: what it
                // shows can be kept before it goes.
                if let (Some(handoff), Some(shown)) = (item.ref_id, &shown) {
                    ctx.store.set_lead_card_shown(handoff, shown).await?;
                }
                let mut request = bot.send_message(chat, rendered.text).parse_mode(ParseMode::Html);
                if let Some(markup) = rendered.markup {
                    request = request.reply_markup(markup);
                }
                if let Some(to) = rendered.reply_to {
                    request = request
                        .reply_parameters(ReplyParameters::new(MessageId(to)).allow_sending_without_reply());
                }
                request.await.map(|m| Some(m.id))
            }
        };
        if let (Ok(_), Some(due)) = (&sent, due) {
            metrics::reminder_sent(ctx.clock.now() - due);
        }
        self.settle(ctx, &item, sent).await
    }

    /// Records how a send went: sent (a lead card's message is kept), retried later, or given up.
    async fn settle(
        &self,
        ctx: &Ctx,
        item: &Outgoing,
        sent: Result<Option<MessageId>, RequestError>,
    ) -> anyhow::Result<()> {
        let now = ctx.clock.now();
        match sent {
            Ok(message) => {
                metrics::message_send(SendResult::Sent);
                ctx.store.outbox_sent(item.id, now).await?;
                if item.kind == "lead"
                    && let (Some(handoff), Some(message)) = (item.ref_id, message)
                {
                    lead_posted(ctx, item, handoff, message).await?;
                }
            }
            Err(err) => {
                let error = err.to_string();
                metrics::message_send(classify(&err).counted_as());
                match classify(&err) {
                    Verdict::Retry => {
                        ctx.store.outbox_retry(item.id, now + backoff(item.attempts), &error).await?
                    }
                    Verdict::RetryAfter(secs) => {
                        self.pace.lock().await.pause(secs);
                        let at = now + chrono::Duration::seconds(i64::from(secs));
                        ctx.store.outbox_retry(item.id, at, &error).await?;
                    }
                    Verdict::Unreachable => {
                        ctx.store.outbox_failed(item.id, &error).await?;
                        unreachable(ctx, item.chat_id).await?;
                    }
                    Verdict::Failed => {
                        tracing::error!(item = item.id, %error, "a notification cannot be sent");
                        ctx.store.outbox_failed(item.id, &error).await?;
                    }
                }
                if matches!(classify(&err), Verdict::Unreachable | Verdict::Failed) && item.kind == "lead" {
                    lead_undelivered(ctx, item).await?;
                }
            }
        }
        Ok(())
    }

    /// Delivers until `stop` is notified, looking for work every `idle`.
    pub async fn run(self, bot: Bot, ctx: Ctx, idle: Duration, stop: Arc<tokio::sync::Notify>) {
        let stopped = stop.notified();
        tokio::pin!(stopped);
        loop {
            let handled = match self.deliver_once(&bot, &ctx).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = ?e, "delivery failed");
                    0
                }
            };
            if handled == 0 {
                tokio::select! {
                    () = &mut stopped => return,
                    () = tokio::time::sleep(idle) => {}
                }
            }
        }
    }
}

/// What a person on leave has passed on to their cover: reminders and notices (the Monday
/// report only to a cover who may read it: `may_read_report`).
const COVERED_KINDS: &[&str] = &["reminder", notice::KIND];

/// Whether `cover` may read a report about `about`: a manager of that division, or head office.
fn may_read_report(cover: &crate::domain::access::User, about: &Audience) -> bool {
    match about {
        Audience::Region(region) => {
            manages(cover, region) || (cover.active && cover.role == Role::HeadOffice)
        }
        Audience::AllRegions => cover.active && cover.role == Role::HeadOffice,
        Audience::Staff => false,
    }
}

/// An item its recipient may no longer get: not sent. A reminder goes to the division's
/// managers instead, marked whose it was, so the client is not forgotten.
async fn withhold(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<()> {
    tracing::info!(item = item.id, kind = %item.kind, "withheld: the recipient may no longer get it");
    ctx.store.outbox_failed(item.id, "withheld: the recipient may no longer get it").await?;
    if item.kind != "reminder" {
        return Ok(());
    }
    let Some(followup) = (match item.ref_id {
        Some(id) => ctx.store.followup(id).await?,
        None => None,
    }) else {
        return Ok(());
    };
    // Only the owner's own reminder is passed on; a manager's copy that cannot be sent is not.
    if followup.owner.get() != item.chat_id || followup.state != "sent" {
        return Ok(());
    }
    let managers: Vec<NewOutgoing> = ctx
        .store
        .users()
        .await?
        .iter()
        .filter(|m| m.telegram_id != followup.owner && manages(m, &followup.region))
        .map(|m| NewOutgoing {
            kind: "reminder",
            chat_id: m.telegram_id.get(),
            ref_id: Some(followup.id),
            text: None,
            markup: None,
            dedupe_key: format!(
                "followup:{}:{}:cover:{}",
                followup.id,
                followup.due_at.timestamp(),
                m.telegram_id
            ),
            audience: Audience::Region(followup.region.clone()),
            notice: None,
        })
        .collect();
    if managers.is_empty() {
        tracing::warn!(followup = followup.id, region = %followup.region, "a reminder has nobody to go to: the division has no active manager");
    }
    ctx.store.enqueue(&managers, ctx.clock.now()).await?;
    Ok(())
}

/// A person who blocked the bot: marked unreachable, and their division's managers are told.
async fn unreachable(ctx: &Ctx, chat_id: i64) -> anyhow::Result<()> {
    let Ok(id) = TelegramId::new(chat_id) else { return Ok(()) };
    let Some(user) = ctx.store.user(id).await? else { return Ok(()) };
    if !ctx.store.set_unreachable(id, true).await? {
        return Ok(());
    }
    let now = ctx.clock.now();
    let managers: Vec<_> = ctx
        .store
        .users()
        .await?
        .into_iter()
        .filter(|m| m.telegram_id != id && user.region.as_ref().is_some_and(|r| manages(m, r)))
        .collect();
    let items: Vec<NewOutgoing> = managers
        .iter()
        .map(|m| NewOutgoing {
            kind: "notice",
            chat_id: m.telegram_id.get(),
            ref_id: None,
            text: Some(agenda::unreachable_notice(ctx, m.lang, &user)),
            markup: None,
            dedupe_key: format!("unreachable:{id}:{}:{}", m.telegram_id, now.timestamp()),
            audience: user.region.clone().map_or(Audience::Staff, Audience::Region),
            notice: None,
        })
        .collect();
    ctx.store.enqueue(&items, now).await?;
    Ok(())
}

/// Keeps the lead card's message so it can be edited; a lead settled while its card was on the
/// way gets its edit now.
async fn lead_posted(ctx: &Ctx, item: &Outgoing, handoff: i64, message: MessageId) -> anyhow::Result<()> {
    let kept = ctx.store.set_handoff_message(handoff, item.chat_id, i64::from(message.0)).await?;
    let Some(h) = ctx.store.handoff(handoff).await? else { return Ok(()) };
    if !kept {
        // Its company moved to another division while the card was on the way: the lead waits
        // in that division's chat now, and the card just posted here is edited to say so.
        let spec = crate::store::LeadMoved {
            message: i64::from(message.0),
            to: h.region.to_string(),
            closed: false,
        };
        let edit = NewOutgoing {
            kind: crate::store::LEAD_MOVED_KIND,
            chat_id: item.chat_id,
            ref_id: Some(h.id),
            text: serde_json::to_string(&spec).ok(),
            markup: None,
            dedupe_key: format!("handoff:{}:moved:posted:{}", h.id, message.0),
            audience: Audience::from_key(item.audience.as_deref()).unwrap_or(Audience::Staff),
            notice: None,
        };
        ctx.store.enqueue(&[edit], ctx.clock.now()).await?;
    } else if h.state != HandoffState::Pending {
        ctx.store.enqueue(&[notice::lead_edit(&h)], ctx.clock.now()).await?;
    }
    Ok(())
}

/// What a lead card (its post or an edit) shows, as kept to compare the next edit with; `None`
/// for any other item.
fn lead_card_shown(item: &Outgoing, rendered: &render::Rendered) -> Option<String> {
    if !matches!(item.kind.as_str(), "lead" | "lead_edit") {
        return None;
    }
    let markup = rendered.markup.as_ref().and_then(markup_json).unwrap_or_default();
    Some(format!("{}\n{markup}", rendered.text))
}

/// A lead card the credit chat cannot get (the bot was removed from it, say): the specialist
/// and the division's managers are told, so the lead is not silently lost.
async fn lead_undelivered(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<()> {
    let Some(h) = render::handoff_of(ctx, item).await? else { return Ok(()) };
    tracing::error!(handoff = h.id, chat = h.chat_id, "the lead card cannot reach the credit chat");
    let now = ctx.clock.now();
    let items: Vec<NewOutgoing> = ctx
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| (u.active && u.telegram_id == h.from) || manages(u, &h.region))
        .map(|u| NewOutgoing {
            kind: "notice",
            chat_id: u.telegram_id.get(),
            ref_id: Some(h.prospect.0),
            text: Some(agenda::lead_undelivered(ctx, u.lang, &h)),
            markup: None,
            dedupe_key: format!("handoff:{}:undelivered:{}", h.id, u.telegram_id),
            audience: Audience::Region(h.region.clone()),
            notice: None,
        })
        .collect();
    // Expired, so that it can be handed off again once the route is fixed.
    let record = AuditRecord::new(now, None, AuditAction::HandoffExpired)
        .subject(format!("prospect:{}", h.prospect))
        .details(format!("handoff {} {}: the credit chat cannot be reached", h.id, h.product));
    ctx.store.expire_handoff(h.id, now, &record, &items).await?;
    Ok(())
}

/// An inline keyboard as stored in the outbox.
pub fn markup_json(markup: &InlineKeyboardMarkup) -> Option<String> {
    serde_json::to_string(markup).ok()
}
