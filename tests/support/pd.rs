//! The personal-data scan (SPEC §10, issue 17 item 7): in `mask` mode nothing the bot sent
//! through Telegram — a message, a caption, a button label, an alert, an edit, a document's
//! cells — may carry a contact's or a sole proprietor's full name, a phone number in any format,
//! or an e-mail address. In `hide` mode not even the masked forms: no surname, no «Петров И.»,
//! no phone's last digits (`…-**-45`), no `i***@firm.ru`. The needles are read from the test's
//! own database: every card's contacts, and every phone and e-mail typed into free text
//! (summaries, agreements, reasons).

use std::collections::HashSet;

use prospect_diary::config::ContactsInChat;
use prospect_diary::domain::privacy::{mask_email, mask_person, mask_sole_proprietor};
use prospect_diary::domain::requisites::Phone;
use prospect_diary::telegram_fake::FakeTelegram;
use serde_json::Value;
use sqlx::Row;

/// What may not leave through Telegram.
#[derive(Debug, Default)]
pub struct Needles {
    /// Words of people's names that a masked form never shows (first names, patronymics).
    pub words: HashSet<String>,
    /// Phone numbers, as their last ten digits.
    pub phones: HashSet<String>,
    /// E-mail addresses, in lower case.
    pub emails: HashSet<String>,
    /// A sole proprietor's full INN and OGRNIP: numbers that name a person.
    pub numbers: HashSet<String>,
    /// In `hide` mode: the masked forms too («Смирнов О.», `+7 9** ***-**-45`, `o***@firm.ru`),
    /// in lower case; and any masked phone's or e-mail's shape is a finding.
    pub masked: HashSet<String>,
    pub hide: bool,
}

fn fold(word: &str) -> String {
    word.to_lowercase().replace('ё', "е")
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).map(fold)
}

impl Needles {
    /// The words of `name` that its masked form does not show.
    fn name(&mut self, name: &str, masked: &str) {
        let shown: HashSet<String> = words(masked).collect();
        for word in words(name) {
            if word.chars().count() >= 3
                && !shown.contains(&word)
                && !["оглы", "кызы"].contains(&word.as_str())
            {
                self.words.insert(word);
            }
        }
    }

    /// Phones and e-mails typed into free text.
    fn free_text(&mut self, text: &str) {
        for token in text.split_whitespace() {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '@');
            if token.contains('@') && token.rsplit('@').next().is_some_and(|d| d.contains('.')) {
                self.emails.insert(token.to_lowercase());
            }
        }
        for run in digit_runs(text) {
            if run.len() >= 10 {
                self.phones.insert(run[run.len() - 10..].to_owned());
            }
        }
    }

    /// Everything personal in the test's database, as `mask` mode must keep it.
    pub async fn read(url: &str) -> Needles {
        Self::read_for(url, ContactsInChat::Mask).await
    }

    /// Everything personal in the test's database, as `mode` must keep it.
    pub async fn read_for(url: &str, mode: ContactsInChat) -> Needles {
        let hide = mode == ContactsInChat::Hide;
        let mut needles = Needles { hide, ..Needles::default() };
        let mut staff_words: HashSet<String> = HashSet::new();
        let mut company_words: HashSet<String> = HashSet::new();
        let rows = query(url, "SELECT full_name FROM users").await;
        for row in &rows {
            staff_words.extend(words(&row[0]));
        }
        let cards = query(url, "SELECT name, inn, COALESCE(contact_person, ''), COALESCE(phone, ''), COALESCE(email, ''), COALESCE(ogrn, '') FROM prospects").await;
        for card in &cards {
            let (name, inn, person, phone, email) = (&card[0], &card[1], &card[2], &card[3], &card[4]);
            // In hide mode a name shows nothing at all, not even its masked form.
            let shown = |masked: String| if hide { String::new() } else { masked };
            if inn.len() == 12 {
                needles.numbers.insert(inn.clone());
                if card[5].len() == 15 {
                    needles.numbers.insert(card[5].clone());
                }
                needles.name(name, &shown(mask_sole_proprietor(name)));
                if hide {
                    needles.masked.insert(fold(&mask_sole_proprietor(name)));
                }
            } else {
                company_words.extend(words(name));
            }
            if !person.is_empty() {
                needles.name(person, &shown(mask_person(person)));
                if hide {
                    needles.masked.insert(fold(&mask_person(person)));
                }
            }
            if hide {
                if let Ok(phone) = Phone::parse(phone) {
                    needles.masked.insert(phone.masked());
                }
                if !email.is_empty() {
                    needles.masked.insert(mask_email(email).to_lowercase());
                }
            }
            let digits: String = phone
                .split(";ext=")
                .next()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if digits.len() >= 10 {
                needles.phones.insert(digits[digits.len() - 10..].to_owned());
            }
            if !email.is_empty() {
                needles.emails.insert(email.to_lowercase());
            }
        }
        for sql in [
            "SELECT summary FROM interactions",
            "SELECT agreed FROM followups",
            "SELECT COALESCE(reason, '') FROM handoffs",
        ] {
            for row in query(url, sql).await {
                needles.free_text(&row[0]);
            }
        }
        // A word that is also a colleague's name or a company's is no personal data of a client.
        needles.words.retain(|w| !staff_words.contains(w) && !company_words.contains(w));
        needles
    }

    /// The first piece of personal data found in `text`, if any.
    pub fn find_in(&self, text: &str) -> Option<String> {
        self.findings(text).into_iter().next()
    }

    /// Every piece of personal data found in `text`.
    pub fn findings(&self, text: &str) -> Vec<String> {
        let lowered = fold(text);
        let mut found: Vec<String> =
            words(text).filter(|w| self.words.contains(w)).map(|w| format!("the name word {w:?}")).collect();
        found.extend(
            self.emails.iter().filter(|e| lowered.contains(e.as_str())).map(|e| format!("the e-mail {e:?}")),
        );
        for run in digit_runs(text) {
            found.extend(
                self.numbers.iter().filter(|n| run.contains(n.as_str())).map(|n| format!("the number {n:?}")),
            );
            found.extend(
                self.phones.iter().filter(|p| run.contains(p.as_str())).map(|p| format!("the phone {p:?}")),
            );
        }
        if self.hide {
            found.extend(
                self.masked
                    .iter()
                    .filter(|m| lowered.contains(m.as_str()))
                    .map(|m| format!("the masked {m:?}")),
            );
            found.extend(masked_shapes(text));
        }
        found
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.phones.is_empty()
            && self.emails.is_empty()
            && self.masked.is_empty()
            && self.numbers.is_empty()
    }
}

