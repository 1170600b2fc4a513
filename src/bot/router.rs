//! The routing tree. Every update passes the delivery check and the access gate; a message is
//! routed by the chat's flow state (a command first), a press by the flow its button belongs
//! to. The flow state is read only for what is routed by it: a message that is no command,
//! and a press of a button that starts a flow (refused while another is in progress). Nothing
//! falls through silently: a press no branch takes — forged, from an older release, or not
//! heard in a hand-off chat — is answered "no longer valid" and logged.
//!
//! Around the routes, every update is handled the same way: a panic is contained, a person's
//! mistake explained and anything else logged with a reference id (`reply::guard`), and every
//! press answered. Claiming the update (handled once) and its person's turn is `once.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::di::DependencyMap;
use teloxide::dptree::{self, Handler, HandlerDescription, HandlerSignature, Type, case};
use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::buttons::Button;
use super::commands::Command;
use super::flow::{self, State};
use super::gate::{self, Caller};
use super::reply::{self, Answer, Typed};
use super::{
    Ctx, HandlerResult, cards, diary, general, handoffs, imports, register, reminders, reports, requests,
    users,
};

type Routes<Output> = Handler<'static, Output, DpHandlerDescription>;

pub fn schema() -> UpdateHandler<anyhow::Error> {
    dptree::entry()
        .filter_map_async(gate::authorize)
        .branch(Update::filter_message().chain(answered_message(messages())))
        .branch(Update::filter_callback_query().chain(answered_press(presses())))
}

/// A message: a command, or the answer the chat's flow awaits.
fn messages() -> Routes<HandlerResult> {
    dptree::entry()
        .branch(dptree::filter(|msg: Message| msg.document().is_some()).endpoint(imports::on_document))
        .branch(dptree::filter_map(command).endpoint(general::run))
        .branch(case![State::Idle].endpoint(general::on_idle_text))
        .branch(dptree::filter(|state: State| state.adds_user()).endpoint(users::on_text))
        .branch(case![State::NewProspect { draft, step, editing }].endpoint(register::on_text))
        .branch(case![State::EditField { id, field }].endpoint(cards::on_edit_text))
        .branch(case![State::EditProducts { id, products }].endpoint(cards::on_products_text))
        .branch(case![State::AwaitFind].endpoint(cards::on_find_text))
        .branch(case![State::LogCard].endpoint(diary::on_card_text))
        .branch(case![State::Log { draft, step }].endpoint(diary::on_text))
        .branch(case![State::Schedule { id, day }].endpoint(diary::on_schedule_text))
        .branch(case![State::ScheduleFar { id, due }].endpoint(diary::on_far_text))
        .branch(case![State::HandoffReason { id, lost }].endpoint(handoffs::on_reason_text))
        .branch(case![State::AwaitLeave { user }].endpoint(users::on_leave_text))
}

/// A button press, by the flow its button belongs to.
fn presses() -> Routes<anyhow::Result<Answer>> {
    dptree::filter_map(read_button)
        .filter(heard_here)
        .branch(dptree::filter(busy).endpoint(flow_busy))
        .branch(case![Button::Lang(lang)].endpoint(general::on_lang_button))
        .branch(case![Button::Users(button)].endpoint(users::on_button))
        .branch(case![Button::Request(button)].endpoint(requests::on_button))
        .branch(case![Button::Register(button)].endpoint(register::on_button))
        .branch(case![Button::Card(button)].endpoint(cards::on_button))
        .branch(case![Button::Log(button)].endpoint(diary::on_button))
        .branch(case![Button::Pick(pick)].endpoint(diary::on_pick))
        .branch(case![Button::Reminder(button)].endpoint(reminders::on_button))
        .branch(case![Button::Handoff(button)].endpoint(handoffs::on_button))
        .branch(case![Button::Report(button)].endpoint(reports::on_button))
        .branch(case![Button::Import(button)].endpoint(imports::on_button))
}

/// A typed command (`/users add`) or a menu label, with its arguments.
fn command(Typed(text): Typed, ctx: Ctx, caller: Caller) -> Option<(Command, String)> {
    Command::parse(&text, &ctx, caller.user.lang)
}

fn read_button(query: CallbackQuery) -> Option<Button> {
    query.data.as_deref().and_then(Button::parse)
}

/// In a hand-off chat only the lead card's own buttons mean anything.
fn heard_here(button: Button, caller: Caller) -> bool {
    caller.group.is_none() || matches!(button, Button::Handoff(b) if b.in_group())
}

/// A button that starts a flow while another is in progress: that one would lose what was
/// typed.
fn busy(button: Button, state: State) -> bool {
    starts_flow(&button) && state != State::Idle
}

fn starts_flow(button: &Button) -> bool {
    match button {
        Button::Users(b) => b.starts_flow(),
        Button::Request(b) => b.starts_flow(),
        Button::Card(b) => b.starts_flow(),
        Button::Log(b) => b.starts_flow(),
        _ => false,
    }
}

async fn flow_busy(ctx: Ctx, caller: Caller) -> anyhow::Result<Answer> {
    Ok(Answer::alert(ctx.i18n.t(caller.user.lang, "flow-busy")))
}

