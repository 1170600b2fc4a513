//! The audit trail (SPEC §3, §10): who did what, to which subject, when.

use chrono::{DateTime, Utc};

use super::ids::TelegramId;

/// What happened. Stored by its `as_str` name, so names never change once shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    AccessRefused,
    AccessRequested,
    AccessRequestRejected,
    RegionAdded,
    RegionHoursSet,
    CalendarLoaded,
    UserAdded,
    UserPlacementChanged,
    UserDisabled,
    UserEnabled,
    /// A person marked away, with the colleague covering (SPEC §2).
    UserAway,
    /// A leave ended early: the person is back from today.
    UserBack,
    LanguageChanged,
    ProspectCreated,
    CardViewed,
    /// Full contacts opened in the bank's own page (SPEC §10).
    ContactsViewed,
    CardEdited,
    /// A card (with its open follow-ups) given to another owner (SPEC §2).
    CardReassigned,
    Searched,
    EntryLogged,
    ContactScheduled,
    RouteSet,
    HandedOff,
    HandoffTaken,
    HandoffDeclined,
    /// A lead nobody took in time, or that could not reach its chat, closed by the bot.
    HandoffExpired,
    /// A lead nobody had taken went with its company to another division's credit chat.
    HandoffMoved,
    HandoffClosed,
    Exported,
    /// The full workbook, contacts and all, downloaded from the bank's own page (SPEC §10).
    ContactsExported,
    ReportBuilt,
    AuditViewed,
    /// A request to the webhook without Telegram's secret: nothing in it was handled.
    WebhookRefused,
    /// A file of prospects imported: one line with its counts (each card has its own too).
    ProspectsImported,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AccessRefused => "access_refused",
            AuditAction::AccessRequested => "access_requested",
            AuditAction::AccessRequestRejected => "access_request_rejected",
            AuditAction::RegionAdded => "region_added",
            AuditAction::RegionHoursSet => "region_hours_set",
            AuditAction::CalendarLoaded => "calendar_loaded",
            AuditAction::UserAdded => "user_added",
            AuditAction::UserPlacementChanged => "user_placement_changed",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::UserAway => "user_away",
            AuditAction::UserBack => "user_back",
            AuditAction::LanguageChanged => "language_changed",
            AuditAction::ProspectCreated => "prospect_created",
            AuditAction::CardViewed => "card_viewed",
            AuditAction::ContactsViewed => "contacts_viewed",
            AuditAction::CardEdited => "card_edited",
            AuditAction::CardReassigned => "card_reassigned",
            AuditAction::Searched => "searched",
            AuditAction::EntryLogged => "entry_logged",
            AuditAction::ContactScheduled => "contact_scheduled",
            AuditAction::RouteSet => "route_set",
            AuditAction::HandedOff => "handed_off",
            AuditAction::HandoffTaken => "handoff_taken",
            AuditAction::HandoffDeclined => "handoff_declined",
            AuditAction::HandoffExpired => "handoff_expired",
            AuditAction::HandoffMoved => "handoff_moved",
            AuditAction::HandoffClosed => "handoff_closed",
            AuditAction::Exported => "exported",
            AuditAction::ContactsExported => "contacts_exported",
            AuditAction::ReportBuilt => "report_built",
            AuditAction::AuditViewed => "audit_viewed",
            AuditAction::WebhookRefused => "webhook_refused",
            AuditAction::ProspectsImported => "prospects_imported",
        }
    }
}

/// One line of the trail. `actor` is `None` for the operator's command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: DateTime<Utc>,
    pub actor: Option<TelegramId>,
    pub action: String,
    pub subject: Option<String>,
    pub details: Option<String>,
}

impl AuditRecord {
    pub fn new(at: DateTime<Utc>, actor: Option<TelegramId>, action: AuditAction) -> Self {
        Self { at, actor, action: action.as_str().to_owned(), subject: None, details: None }
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    pub fn details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }
}

/// The subject key of a whitelisted person in the trail.
pub fn user_subject(id: TelegramId) -> String {
    format!("user:{id}")
}