/// A masked phone's visible digits (`**-45`) or a masked e-mail (`o***@`), whoever's they are.
fn masked_shapes(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = vec![];
    for i in 0..chars.len() {
        let tail = &chars[i..];
        if tail.starts_with(&['*', '*', '-'])
            && tail.len() >= 5
            && tail[3..5].iter().all(char::is_ascii_digit)
        {
            found.push(format!("a masked phone's digits {:?}", tail[..5].iter().collect::<String>()));
        }
        if tail.starts_with(&['*', '*', '*', '@']) {
            found.push("a masked e-mail".to_owned());
        }
    }
    found
}

/// The digits of each run of digits and phone punctuation, as a phone is typed in any format.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = vec![];
    let mut current = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            current.push(c);
        } else if !"+()-. \u{a0}".contains(c) && !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Rows of strings from the test database (SQLite or PostgreSQL).
pub async fn query(url: &str, sql: &str) -> Vec<Vec<String>> {
    let texts = |row: &dyn Fn(usize) -> Option<String>, n: usize| {
        (0..n).map(|i| row(i).unwrap_or_default()).collect::<Vec<_>>()
    };
    let columns = sql.split(" FROM ").next().unwrap_or_default().matches(',').count() + 1;
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("open the test database");
        let rows = sqlx::query(sql).fetch_all(&pool).await.expect(sql);
        pool.close().await;
        rows.iter().map(|r| texts(&|i| r.try_get::<String, _>(i).ok(), columns)).collect()
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("open the test database");
        let rows = sqlx::query(sql).fetch_all(&pool).await.expect(sql);
        pool.close().await;
        rows.iter().map(|r| texts(&|i| r.try_get::<String, _>(i).ok(), columns)).collect()
    }
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The text cells of a workbook.
pub fn workbook_cells(bytes: &[u8]) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let Ok(mut book) = Xlsx::new(std::io::Cursor::new(bytes.to_vec())) else {
        return vec!["<a document that is not a readable workbook>".into()];
    };
    let mut cells = vec![];
    for name in book.sheet_names() {
        if let Ok(range) = book.worksheet_range(&name) {
            cells.extend(range.used_cells().map(|(_, _, cell)| cell.to_string()));
        }
    }
    cells
}

/// Every piece of personal data in what the bot sent through the fake Telegram.
pub fn findings_sent(tg: &FakeTelegram, needles: &Needles) -> Vec<String> {
    everything_sent(tg).iter().flat_map(|(_, text)| needles.findings(text)).collect()
}

/// Everything the bot sent through the fake Telegram, as text, with where it was.
pub fn everything_sent(tg: &FakeTelegram) -> Vec<(String, String)> {
    let mut found = vec![];
    for call in tg.calls() {
        let mut texts = vec![];
        strings(&call.params, &mut texts);
        found.extend(texts.into_iter().map(|t| (call.method.clone(), t)));
    }
    for message in tg.outgoing_since(0).0 {
        if let (Some(file), Some(name)) = (&message.file, &message.file_name)
            && name.ends_with(".xlsx")
        {
            found.extend(workbook_cells(file).into_iter().map(|c| (format!("document {name}"), c)));
        }
    }
    found
}

/// Fails the test on the first piece of personal data the bot sent through Telegram.
pub fn assert_nothing_personal(tg: &FakeTelegram, needles: &Needles) {
    let mode = if needles.hide { "hide" } else { "mask" };
    for (place, text) in everything_sent(tg) {
        if let Some(what) = needles.find_in(&text) {
            panic!("personal data went through Telegram in {mode} mode: {what} in {place}: {text:?}");
        }
    }
}
