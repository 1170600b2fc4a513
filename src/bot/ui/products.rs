//! The product picker: a toggle per product (✅ on the chosen ones) and Done. Registering,
//! editing a card and the diary each ask with it, with their own buttons.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::grid;
use crate::bot::buttons::Press;
use crate::bot::gate::Caller;
use crate::bot::{Ctx, render};
use crate::domain::prospect::Product;

pub fn keyboard<B: Press>(
    ctx: &Ctx,
    caller: &Caller,
    chosen: &[Product],
    toggle: fn(Product) -> B,
    done: B,
) -> InlineKeyboardMarkup {
    let lang = caller.user.lang;
    let mut buttons: Vec<InlineKeyboardButton> = Product::ALL
        .iter()
        .map(|p| {
            let mark = if chosen.contains(p) { "✅ " } else { "" };
            toggle(*p).button(format!("{mark}{}", render::capitalized(render::product(ctx, lang, *p))))
        })
        .collect();
    buttons.push(done.button(ctx.i18n.t(lang, "new-done")));
    grid(buttons, 2)
}

/// Chooses `product`, or unchooses it.
pub fn toggle(products: &mut Vec<Product>, product: Product) {
    match products.iter().position(|p| *p == product) {
        Some(i) => {
            products.remove(i);
        }
        None => products.push(product),
    }
}
