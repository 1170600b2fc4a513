## Roles and common words

role-specialist = acquisition specialist
role-credit_officer = credit officer
role-manager = division manager
role-head_office = head office controller
role-admin = administrator
region-none = —
user-active = active
user-disabled = disabled
prospects-count = { $count ->
    [one] { $count } prospect
   *[other] { $count } prospects
}
users-count = { $count ->
    [one] { $count } user
   *[other] { $count } users
}

## Greeting, help, menu

start-greeting =
    Hello, { $name }!
    Role: { $role }
    Division: { $region }

    Commands: /help.
help-title = Available commands:
menu-placeholder = Choose an action
menu-users = 👥 Users
menu-help = ❓ Help
menu-lang = 🌐 Language

cmd-start = Start and main menu
cmd-help = List of commands
cmd-users = Manage users
cmd-lang = Change language
cmd-cancel = Leave the current action

## Language

lang-choose = Choose a language:
lang-set = Interface language: English.

## Cancel and fallbacks

cancel-done = Cancelled.
cancel-nothing = There is nothing to cancel.
unknown-input = I don't understand this message. Commands: /help.
not-allowed = This command is not available to you.
button-stale = This button is no longer valid.
button-not-allowed = This action is not available to you.
error-internal = Sorry, something went wrong. We are looking into it. Reference: { $reference }.

## Access

access-refused =
    Sorry, you have no access to this bot.
    Your Telegram ID is <code>{ $id }</code>; give it to the administrator to get access.
access-refused-short = No access to the bot.

## Validation errors (the same question follows)

err-telegram-id = A Telegram ID is a positive whole number, e.g. 123456789.
err-full-name = A full name is 2 to 128 characters on one line.
err-region-code = A division code is 2 to 16 Latin capital letters, digits or "-", e.g. MSK.
err-region-name = A division name is 2 to 128 characters on one line.
err-time-zone = A time zone is an IANA name such as Europe/Moscow or Asia/Vladivostok.
err-role = A role is one of: specialist, credit_officer, manager, head_office, admin.
err-lang = A language is ru or en.
err-region-required = The role "{ $role }" needs a division.
err-region-not-allowed = The role "{ $role }" is not tied to a division.
err-unknown-region = There is no division { $code }.
err-region-exists = The division { $code } already exists.
err-user-exists = A user with ID { $id } is already on the list.
err-unknown-user = There is no user with ID { $id }.
err-self-change = You cannot disable yourself or change your own role.
err-no-regions = Create a division first with prospect-diary region add, e.g. region add MSK --name "Moscow" --tz Europe/Moscow

## Whitelist management (admins)

users-title = Users: { $count }. Choose a user or add a new one.
users-page = Page { $page } of { $pages }
users-add = ➕ Add
users-back = « Back to the list
users-prev = ‹ Back
users-next = Next ›
users-card =
    <b>{ $name }</b>
    Telegram ID: <code>{ $id }</code>
    Role: { $role }
    Division: { $region }
    Status: { $status }
users-change-role = Change role
users-change-region = Change division
users-disable = Disable
users-enable = Enable
users-ask-id = Enter the new user's Telegram ID, a number such as 123456789. To stop: /cancel.
users-ask-name = Enter the user's full name.
users-ask-role = Staff member: { $name }. Choose the role:
users-ask-region = Staff member: { $name }. Choose the division:
users-confirm =
    Please check:
    <b>{ $name }</b>
    Telegram ID: <code>{ $id }</code>
    Role: { $role }
    Division: { $region }
users-save = ✅ Save
users-cancel = Cancel
users-added = User { $name } has been added. Please ask them to send /start to the bot.
users-disabled = User { $name } has been disabled.
users-enabled = User { $name } is active again.
users-placement-changed = User { $name }: role { $role }, division { $region }.

## Requests for access

access-request-button = Request access
access-request-sent = Your request has been sent to the administrator. We will let you know the decision.
access-request-repeat = Your request has already been sent. You can repeat it after 24 hours.
access-request-admin =
    Request for access to the bot:
    { $name } { $username }
    Telegram ID: <code>{ $id }</code>
access-request-approve = ✅ Approve
access-request-reject = ❌ Reject
access-request-decided = This request has already been decided.
access-request-rejected-admin = The request from { $name } has been rejected.
access-granted = You now have access to the bot. Send /start to begin.
access-denied = Sorry, your request for access has been declined.
