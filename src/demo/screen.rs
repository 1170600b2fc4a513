//! What the terminal shows of the bot's chats, and which buttons its numbers press.
//!
//! The numbers press the buttons of the last message the bot put into the chat on screen, as
//! that message is now: a later message without buttons clears them, an edit changes them, a
//! deleted message gives way to the one before it, and what the bot sends to other chats never
//! takes them over. Numbered buttons are printed only under that message; others show theirs
//! with a dot. Files are saved under names that carry the chat and a counter, never over another.

use std::collections::{BTreeMap, HashMap};
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::telegram_fake::{Outgoing, OutgoingKind};

/// How a chat is shown: its title on screen, and the name its saved files begin with.
#[derive(Debug, Clone)]
pub struct ChatName {
    pub title: String,
    pub file_prefix: String,
}

pub struct Screen {
    names: HashMap<i64, ChatName>,
    /// The bot's messages in each chat as they are now, by message id.
    chats: HashMap<i64, BTreeMap<i64, Outgoing>>,
    files: PathBuf,
    last_file: u32,
}

impl Screen {
    /// A screen that saves files under `files` and names the chats in `names`; the files' counter
    /// goes on from the files an earlier run saved there.
    pub fn new(files: impl Into<PathBuf>, names: HashMap<i64, ChatName>) -> Self {
        let files = files.into();
        let last_file = std::fs::read_dir(&files)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                name.split('-').nth(1)?.parse::<u32>().ok()
            })
            .max()
            .unwrap_or(0);
        Self { names, chats: HashMap::new(), files, last_file }
    }

    pub fn title(&self, chat: i64) -> String {
        self.names.get(&chat).map(|n| n.title.clone()).unwrap_or_else(|| format!("чат {chat}"))
    }

    /// The message whose buttons the numbers press in `chat`: the last one, if it has buttons.
    pub fn live(&self, chat: i64) -> Option<&Outgoing> {
        self.chats.get(&chat)?.values().next_back().filter(|m| !m.buttons().is_empty())
    }

    /// Takes in what the bot sent since the last call, in order, and writes it for a person
    /// looking at `viewing`; files are saved and their paths printed.
    pub fn show(&mut self, out: &mut impl Write, items: &[Outgoing], viewing: i64) -> io::Result<()> {
        for item in items {
            let messages = self.chats.entry(item.chat_id).or_default();
            if item.kind == OutgoingKind::Delete {
                messages.remove(&item.message_id);
            } else {
                messages.insert(item.message_id, item.clone());
            }
        }
        // Numbers go under the live message's latest state only, if it came in this batch.
        let live = self.live(viewing).map(|m| m.message_id);
        let numbered = live.and_then(|id| {
            items
                .iter()
                .rposition(|i| i.chat_id == viewing && i.message_id == id && i.kind != OutgoingKind::Delete)
        });
        for (index, item) in items.iter().enumerate() {
            let saved = match item.kind {
                OutgoingKind::Document | OutgoingKind::Photo => self.save(item)?,
                _ => None,
            };
            self.write(out, item, viewing, Some(index) == numbered, saved.as_deref())?;
        }
        Ok(())
    }

    /// Writes again the message whose buttons the numbers press in `chat` (after switching to it).
    pub fn show_live(&self, out: &mut impl Write, chat: i64) -> io::Result<()> {
        match self.live(chat) {
            Some(message) => self.write(out, message, chat, true, None),
            None => Ok(()),
        }
    }

    fn write(
        &self,
        out: &mut impl Write,
        item: &Outgoing,
        viewing: i64,
        numbered: bool,
        saved: Option<&Path>,
    ) -> io::Result<()> {
        let to = self.title(item.chat_id);
        let marker = if item.chat_id == viewing { "бот" } else { "→" };
        match item.kind {
            OutgoingKind::Delete => return Ok(()),
            OutgoingKind::Edit => writeln!(out, "[{marker} {to}, изменено] {}", item.visible)?,
            OutgoingKind::Message => writeln!(out, "[{marker} {to}] {}", item.visible)?,
            OutgoingKind::Document | OutgoingKind::Photo => {
                let file = match saved {
                    Some(path) => format!("файл сохранён: {}", path.display()),
                    None => format!("файл {}", item.file_name.as_deref().unwrap_or_default()),
                };
                writeln!(out, "[{marker} {to}] {file} {}", item.visible)?;
            }
        }
        for (n, (label, _)) in item.buttons().iter().enumerate() {
            if numbered {
                writeln!(out, "   [{}] {label}", n + 1)?;
            } else {
                writeln!(out, "   · {label}")?;
            }
        }
        for label in item.keyboard() {
            writeln!(out, "   (меню) {label}")?;
        }
        Ok(())
    }

    /// Saves a file the bot sent as `<chat>-<counter>-<name>`, never over another file.
    fn save(&mut self, item: &Outgoing) -> io::Result<Option<PathBuf>> {
        let Some(bytes) = &item.file else { return Ok(None) };
        std::fs::create_dir_all(&self.files)?;
        let prefix = self
            .names
            .get(&item.chat_id)
            .map(|n| n.file_prefix.clone())
            .unwrap_or_else(|| format!("chat{}", item.chat_id.unsigned_abs()));
        // Only the file's own name: what the bot calls it must not lead out of the folder.
        let name = item
            .file_name
            .as_deref()
            .and_then(|n| Path::new(n).file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("file");
        loop {
            self.last_file += 1;
            let path = self.files.join(format!("{prefix}-{}-{name}", self.last_file));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    file.write_all(bytes)?;
                    return Ok(Some(path));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}
