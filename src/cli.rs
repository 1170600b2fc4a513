//! The operator's command line (SPEC §8): run the bot, or manage regions and the whitelist
//! without Telegram. Uses the same domain operations, checks and audit trail as the admin chat.

use anyhow::Context;
use chrono::Datelike;
use clap::{Parser, Subcommand};

use crate::app;
use crate::bot::{ChatCheck, check_route_chat};
use crate::calendar_file;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::access::{AccessError, Lang, NewUser, Region, Role};
use crate::domain::directory;
use crate::domain::handoff::{self, Route};
use crate::domain::ids::{FullName, RegionCode, TelegramId};
use crate::domain::import::{Defaults, Importer, OnDuplicate, users};
use crate::domain::portfolio::{self, Absence, Recipients};
use crate::domain::prospect::Product;
use crate::domain::worktime::{DayKind, WorkingHours};
use crate::i18n::{I18n, count};
use crate::store::{self, Store};
use crate::transfer;

#[derive(Debug, Parser)]
#[command(name = "prospect-diary", version, about = "The bank's shared negotiation diary bot")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot (the default when no command is given).
    Run,
    /// Try the bot with no token and no internet: demo data, the built-in Telegram stand-in
    /// and a chat in the terminal.
    Demo {
        /// The demo database (kept apart from real data).
        #[arg(long)]
        database: Option<String>,
    },
    /// Manage regional divisions.
    #[command(subcommand)]
    Region(RegionCommand),
    /// Manage the whitelist.
    #[command(subcommand)]
    User(UserCommand),
    /// Route hand-offs: which chat gets a division's interested companies, per product.
    #[command(subcommand)]
    Route(RouteCommand),
    /// Copy an SQLite database to FILE while the bot runs (PostgreSQL: use pg_dump).
    Backup {
        /// The copy to write; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// The bank's calendar: holidays, transferred working days and shortened days.
    #[command(subcommand)]
    Holidays(HolidaysCommand),
    /// Bring a base in from a workbook or a CSV file: prospects, or the staff list.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Take the base out as a workbook in the columns an import reads.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Subcommand)]
pub enum HolidaysCommand {
    /// `holidays import calendar.csv`: the official production calendar (data.gov.ru, CSV),
    /// one or more years; each year in the file replaces that year.
    Import { file: std::path::PathBuf },
    /// `holidays add 11.01.2027 --kind holiday`: one day as `holiday`, `working` (a transferred
    /// working Saturday), `short` (a pre-holiday day, an hour shorter) or `weekend`.
    Add {
        date: String,
        #[arg(long, default_value = "holiday")]
        kind: String,
    },
    /// `holidays list --year 2027`: the days that differ from a plain week.
    List {
        #[arg(long)]
        year: Option<i32>,
    },
}

/// What a row already in the base (same INN, same division) becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DuplicateMode {
    Skip,
    Update,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// `import prospects base.xlsx [--region MSK] [--owner 123456789] [--on-duplicate skip|update] [--dry-run]`:
    /// rows checked as /new checks a card; every valid row saved in one transaction.
    Prospects {
        file: std::path::PathBuf,
        /// The division of rows that name none.
        #[arg(long)]
        region: Option<String>,
        /// The owner (Telegram id) of rows that name none.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_enum, default_value = "skip")]
        on_duplicate: DuplicateMode,
        /// Check the file and write the error workbook; save nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// `import users staff.xlsx [--dry-run]`: columns Telegram ID, ФИО, Роль, Подразделение.
    Users {
        file: std::path::PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// `export prospects base.xlsx [--region MSK] [--with-diary]`.
    Prospects {
        file: std::path::PathBuf,
        #[arg(long)]
        region: Option<String>,
        /// Add the diary as a second sheet.
        #[arg(long)]
        with_diary: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RouteCommand {
    /// `route set MSK credit -1001234567890`: checks with Telegram that the bot is in that group.
    Set {
        region: String,
        product: String,
        /// A group's id, which is always negative: without this clap reads it as an option.
        #[arg(allow_negative_numbers = true)]
        chat_id: String,
    },
    /// List the routes.
    List,
}

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Add a division: `region add MSK --name "Москва" --tz Europe/Moscow`.
    Add {
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        tz: String,
    },
    /// Set a division's working hours: `region set MSK --hours 09:00-18:00`.
    Set {
        code: String,
        #[arg(long)]
        hours: String,
    },
    /// List divisions.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Whitelist a person: `user add 123456789 --name "Анна Петрова" --role specialist --region MSK`.
    Add {
        telegram_id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        region: Option<String>,
    },
    /// Disable a person: they lose access at once; their records stay. Refused while they hold
    /// cards, open follow-ups or taken leads, unless `--reassign-to ID` names the colleague who
    /// takes their cards and follow-ups (taken leads go back to the credit chat's queue).
    Disable {
        telegram_id: String,
        #[arg(long)]
        reassign_to: Option<String>,
    },
    /// Mark a person away: `user away 1001 --from 01.12.2026 --to 12.12.2026 --cover 1002`.
    /// Meanwhile their reminders and notices go to the cover, marked whose they are.
    Away {
        telegram_id: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        cover: String,
    },
    /// End a leave early: `user back 1001`. From today the person's reminders and notices come
    /// to them again; a leave planned for later days stays.
    Back { telegram_id: String },
    /// Give all of a person's cards with their open follow-ups to one colleague (`--to ID`) or
    /// spread them evenly across the division's other active specialists (`--spread`).
    #[command(group(clap::ArgGroup::new("whom").required(true).args(["to", "spread"])))]
    Reassign {
        from: String,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        spread: bool,
    },
    /// List the whitelist.
    List,
}

pub async fn execute(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => app::run(config, app::shutdown_signal()).await,
        Command::Demo { database } => crate::demo::run(database).await,
        Command::Region(cmd) => {
            let store = open(&config).await?;
            let out = region(&store, cmd, SystemClock.now()).await;
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
        Command::Route(cmd) => {
            let store = open(&config).await?;
            let bot = (!config.token.trim().is_empty()).then(|| app::make_bot(&config));
            let out = route(&store, bot.as_ref(), cmd, SystemClock.now()).await;
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
        Command::Backup { file } => {
            let store = open(&config).await?;
            let out = backup(&store, &file).await;
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
        Command::Holidays(cmd) => {
            let store = open(&config).await?;
            let out = holidays(&store, cmd, SystemClock.now()).await;
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
        Command::User(cmd) => {
            let store = open(&config).await?;
            let out = user(&store, cmd, SystemClock.now()).await;
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
        Command::Import(cmd) => {
            let store = open(&config).await?;
            let mut progress = Progress::new();
            let out = import(&store, &I18n::new(), cmd, SystemClock.now(), &mut |n| progress.rows(n)).await;
            progress.done();
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
        Command::Export(cmd) => {
            let store = open(&config).await?;
            let out = export(&store, &I18n::new(), cmd).await;
            store.close().await;
            println!("{}", out?);
            Ok(())
        }
    }
}

/// Rows read so far and how fast, on stderr: one line rewritten on a terminal, a line every
/// ten thousand rows otherwise (a log, a pipe).
struct Progress {
    started: std::time::Instant,
    terminal: bool,
    shown: bool,
}

impl Progress {
    fn new() -> Self {
        use std::io::IsTerminal;
        Self { started: std::time::Instant::now(), terminal: std::io::stderr().is_terminal(), shown: false }
    }

    fn rows(&mut self, n: u64) {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let line = format!("read {} rows, {} rows/s", count(n), count((n as f64 / secs) as u64));
        if self.terminal {
            eprint!("\r{line}   ");
            self.shown = true;
        } else if n.is_multiple_of(10_000) {
            eprintln!("{line}");
        }
    }

    fn done(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

/// Runs an import command and returns what to print; `progress` hears how many rows were read.
pub async fn import(
    store: &dyn Store,
    i18n: &I18n,
    cmd: ImportCommand,
    now: chrono::DateTime<chrono::Utc>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<String> {
    match cmd {
        ImportCommand::Prospects { file, region, owner, on_duplicate, dry_run } => {
            let region = region.as_deref().map(RegionCode::parse).transpose()?;
            if let Some(code) = &region
                && store.region(code).await?.is_none()
            {
                anyhow::bail!(AccessError::UnknownRegion(code.clone()));
            }
            let owner = owner.as_deref().map(TelegramId::parse).transpose()?;
            if let Some(id) = owner
                && store.user(id).await?.is_none()
            {
                anyhow::bail!(AccessError::UnknownUser(id));
            }
            let on_duplicate = match on_duplicate {
                DuplicateMode::Skip => OnDuplicate::Skip,
                DuplicateMode::Update => OnDuplicate::Update,
            };
            let defaults = Defaults { region, owner, on_duplicate };
            let errors = transfer::errors_path(&file);
            let prepared = transfer::prepare_prospects(
                store,
                i18n,
                Lang::Ru,
                &file,
                Importer::Operator,
                defaults,
                &errors,
                now,
                progress,
            )
            .await
            .map_err(|e| file_error(i18n, &file, e))?;
            let mut out = vec![transfer::words::preview(
                i18n,
                Lang::Ru,
                &prepared.outcome,
                on_duplicate == OnDuplicate::Update,
            )];
            if !prepared.unknown.is_empty() {
                out.push(format!("ignored columns: {}", prepared.unknown.join(", ")));
            }
            if prepared.outcome.warnings > 0 {
                out.push(format!("similar names already in the base: {}", count(prepared.outcome.warnings)));
            }
            if let Some(path) = &prepared.errors {
                out.push(format!("error workbook: {}", path.display()));
            }
            if dry_run {
                out.push("dry run: nothing saved".into());
            } else {
                let what = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let written =
                    transfer::save_prospects(store, &Importer::Operator, &prepared, &what, now).await?;
                out.push(format!(
                    "saved: {} created, {} updated, {} taken meanwhile and skipped",
                    count(written.created),
                    count(written.updated),
                    count(written.skipped)
                ));
            }
            Ok(out.join("\n"))
        }
        ImportCommand::Users { file, dry_run } => {
            let errors = transfer::errors_path(&file);
            let prepared = transfer::prepare_users(store, i18n, Lang::Ru, &file, &errors)
                .await
                .map_err(|e| file_error(i18n, &file, e))?;
            let plan = &prepared.plan;
            let mut out = vec![format!(
                "{} rows: {} to add, {} already in the whitelist, {} with errors",
                count(plan.rows),
                count(plan.valid.len() as u64),
                count(plan.existing),
                count(plan.rejected.len() as u64)
            )];
            for (row, problems) in &plan.rejected {
                let reasons: Vec<String> =
                    problems.iter().map(|p| transfer::words::user_problem(i18n, Lang::Ru, p)).collect();
                out.push(format!("row {}: {}", row.line, reasons.join("; ")));
            }
            if let Some(path) = &prepared.errors {
                out.push(format!("error workbook: {}", path.display()));
            }
            if dry_run {
                out.push("dry run: nothing saved".into());
            } else {
                let added = users::save(store, plan, now).await?;
                out.push(format!("saved: {} added", count(added)));
            }
            Ok(out.join("\n"))
        }
    }
}

/// A file that cannot be imported, said so that the operator knows what to do.
fn file_error(i18n: &I18n, file: &std::path::Path, err: transfer::ImportError) -> anyhow::Error {
    let what = match &err {
        transfer::ImportError::File(problem) => transfer::words::file_problem(i18n, Lang::En, problem),
        other => other.to_string(),
    };
    anyhow::anyhow!("{}: {what}", file.display())
}

/// Runs an export command and returns what to print.
pub async fn export(store: &dyn Store, i18n: &I18n, cmd: ExportCommand) -> anyhow::Result<String> {
    match cmd {
        ExportCommand::Prospects { file, region, with_diary } => {
            let region = region.as_deref().map(RegionCode::parse).transpose()?;
            if let Some(code) = &region
                && store.region(code).await?.is_none()
            {
                anyhow::bail!(AccessError::UnknownRegion(code.clone()));
            }
            let written = transfer::write::export_prospects(
                store,
                i18n,
                &file,
                region.as_ref().map(RegionCode::as_str),
                with_diary,
            )
            .await?;
            Ok(format!("{} cards written to {}", count(written), file.display()))
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<store::SqlStore> {
    store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {:?}", config.database_url))
}

/// Writes an online copy of the database to `file` and returns what to print.
pub async fn backup(store: &dyn Store, file: &std::path::Path) -> anyhow::Result<String> {
    if store.backend() == store::Backend::Postgres {
        anyhow::bail!(
            "the database is PostgreSQL: back it up with pg_dump, e.g. \
             pg_dump --format=custom --file=prospect-diary.dump \"$DATABASE_URL\" \
             (restore with pg_restore); see the README's Deployment section"
        );
    }
    if file.exists() {
        anyhow::bail!("{} exists already: name a new file, nothing is written over", file.display());
    }
    store
        .backup_into(file)
        .await
        .with_context(|| format!("cannot write the backup to {}", file.display()))?;
    Ok(format!("backup written to {}", file.display()))
}

/// Runs a region command and returns what to print.
pub async fn region(
    store: &dyn Store,
    cmd: RegionCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    match cmd {
        RegionCommand::Add { code, name, tz } => {
            let region = Region::parse(&code, &name, &tz)?;
            directory::add_region(store, &region, None, now).await?;
            Ok(format!("region {} added, working hours {}", region.code, region.hours))
        }
        RegionCommand::Set { code, hours } => {
            let code = RegionCode::parse(&code)?;
            let hours = WorkingHours::parse(&hours)?;
            directory::set_hours(store, &code, hours, None, now).await?;
            Ok(format!("region {code}: working hours {hours}"))
        }
        RegionCommand::List => {
            let lines: Vec<String> = store
                .regions()
                .await?
                .iter()
                .map(|r| format!("{}\t{}\t{}\t{}", r.code, r.name.as_str(), r.tz.name(), r.hours))
                .collect();
            Ok(if lines.is_empty() { "no regions yet".into() } else { lines.join("\n") })
        }
    }
}

/// Runs a calendar command and returns what to print.
pub async fn holidays(
    store: &dyn Store,
    cmd: HolidaysCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    match cmd {
        HolidaysCommand::Import { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let years =
                calendar_file::read(&bytes).with_context(|| format!("{} is refused", file.display()))?;
            let mut lines = vec![];
            for year in &years {
                directory::load_calendar(store, Some(year.year), &year.days, None, now).await?;
                let count = |kind| year.days.iter().filter(|(_, k)| *k == kind).count();
                lines.push(format!(
                    "{}: {} holidays on weekdays, {} working weekend days, {} shortened days",
                    year.year,
                    count(DayKind::Holiday),
                    count(DayKind::Working),
                    count(DayKind::Short)
                ));
            }
            Ok(lines.join("\n"))
        }
        HolidaysCommand::Add { date, kind } => {
            let date = read_date(&date)?;
            let kind =
                DayKind::parse(kind.trim()).context("a kind is one of: holiday, working, short, weekend")?;
            directory::load_calendar(store, None, &[(date, kind)], None, now).await?;
            Ok(format!("{}: {}", date.format("%d.%m.%Y"), kind.as_str()))
        }
        HolidaysCommand::List { year } => {
            let calendar = directory::calendar(store).await?;
            let lines: Vec<String> = calendar
                .exceptions()
                .filter(|(d, _)| year.is_none_or(|y| d.year() == y))
                .map(|(d, k)| format!("{}\t{}\t{}", d.format("%d.%m.%Y"), d.format("%a"), k.as_str()))
                .collect();
            Ok(if lines.is_empty() {
                "no calendar loaded: every Saturday and Sunday is off".into()
            } else {
                lines.join("\n")
            })
        }
    }
}

/// A date as `31.12.2026` or `2026-12-31`.
fn read_date(text: &str) -> anyhow::Result<chrono::NaiveDate> {
    let text = text.trim();
    chrono::NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .with_context(|| format!("«{text}» is not a date: write it as 31.12.2026"))
}

/// Runs a user command and returns what to print.
pub async fn user(
    store: &dyn Store,
    cmd: UserCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    match cmd {
        UserCommand::Add { telegram_id, name, role, region } => {
            let region = region.as_deref().map(RegionCode::parse).transpose()?;
            let user = NewUser::new(
                TelegramId::parse(&telegram_id)?,
                FullName::parse(&name)?,
                role.parse::<Role>()?,
                region,
                None,
            )?;
            directory::add_user(store, &user, now).await?;
            Ok(format!("user {} added as {}", user.telegram_id, user.role))
        }
        UserCommand::Disable { telegram_id, reassign_to } => {
            let id = TelegramId::parse(&telegram_id)?;
            let to = reassign_to.as_deref().map(TelegramId::parse).transpose()?;
            let held = portfolio::holdings(store, id).await?;
            portfolio::disable(store, None, id, to, now).await?;
            let mut out = format!("user {id} disabled");
            if !held.is_empty() {
                out.push_str(&format!(
                    "; {} cards and {} open follow-ups handed over{}, {} taken leads back in the credit chat's queue",
                    held.cards.len(),
                    held.followups(),
                    to.map(|t| format!(" to {t}")).unwrap_or_default(),
                    held.leads
                ));
            }
            Ok(out)
        }
        UserCommand::Away { telegram_id, from, to, cover } => {
            let absence = Absence {
                who: TelegramId::parse(&telegram_id)?,
                cover: TelegramId::parse(&cover)?,
                from: read_date(&from)?,
                to: read_date(&to)?,
                by: None,
            };
            portfolio::set_away(store, None, &absence, now).await?;
            Ok(format!(
                "user {} away {} - {}: reminders and notices go to {} meanwhile",
                absence.who,
                absence.from.format("%d.%m.%Y"),
                absence.to.format("%d.%m.%Y"),
                absence.cover
            ))
        }
        UserCommand::Back { telegram_id } => {
            let who = TelegramId::parse(&telegram_id)?;
            let leave = portfolio::end_leave(store, None, who, now).await?;
            Ok(format!(
                "user {who} back: the leave {} - {} (cover {}) is over; from today reminders and notices come to them again",
                leave.from.format("%d.%m.%Y"),
                leave.to.format("%d.%m.%Y"),
                leave.cover
            ))
        }
        UserCommand::Reassign { from, to, spread } => {
            let from = TelegramId::parse(&from)?;
            let whom = match (to, spread) {
                (Some(to), false) => Recipients::One(TelegramId::parse(&to)?),
                (None, true) => Recipients::Spread,
                _ => anyhow::bail!("give either --to ID or --spread"),
            };
            let plan = portfolio::plan(store, None, from, whom).await?;
            if plan.cards() == 0 {
                return Ok(format!("user {from} owns no cards: nothing to move"));
            }
            portfolio::carry_out(store, None, &plan, now).await?;
            let lines: Vec<String> = plan
                .shares
                .iter()
                .map(|s| {
                    format!(
                        "{}\t{}\t{} cards\t{} open follow-ups",
                        s.to.telegram_id,
                        s.to.full_name.as_str(),
                        s.cards.len(),
                        s.followups
                    )
                })
                .collect();
            Ok(format!("{} cards of user {from} moved:\n{}", plan.cards(), lines.join("\n")))
        }
        UserCommand::List => {
            let lines: Vec<String> = store
                .users()
                .await?
                .iter()
                .map(|u| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}",
                        u.telegram_id,
                        u.full_name.as_str(),
                        u.role,
                        u.region.as_ref().map(RegionCode::as_str).unwrap_or("-"),
                        if u.active { "active" } else { "disabled" }
                    )
                })
                .collect();
            Ok(if lines.is_empty() { "no users yet".into() } else { lines.join("\n") })
        }
    }
}

/// Runs a route command and returns what to print. Setting a route asks Telegram (`getChat`)
/// whether the bot is in that group, so a typo in the chat id cannot send leads nowhere.
pub async fn route(
    store: &dyn Store,
    bot: Option<&teloxide::Bot>,
    cmd: RouteCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    match cmd {
        RouteCommand::Set { region, product, chat_id } => {
            let region = RegionCode::parse(&region)?;
            let product: Product = product.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "a product is one of: {}",
                    Product::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
                )
            })?;
            let chat_id: i64 =
                chat_id.trim().parse().context("a chat id is a number such as -1001234567890")?;
            if store.region(&region).await?.is_none() {
                anyhow::bail!(AccessError::UnknownRegion(region));
            }
            let bot =
                bot.context("TELOXIDE_TOKEN is needed to check with Telegram that the bot is in the chat")?;
            let title = match check_route_chat(bot, chat_id).await {
                ChatCheck::Group(title) => title,
                ChatCheck::Unreachable => anyhow::bail!(
                    "Telegram does not let the bot into chat {chat_id}: add the bot to the group first"
                ),
                ChatCheck::NotGroup => anyhow::bail!(
                    "chat {chat_id} is not a group: hand-offs go to the credit officers' group chat"
                ),
            };
            let route = Route { region, product, chat_id };
            handoff::set_route(store, &route, None, now).await?;
            Ok(format!("route {} {} -> {} ({title})", route.region, route.product, chat_id))
        }
        RouteCommand::List => {
            let lines: Vec<String> = store
                .routes()
                .await?
                .iter()
                .map(|r| format!("{}\t{}\t{}", r.region, r.product, r.chat_id))
                .collect();
            Ok(if lines.is_empty() { "no routes yet".into() } else { lines.join("\n") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_id_is_negative_and_is_read_as_the_chat_id() {
        let cli = Cli::try_parse_from(["prospect-diary", "route", "set", "77", "credit", "-1001234567890"])
            .expect("the README's form parses");
        match cli.command {
            Some(Command::Route(RouteCommand::Set { region, product, chat_id })) => {
                assert_eq!(
                    (region.as_str(), product.as_str(), chat_id.as_str()),
                    ("77", "credit", "-1001234567890")
                );
            }
            other => panic!("parsed as {other:?}"),
        }
        // Anything else that starts with a hyphen is still an unknown option, not a chat id.
        assert!(Cli::try_parse_from(["prospect-diary", "route", "set", "77", "credit", "-x"]).is_err());
    }
}