/// Handles a message with `routes`, given the chat's flow `State` and the `Typed` text.
fn answered_message(routes: Routes<HandlerResult>) -> UpdateHandler<anyhow::Error> {
    let needs = [Type::of::<Bot>(), Type::of::<Ctx>(), Type::of::<Caller>(), Type::of::<Message>()];
    let sig = around(&routes, &needs, &[Type::of::<State>(), Type::of::<Typed>()]);
    dptree::from_fn_with_description(
        DpHandlerDescription::endpoint(),
        move |mut deps: DependencyMap, _next| {
            let routes = routes.clone();
            async move {
                let (bot, ctx, caller) = (deps.get::<Bot>(), deps.get::<Ctx>(), deps.get::<Caller>());
                let lang = caller.user.lang;
                let routed = async {
                    let message = deps.get::<Message>();
                    let text = message.text().unwrap_or_default().to_owned();
                    // A document or a command is routed before the flow state is looked at
                    // (and `/new`, `/log`… read it themselves): for them it is not read.
                    let by_state =
                        message.document().is_none() && Command::parse(&text, &ctx, lang).is_none();
                    deps.insert(Typed(text));
                    let state = if by_state { flow::load(&ctx, caller.chat).await? } else { State::Idle };
                    let name = state.name();
                    deps.insert(state);
                    match routes.dispatch(deps).await {
                        ControlFlow::Break(result) => result,
                        ControlFlow::Continue(_) => {
                            tracing::warn!(state = name, "a message in a state no flow takes");
                            reply::send(&bot, caller.chat, ctx.i18n.t(lang, "button-stale")).await?;
                            Ok(())
                        }
                    }
                };
                let handled = reply::contained(routed);
                ControlFlow::Break(reply::guard(&bot, &ctx, caller.chat, lang, handled).await)
            }
        },
        sig,
    )
}

/// Handles a press with `routes`, given the chat's flow `State` and the pressed message's id;
/// the press is answered whatever happens.
fn answered_press(routes: Routes<anyhow::Result<Answer>>) -> UpdateHandler<anyhow::Error> {
    let needs = [Type::of::<Bot>(), Type::of::<Ctx>(), Type::of::<Caller>(), Type::of::<CallbackQuery>()];
    let sig = around(&routes, &needs, &[Type::of::<State>(), Type::of::<Option<MessageId>>()]);
    dptree::from_fn_with_description(
        DpHandlerDescription::endpoint(),
        move |mut deps: DependencyMap, _next| {
            let routes = routes.clone();
            async move {
                let (bot, ctx, caller) = (deps.get::<Bot>(), deps.get::<Ctx>(), deps.get::<Caller>());
                let query = deps.get::<CallbackQuery>();
                let lang = caller.user.lang;
                let routed = async {
                    deps.insert(query.message.as_ref().map(|m| m.id()));
                    // No press handler reads the flow state: only `busy`, for a button that
                    // starts a flow. For any other it is not read.
                    let starts =
                        query.data.as_deref().and_then(Button::parse).is_some_and(|b| starts_flow(&b));
                    deps.insert(if starts { flow::load(&ctx, caller.chat).await? } else { State::Idle });
                    match routes.dispatch(deps).await {
                        ControlFlow::Break(answer) => answer,
                        ControlFlow::Continue(_) => {
                            tracing::info!(data = ?query.data, "a press no flow takes: answered as stale");
                            Ok(Answer::stale(&ctx, lang))
                        }
                    }
                };
                let (answer, failure) = match reply::contained(routed).await {
                    Ok(answer) => (answer, None),
                    Err(err) => match reply::user_message(&ctx, lang, &err) {
                        Some(text) => (Answer::alert(text), None),
                        None => (Answer::done(), Some(err)),
                    },
                };
                // The press is answered first, so the client stops waiting whatever happens next.
                let mut request = bot.answer_callback_query(query.id.clone());
                if let Some(text) = answer.text {
                    request = request.text(reply::alert_text(&text)).show_alert(answer.alert);
                }
                let answered = request.await;
                let mut result = Ok(());
                if let Some(err) = failure {
                    result = reply::guard(&bot, &ctx, caller.chat, lang, async { Err(err) }).await;
                }
                ControlFlow::Break(result.and(answered.map(drop).map_err(Into::into)))
            }
        },
        sig,
    )
}

/// The signature of a handler around `routes`: it needs `needs` and what `routes` need, less
/// what it `provides` them itself.
fn around<Output: 'static>(routes: &Routes<Output>, needs: &[Type], provides: &[Type]) -> HandlerSignature {
    let mut obligations = match routes.sig() {
        HandlerSignature::Other { obligations, .. } => obligations.clone(),
        HandlerSignature::Entry => BTreeMap::new(),
    };
    obligations.retain(|ty, _| !provides.contains(ty));
    obligations.extend(needs.iter().map(|ty| (*ty, std::panic::Location::caller())));
    obligations.insert(Type::of::<Update>(), std::panic::Location::caller());
    HandlerSignature::Other {
        obligations,
        guaranteed_outcomes: BTreeSet::new(),
        conditional_outcomes: BTreeSet::new(),
        continues: false,
    }
}
