//! The routing tree. Every update passes the delivery check and the access gate; a message is
//! routed by the chat's flow state (a document or a command first), a press by the flow its
//! button belongs to. Nothing falls through silently: a message in a state no flow takes is
//! answered "no longer valid" and logged, and so is a press no branch takes — forged, from an
//! older release, or not heard in a hand-off chat.
//!
//! The flow `State` is read only where it routes: by `by_state`, around the message branches
//! after documents and commands and around the `flow-busy` check for a button that starts a
//! flow (a command that must not cut a flow short, `/new`, `/log`…, reads it itself). It is in
//! the handlers' dependencies only inside those sub-trees, so a handler elsewhere that asks for
//! it makes the whole tree's signature ask for `State`, which no update is handled with: dptree's
//! type check, run when the polling dispatcher is built and when the webhook starts
//! (`once::type_check`), fails then, naming the handler's line — rather than the handler being
//! given a state that was never read.
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
    tree(messages(), presses())
}

fn tree(
    messages: Routes<HandlerResult>,
    presses: Routes<anyhow::Result<Answer>>,
) -> UpdateHandler<anyhow::Error> {
    dptree::entry()
        .filter_map_async(gate::authorize)
        .branch(Update::filter_message().chain(answered_message(messages)))
        .branch(Update::filter_callback_query().chain(answered_press(presses)))
}

/// A message: a document, a command, or the answer the chat's flow awaits.
fn messages() -> Routes<HandlerResult> {
    dptree::entry()
        .branch(dptree::filter(|msg: Message| msg.document().is_some()).endpoint(imports::on_document))
        .branch(dptree::filter_map(command).endpoint(general::run))
        .branch(by_state(flows()))
}

/// A message that is no command, by the chat's flow.
fn flows() -> Routes<HandlerResult> {
    dptree::entry()
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
        .branch(dptree::endpoint(no_flow_takes))
}

async fn no_flow_takes(bot: Bot, ctx: Ctx, caller: Caller, state: State) -> HandlerResult {
    tracing::warn!(state = state.name(), "a message in a state no flow takes");
    reply::send(&bot, caller.chat, ctx.i18n.t(caller.user.lang, "button-stale")).await?;
    Ok(())
}

/// A button press, by the flow its button belongs to.
fn presses() -> Routes<anyhow::Result<Answer>> {
    dptree::filter_map(read_button)
        .filter(heard_here)
        .branch(dptree::filter(starts_flow).chain(by_state(dptree::filter(in_progress).endpoint(flow_busy))))
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

fn starts_flow(button: Button) -> bool {
    match button {
        Button::Users(b) => b.starts_flow(),
        Button::Request(b) => b.starts_flow(),
        Button::Card(b) => b.starts_flow(),
        Button::Log(b) => b.starts_flow(),
        _ => false,
    }
}

/// A flow is in progress: a button that starts another would lose what was typed.
fn in_progress(state: State) -> bool {
    state != State::Idle
}

async fn flow_busy(ctx: Ctx, caller: Caller) -> anyhow::Result<Answer> {
    Ok(Answer::alert(ctx.i18n.t(caller.user.lang, "flow-busy")))
}

/// Routes with `routes` by the chat's flow `State`, read here and given to them alone; what they
/// do not take goes on without it. A failure to read it is the update's result.
fn by_state<T: Send + 'static>(routes: Routes<anyhow::Result<T>>) -> Routes<anyhow::Result<T>> {
    let sig = around(&routes, &[Type::of::<Ctx>(), Type::of::<Caller>()], &[Type::of::<State>()]);
    dptree::from_fn_with_description(
        DpHandlerDescription::user_defined(),
        move |deps: DependencyMap, _next| {
            let routes = routes.clone();
            async move {
                let (ctx, caller) = (deps.get::<Ctx>(), deps.get::<Caller>());
                let state = match flow::load(&ctx, caller.chat).await {
                    Ok(state) => state,
                    Err(err) => return ControlFlow::Break(Err(err)),
                };
                let mut with_state = deps.clone();
                with_state.insert(state);
                match routes.dispatch(with_state).await {
                    ControlFlow::Break(result) => ControlFlow::Break(result),
                    ControlFlow::Continue(_) => ControlFlow::Continue(deps),
                }
            }
        },
        sig,
    )
}

/// Handles a message with `routes`, given the `Typed` text.
fn answered_message(routes: Routes<HandlerResult>) -> UpdateHandler<anyhow::Error> {
    let needs = [Type::of::<Bot>(), Type::of::<Ctx>(), Type::of::<Caller>(), Type::of::<Message>()];
    let sig = around(&routes, &needs, &[Type::of::<Typed>()]);
    dptree::from_fn_with_description(
        DpHandlerDescription::endpoint(),
        move |mut deps: DependencyMap, _next| {
            let routes = routes.clone();
            async move {
                let (bot, ctx, caller) = (deps.get::<Bot>(), deps.get::<Ctx>(), deps.get::<Caller>());
                let lang = caller.user.lang;
                let routed = async {
                    let text = deps.get::<Message>().text().unwrap_or_default().to_owned();
                    deps.insert(Typed(text));
                    match routes.dispatch(deps).await {
                        ControlFlow::Break(result) => result,
                        // `flows()` ends in `no_flow_takes`: a message gets here only if the tree
                        // is broken, which is the bot's fault, not the person's.
                        ControlFlow::Continue(_) => Err(anyhow::anyhow!("no route took the message")),
                    }
                };
                let handled = reply::contained(routed);
                ControlFlow::Break(reply::guard(&bot, &ctx, caller.chat, lang, handled).await)
            }
        },
        sig,
    )
}

/// Handles a press with `routes`, given the pressed message's id; the press is answered
/// whatever happens.
fn answered_press(routes: Routes<anyhow::Result<Answer>>) -> UpdateHandler<anyhow::Error> {
    let needs = [Type::of::<Bot>(), Type::of::<Ctx>(), Type::of::<Caller>(), Type::of::<CallbackQuery>()];
    let sig = around(&routes, &needs, &[Type::of::<Option<MessageId>>()]);
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

#[cfg(test)]
mod tests {
    use super::super::once;
    use super::*;

    async fn reads_state(_: State) -> HandlerResult {
        Ok(())
    }

    async fn reads_state_on_press(_: State) -> anyhow::Result<Answer> {
        Ok(Answer::done())
    }

    #[test]
    fn the_routing_tree_asks_for_nothing_an_update_is_not_handled_with() {
        once::type_check(&schema());
    }

    #[test]
    fn a_handler_under_by_state_is_given_the_flow_state() {
        let on_message = dptree::entry().branch(by_state(dptree::endpoint(reads_state)));
        let on_press = dptree::entry().branch(by_state(dptree::endpoint(reads_state_on_press)));
        once::type_check(&tree(on_message, on_press));
    }

    #[test]
    #[should_panic(expected = "`prospect_diary::bot::flow::State` from src/bot/router.rs")]
    fn a_command_handler_asking_for_the_flow_state_fails_the_check() {
        let on_message =
            dptree::entry().branch(dptree::filter_map(command).endpoint(reads_state)).branch(messages());
        once::type_check(&tree(on_message, presses()));
    }

    #[test]
    #[should_panic(expected = "`prospect_diary::bot::flow::State` from src/bot/router.rs")]
    fn a_press_handler_outside_the_busy_check_asking_for_the_flow_state_fails_the_check() {
        let on_press = presses().branch(dptree::endpoint(reads_state_on_press));
        once::type_check(&tree(messages(), on_press));
    }
}
