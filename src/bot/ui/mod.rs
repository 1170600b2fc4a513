//! Widgets every flow shares: the main menu, button grids, the pager, the product picker and
//! the date picker. They build keyboards; the flows decide what a press means.

pub mod date_picker;
pub mod products;

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup};

use super::Ctx;
use super::buttons::Press;
use super::gate::Caller;

/// The main menu: a persistent reply keyboard, two buttons a row.
pub fn main_menu(labels: Vec<String>, placeholder: String) -> KeyboardMarkup {
    let rows: Vec<Vec<KeyboardButton>> =
        labels.chunks(2).map(|row| row.iter().map(KeyboardButton::new).collect()).collect();
    KeyboardMarkup::new(rows).resize_keyboard().input_field_placeholder(placeholder)
}

/// Buttons laid out `per_row` to a row.
pub fn grid(buttons: Vec<InlineKeyboardButton>, per_row: usize) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(buttons.chunks(per_row).map(<[_]>::to_vec))
}

/// Previous / next buttons for a paged list.
pub fn pager<B: Press>(
    ctx: &Ctx,
    caller: &Caller,
    page: u32,
    more: bool,
    to: impl Fn(u32) -> B,
) -> Vec<InlineKeyboardButton> {
    let lang = caller.user.lang;
    let mut row = vec![];
    if page > 0 {
        row.push(to(page - 1).button(ctx.i18n.t(lang, "find-prev")));
    }
    if more {
        row.push(to(page + 1).button(ctx.i18n.t(lang, "find-next")));
    }
    row
}
