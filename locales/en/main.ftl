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
cmd-users = People: access, handing cards over, leave
cmd-lang = Change language
cmd-cancel = Leave the current action

## Language

lang-choose = Choose a language:
lang-set = Interface language: English.

## Cancel and fallbacks

cancel-done = Cancelled.
flow-busy = Please finish the current action first, or leave it with /cancel.
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

## Prospects: words

status-new = new
status-in_talks = in talks
status-interested = interested
status-handed_off = handed to credit
status-client = client
status-declined = declined
status-archived = archived
product-credit = credit
product-leasing = leasing
product-guarantee = guarantee
product-deposit = deposit
product-settlement = settlement account
product-payroll = payroll
product-acquiring = acquiring
product-fx = foreign trade
kind-call = call
kind-meeting = meeting
kind-email = e-mail
kind-messenger = messenger
kind-other = other
outcome-positive = positive
outcome-neutral = neutral
outcome-negative = negative
outcome-no_answer = no answer
field-name = Name
field-inn = INN
field-kpp = KPP
field-ogrn = OGRN
field-industry = Industry
field-city = City
field-contact = Contact person
field-position = Position
field-phone = Phone
field-email = E-mail
field-products = Products
none-yet = none

cmd-new = New prospect
cmd-find = Search the base
cmd-card = Card by number or INN
cmd-my = My prospects
cmd-log = Log a contact
menu-new = ➕ New prospect
menu-find = 🔎 Search
menu-my = 📋 My prospects
menu-log = ✍️ Log a contact

## Registering a prospect

new-ask-name = Enter the company name, e.g. Romashka LLC. To stop: /cancel.
new-ask-inn = Enter the INN: 10 digits for a company or 12 for a sole proprietor.
new-ask-kpp = Enter the KPP (9 characters).
new-ask-ogrn = Enter the OGRN (13 digits) or OGRNIP (15 digits).
new-ask-industry = Enter the industry, e.g. "Wholesale".
new-ask-city = Enter the city.
new-ask-contact = Enter the contact person's full name.
new-ask-position = Enter the contact person's position.
new-ask-phone = Enter the phone, e.g. 8 999 123-45-67 (an extension may follow: ext. 234).
new-ask-email = Enter the e-mail.
new-ask-products = Mark the products the company is interested in and press "Done".
new-skip = Skip
new-done = Done
new-save = ✅ Save
new-change = ✏️ Change a field
new-cancel = Cancel
new-save-anyway = Save anyway
new-confirm-title = Please check before saving:
new-choose-field = Which field to change?
new-saved = The prospect has been saved.
new-inn-here = A company with this INN is already in your division's base; open its card:
new-inn-elsewhere = The company with INN { $inn } is already worked by the division "{ $division }", owner { $owner }. It is not registered again.
new-look-alikes = Similar cards in your division (same phone or name). Open one or save the new card:
err-inn = An INN is 10 digits for a company or 12 for a sole proprietor, with valid check digits.
err-inn-check-digit = The INN's check digit does not match — probably a typo. Please check the number and type it again.
err-kpp = A KPP is 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits; companies only.
err-ogrn = An OGRN is 13 digits, an OGRNIP 15, with a valid check digit.
err-ogrnip-expected = A sole proprietor (12-digit INN) has a 15-digit OGRNIP, but a company's 13-digit OGRN was entered. Please check the number.
err-ogrn-expected = A company (10-digit INN) has a 13-digit OGRN, but a sole proprietor's 15-digit OGRNIP was entered. Please check the number.
err-phone = A phone is a Russian number such as 8 999 123-45-67 or +7 495 123-45-67 ext. 234, or an international one starting with "+" and the country code.
err-email = An e-mail looks like name@example.ru.
err-company-name = A name is 2 to 256 characters on one line.
err-short-text = A value is 1 to 128 characters on one line.
err-not-found = The card does not exist or is not available to you.
err-not-allowed = This action on the card is not available to you.
err-inn-taken = A company with this INN is already registered.

## The contacts page (Mini App, SPEC §10)

contact-in-app = Contact: in the app
in-app = in the app
app-contacts-button = 📇 Contacts
app-card-number = Card No. { $id }
app-next = Next contact
app-recent = Latest entries
app-refused-stale = This link has expired — open the card again.
app-refused-access = You have no access to this card.
app-refused-too-many = Too many views this hour. Please try later.
app-views-limit-notice = ⚠️ { $name } (ID { $id }) opened clients' contacts more than { $limit } times within an hour. Further views are blocked until the hour is over.
app-refused-too-many-exports = Too many exports this hour. Please try later.
app-refused-no-draft = No draft found — please start the registration again (/new).
app-draft-untitled = New company
app-draft-subtitle = Draft: not saved yet. Check it and go back to the chat.
app-exports-limit-notice = ⚠️ { $name } (ID { $id }) downloaded the full export with contacts more than { $limit } times within an hour. Further exports are blocked until the hour is over.
export-full-button = 📥 Full export
export-full-hint = Contacts in the file are hidden. The full export is behind the button below, straight from the bank's server.

## Cards, search, my prospects

card-title = <b>{ $name }</b> · No. { $id }
card-requisites = INN { $inn }
card-status = Status: { $status }
card-owner = Owner: { $owner } · { $region }
card-next = Next contact: { $when }
card-next-overdue = Next contact: { $when } — ⚠️ overdue
card-completeness = Card completeness: { $percent } %
card-recent = Latest entries:
card-no-entries = No diary entries yet.
card-collision = ⚠️ A colleague's last contact with the company: { $who }, { $when }, outcome: { $outcome }. Please coordinate with your colleague.
card-log = ✍️ Log a contact
card-schedule = 📅 Schedule a contact
card-history = 📜 History
card-edit = ✏️ Edit
card-open = Open the card
card-full-entry = Full text
card-clear = Clear the field
card-ask-card = Give the card number or INN, e.g. /card 12.
history-title = <b>{ $name }</b>: contact history ({ $count }):
history-more = More
find-ask = What to find? Type part of a name, an INN, a phone or a contact person's surname.
find-none = Nothing found.
find-title = Found for "{ $query }":
list-next = next contact { $when }
list-next-overdue = ⚠️ contact overdue: { $when }
find-next = Next ›
find-prev = ‹ Back
my-title = Your prospects, nearest and overdue contacts first:
my-none = You have no prospects yet. Register one: /new.
edit-ask = New value of "{ $field }":
edit-saved = Changes saved.
edit-products = Mark the products and press "Done".

## Diary

log-ask-card = Give the card number or the company's INN, e.g. 12.
log-ask-kind = { $name }: how did you get in touch?
log-ask-outcome = Outcome of the contact:
log-ask-summary = Briefly describe what was agreed (up to 4000 characters).
log-ask-products = Which products were discussed? Mark them and press "Done".
log-ask-next = When is the next contact? Choose or type, e.g. 25.12 15:30, tomorrow 10:00, in 3 days.
log-quick-tomorrow = Tomorrow 10:00
log-quick-3days = In 3 days
log-quick-monday = Monday 10:00
log-quick-none = No next contact
log-calendar = 📅 Calendar
log-choose-day = { $name }: choose the day of the next contact or type a date, e.g. 25.12 15:30.
log-choose-time = { $name }, { $date }: choose a time or type it, e.g. 15:30.
log-far = { $name }: the next contact { $when } is more than a year ahead. Is that right? If not, type another date or press "Choose another".
log-far-yes = ✅ Yes, that's right
log-far-again = ✏️ Choose another
log-confirm =
    Please check the entry:
    { $kind }, outcome: { $outcome }
    { $summary }
    Products: { $products }
    Next contact: { $next }
log-save = ✅ Save
log-saved = The entry has been added to the diary.
log-owner-told = A new diary entry on your prospect "{ $name }": { $author }, { $kind }, outcome: { $outcome }.
err-summary = A summary is 1 to 4000 characters.
err-when = The date is not clear. Type e.g. 25.12 15:30, 25.12.2026, tomorrow 10:00, in 3 days.
err-in-the-past = That time has passed. Please give a future date.
schedule-ask = { $name }: when to get in touch? Choose or type, e.g. 25.12 15:30.
schedule-saved = The next contact is set for { $when }.

## Reminders, /today, digests, delivery

reminder-cover = ↪️ Passed to you as the manager. The owner, { $owner }, no longer receives reminders for this division.
reminder-title = 🔔 Time to get in touch: <b>{ $name }</b> (No. { $id })
reminder-contact = Contact: { $contact }
reminder-agreed = Agreed: { $agreed }
reminder-due = Due: { $when }
reminder-late = ⏰ This reminder is { $late } late.
reminder-snooze = ⏰ In an hour
reminder-tomorrow = 📅 Tomorrow 10:00
reminder-moved = Moved to { $when }.
when-moved = Moved to { $when }: { $reason ->
    [holiday] a public holiday.
   *[weekend] a weekend.
}
late-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
late-hours = { $count ->
    [one] { $count } hour
   *[other] { $count } hours
}
cmd-today = Today's contacts
menu-today = 📅 Today
today-title = Today's and overdue contacts:
today-none = No contacts for today and nothing overdue.
today-overdue = overdue
digest-title = Good morning! Contacts today: { $today }, overdue: { $overdue }.
digest-more = The full list: /today.
unreachable-manager = { $name } has blocked the bot and gets no reminders. Please get in touch with them.

## Hand-offs to the credit officers
cmd-handoffs = Hand-offs to the credit unit
menu-handoffs = 📨 Hand-offs
cmd-routes = Hand-off routes
menu-routes = 🔀 Routes
card-hand-off = 📨 Hand off to credit
card-handoffs = Hand-offs to the credit unit:
handoff-state-pending = awaiting a decision
handoff-state-accepted = in progress
handoff-state-declined = declined
handoff-state-won = won
handoff-state-lost = lost
handoff-state-expired = expired
lead-sole-proprietor = Sole proprietor
lead-hidden = [hidden]
lead-title = 📨 <b>Lead No. { $id }</b>: { $product }
lead-company = { $name }, INN { $inn }
lead-facts = Amount: { $amount } · term: { $term } · urgency: { $urgency }
lead-fact-unknown = not given
lead-amount-lt5 = up to RUB 5 m
lead-amount-5-30 = RUB 5–30 m
lead-amount-30-100 = RUB 30–100 m
lead-amount-gt100 = over RUB 100 m
lead-amount-none = not discussed
lead-term-lt1 = up to 1 year
lead-term-1-3 = 1–3 years
lead-term-gt3 = over 3 years
lead-term-none = not discussed
lead-urgency-urgent = urgent
lead-urgency-month = within a month
lead-urgency-later = not urgent
lead-from = Specialist: { $who }, { $region }, { $when }. Card No. { $card }
lead-taken = ✅ In progress with { $who } since { $when }
lead-declined = ❌ Declined by { $who }, { $when }. Reason: { $reason }
lead-declined-public = ❌ Declined by { $who }, { $when }
lead-won = 🏆 Won: { $who }, { $when }
lead-lost = Lost: { $who }, { $when }. Reason: { $reason }
lead-lost-public = Lost: { $who }, { $when }
lead-expired = ⌛ The lead expired on { $when }: nobody took it. The company can be handed off again.
lead-moved = 🔀 The company has moved to the { $region } division. The lead has gone to its credit unit.
lead-moved-closed = 🔀 The company has moved to the { $region } division. The lead is closed: no credit chat there handles this product.
lead-take = ✅ Take
lead-decline = ❌ Decline
lead-won-button = 🏆 Won
lead-lost-button = Lost
lead-reminder = ⏰ Nobody has taken lead No. { $id } ({ $name }, { $product }) for { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}. Please take it or decline it.
lead-overdue = ⚠️ Nobody has taken lead No. { $id } for { $name } ({ $product }, specialist { $who }) for { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}.
handoff-news = Lead No. { $id }: { $name }, { $product }.
handoff-show = Lead No. { $id }
handoff-line = No. { $id } · { $name } · { $product } · { $state } · { $when }
handoff-state = State: { $state }
handoff-made = 📨 { $name } was handed off to the credit unit: { $product }, lead No. { $id }. I will tell you the decision here.
handoff-facts-intro = 📨 Lead No. { $id } to the credit unit: { $name }, { $product }. The unit's chat gets only what you pick with the buttons, never the text of entries. If there is no answer within { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}, the lead goes with what was picked.
handoff-picked-amount = Amount: { $value }
handoff-picked-term = Term: { $value }
handoff-ask-amount = <b>What amount was discussed?</b>
handoff-ask-term = <b>For what term?</b>
handoff-ask-urgency = <b>How urgent is it for the client?</b>
handoff-send-now = Send without details
handoff-facts-posted = Lead No. { $id } is in the credit chat already, with what was picked.
handoff-sent-as-is = Lead No. { $id } was sent to the credit unit with what was picked.
handoffs-none = No hand-offs yet.
handoffs-mine = Your hand-offs to the credit unit:
handoffs-queue = Your division's leads:
handoff-not-allowed = This button is for the division's credit officers and manager.
handoff-no-route = Hand-offs of this product are not set up for your division. Please ask an administrator.
handoff-already-open = This company is already handed off for this product and the lead is still open.
handoff-nothing-to-offer = Nothing to hand off: no routes are set up for your division, or every routed product has an open lead.
handoff-choose = Which product is { $name } to be handed off for?
handoff-yours = Lead No. { $id } is yours; the card with contacts is above. When there is a decision, mark it:
handoff-taken-toast = The lead is yours. The card is in your private chat.
handoff-taken-open-chat = The lead is yours. To get the card, open a private chat with the bot and send /start: the lead will be in /handoffs.
handoff-open-chat = Open a private chat with the bot, send /start, then press this button again.
handoff-decline-ask = Why are you declining lead No. { $id } ({ $name })? Choose a reason or type your own.
handoff-lost-ask = Why was lead No. { $id } ({ $name }) lost? Choose a reason or type your own.
handoff-reason-cancelled = Cancelled: lead No. { $id } is unchanged.
handoff-reason-in-private = Please give the reason in your private chat with the bot.
handoff-reason-length = Please keep the reason short, up to 500 characters.
handoff-settled = Lead No. { $id }: the decision is saved.
reason-not-profile = Not our profile
reason-risk = Does not pass risk checks
reason-documents = Documents are missing
reason-not-ready = The client is not ready yet
reason-client-refused = The client refused
reason-competitor = The client chose another bank
routes-usage = To set a route: /routes set CODE PRODUCT CHAT_ID, e.g. /routes set MSK credit -1001234567890. Products: { $products }. The bot must be a member of the chat.
routes-none = No hand-off routes yet.
routes-title = Hand-off routes:
routes-line = { $region } · { $product } → { $chat }
routes-bad-region = There is no division with code “{ $region }”.
routes-bad-chat = A chat id is a negative number, e.g. -1001234567890.
routes-unreachable = The bot cannot see chat { $chat }. Add the bot to the group and try again.
routes-not-group = Chat { $chat } is not a group. Leads go to the credit unit's group chat.
routes-saved = Route saved: { $region } · { $product } → “{ $title }” ({ $chat }).
lead-undelivered = ⚠️ Lead No. { $id } ({ $name }, { $product }) could not be posted to the credit chat { $chat }: the bot cannot write there. The lead is closed; please ask an administrator to check the route (/routes) and hand the company off again.
## Reports (/report, /quality), the audit trail (/audit), export (/export)

cmd-report = Activity report for a period
cmd-quality = Data quality
cmd-audit = Audit trail of a card
cmd-export = Export prospects to Excel
menu-report = 📊 Report
menu-quality = 🧹 Data quality
report-err-unreadable = The period is not clear. Type week (this week), month (this month), a month as 2026-11, or two dates: 01.11.2026 15.11.2026.
report-err-reversed = The end date is before the start date. Type the period like this: 01.11.2026 15.11.2026.
report-err-too-long = A period can be at most 366 days. Please make it shorter.
report-scope = Division: { $name }
report-scope-all = all divisions
report-totals = 📊 <b>Activity report for { $period }</b>
    New prospects: { $new }
    Contacts: { $contacts } (calls { $call }, meetings { $meeting }, e-mail { $email }, messengers { $messenger }, other { $other })
    Positive: { $positive }
    Handed off: { $sent }, taken: { $taken }, won: { $won }
    Follow-ups overdue now: { $overdue }
report-by-person = <b>By specialist:</b>
report-by-region = <b>By division:</b>
report-row = • { $name } — new { $new }, contacts { $contacts }, positive { $positive }, handed off { $sent }, overdue { $overdue }
report-more-rows = …and { $count ->
    [one] { $count } more row
   *[other] { $count } more rows
} — see the file.
report-caption = Activity report for { $period }
report-chart-title = Contacts for { $period }
report-chart-others = Others
report-building = Preparing the report, this takes a moment…
report-sheet-summary = Summary
report-sheet-regions = By division
report-sheet-people = By specialist
report-sheet-entries = Diary entries
report-sheet-handoffs = Hand-offs
report-col-measure = Measure
report-col-value = Value
report-col-period = Period
report-col-scope = Division
report-col-generated = Generated
report-col-new = New prospects
report-col-call = Calls
report-col-meeting = Meetings
report-col-email = E-mail
report-col-messenger = Messengers
report-col-other = Other
report-col-contacts = Contacts
report-col-positive = Positive
report-col-sent = Handed off
report-col-taken = Taken
report-col-won = Won
report-col-overdue = Overdue now
report-col-region = Division
report-col-specialist = Specialist
report-col-when = Date and time
report-col-company = Company
report-col-inn = INN
report-col-kind = Kind
report-col-outcome = Outcome
report-col-summary = Summary
report-col-sent-at = Handed off
report-col-product = Product
report-col-state = State
report-col-taken-by = Taken by
report-col-taken-at = Taken at
report-col-closed-at = Closed at
report-col-listed = Entries in the file
report-col-cut = More entries than an Excel sheet holds: the first ones are listed.
report-hstate-pending = waiting
report-hstate-accepted = taken
report-hstate-declined = declined
report-hstate-won = won
report-hstate-lost = lost
report-hstate-expired = expired
report-weekly = 📅 Weekly report
quality-title = 🧹 <b>Data quality on { $date }</b>
quality-totals = Cards: { $cards }, average completeness { $completeness } %
    Filled in: INN { $inn } %, contact person { $contact } %, phone { $phone } %, e-mail { $email } %, industry { $industry } %, next contact { $next } %
    No contact for 30 days: { $stale }, overdue follow-ups: { $overdue }
quality-by-person = <b>By specialist (best first):</b>
quality-by-region = <b>By division (best first):</b>
quality-row = • { $name } — cards { $cards }, completeness { $completeness } %, no contact { $stale }, overdue { $overdue }
quality-chart-title = Average card completeness on { $date }
quality-col-completeness = Completeness, %
audit-usage = Give a card number or an INN, for example: /audit 42
audit-title = 🔎 Audit trail of <b>{ $name }</b> (No. { $id }), { $total } records
audit-empty = The trail has no records for this card.
audit-line = { $when } — { $who }: { $what }
audit-page = Page { $page } of { $pages }
audit-prev = ◀️ Back
audit-next = Next ▶️
audit-someone = operator
audit-action-prospect_created = created the card
audit-action-card_viewed = opened the card
audit-action-contacts_viewed = opened the contacts in the app
audit-action-card_edited = edited the card
audit-action-card_reassigned = gave the card to another owner
audit-action-entry_logged = logged a contact
audit-action-contact_scheduled = scheduled a contact
audit-action-audit_viewed = viewed the card's trail
audit-action-exported = exported data
audit-action-handed_off = handed it off to the credit unit
audit-action-handoff_taken = took the lead
audit-action-handoff_declined = declined the lead
audit-action-handoff_closed = closed the lead
export-choose = Which division to export?
export-all = All divisions
export-caption = Prospects: { $scope }, { $count ->
    [one] { $count } card
   *[other] { $count } cards
}
export-sheet = Prospects
export-col-id = No.
export-col-owner = Owner
export-col-created = Created
export-col-updated = Updated
export-col-next = Next contact
export-not-allowed = Exporting this division is not available to you.
file-too-large = The file is over 50 MB, which Telegram does not accept. Please choose a shorter period or one division.

## The diary listing built in the background («Export all entries»)

report-col-listed-apart = a file of its own: the «Export all entries» button
listing-offer = The period's diary entries ({ $count }) are not in the figures workbook, so that it arrives quickly. They can be exported as a file of their own.
listing-button = Export all entries
listing-progress = ⏳ Preparing the file: { $percent } %
listing-busy = A file of entries is already being prepared. Please wait for it, or cancel it with /cancel.
listing-not-allowed = You may not export this division's entries.
listing-empty = There are no diary entries in this period.
listing-cancelled = The export of entries was cancelled.
listing-failed = The file of entries could not be prepared. Please try again later.
listing-done = ✅ Done: { $count ->
    [one] { $count } entry
   *[other] { $count } entries
} in { $files ->
    [one] one file
   *[other] { $files } files
}.
listing-caption = Diary entries for { $period } — { $scope }{ $part ->
    [0] {""}
   *[other] , part { $part }
}: { $count ->
    [one] { $count } entry
   *[other] { $count } entries
}
listing-file-part = part

## Import and export of the base (the error workbook, the preview)
import-err-field = { $field }: { $reason }
import-err-check-digit = { $field }: wrong check digit
import-err-phone-digits = { $field }: { $count } { $count ->
    [one] digit
   *[other] digits
} instead of 10
import-err-missing = { $field }: empty
import-err-product = products: unknown product “{ $word }”
import-err-status = status: unknown status “{ $word }”
import-err-date = next contact: “{ $text }” is not a date; use DD.MM.YYYY or DD.MM.YYYY HH:MM
import-err-comment = comment: at most 1000 characters
import-err-owner = owner { $owner } not found
import-err-owner-elsewhere = owner { $owner } does not work with the clients of “{ $division }”
import-err-no-owner = no owner given
import-err-division = division { $division } not found
import-err-no-division = no division given
import-err-not-your-division = division “{ $division }”: you import into your own division only
import-err-inn-elsewhere = INN: the company is already worked by “{ $division }”
import-err-inn-repeated = INN repeats row { $line }
import-err-phone-repeated = phone repeats row { $line }
import-err-phone-taken = phone already given for “{ $name }” (card { $card })
import-err-user-id = Telegram ID “{ $text }” is not a positive whole number
import-err-role = role “{ $role }” not found; roles: specialist, credit_officer, manager, head_office, admin
import-err-placement = { $reason }
import-err-user-repeated = Telegram ID repeats row { $line }
import-sheet-errors = Errors
import-sheet-similar = Similar names
import-sheet-base = Clients
import-sheet-diary = Diary
import-col-error = Error
import-col-line = Row
import-col-company = Company
import-col-similar = Similar in the base
import-col-card = Card
import-preview = { $rows_text } { $rows ->
    [one] row
   *[other] rows
}: { $new_text } new, { $existing_text } already in the base (will be skipped), { $rejected_text } with errors
import-preview-update = { $rows_text } { $rows ->
    [one] row
   *[other] rows
}: { $new_text } new, { $existing_text } already in the base (will be updated), { $rejected_text } with errors
import-file-not-spreadsheet = not a spreadsheet: save it as .xlsx or .csv and send it again. Nothing was saved.
import-file-old-excel = an old .xls workbook: save it as .xlsx (File → Save As) and send it again. Nothing was saved.
import-file-empty = the file is empty. Nothing was saved.
import-file-no-header = no header row among the first { $rows } rows: name the columns, e.g. Наименование, ИНН, Телефон. Nothing was saved.
import-file-missing-columns = required columns missing: { $columns }. Nothing was saved.
import-file-password = the workbook is password-protected: save it without a password and send it again. Nothing was saved.
import-file-formula = cell { $cell } holds a formula: paste the values instead (Paste Special → Values) and send the file again. Nothing was saved.
import-file-merged = cells { $range } are merged: unmerge them and send the file again. Nothing was saved.
import-file-unreadable = the file cannot be read ({ $why }). Nothing was saved.
import-not-allowed = Division managers and head office import the client base. Please pass the file to your manager.
import-use-cli = Files with clients do not travel through Telegram: they hold personal data. I have not opened the file. Please pass it to the administrator, who imports it with prospect-diary import prospects.
import-too-large = The file is over 20 MB, which Telegram does not let bots download. Please pass it to the administrator, who imports it with prospect-diary import prospects.
import-unknown-columns = Columns ignored: { $columns }.
import-similar = Similar names already in the base: { $count_text } — listed in the error file. These rows will be imported too.
import-nothing = Nothing to import.
import-button-save = Import
import-button-cancel = Cancel
import-errors-caption = The rows with errors and why.
import-saved = Imported: { $created_text } { $created ->
    [one] card
   *[other] cards
}.
import-cancelled = Import cancelled, nothing saved.
import-use-page = Files with clients do not travel through Telegram: they hold personal data. I have not opened the file. Please upload it on the app's page — the button below opens it, and the file goes straight to the bank.
import-page-button = 📤 Upload the file
## Moving cards between people (SPEC §2)
card-reassign = 👥 Give to a colleague
move-ask-person = Who should take over { $name }? { $owner } has it now. Its scheduled contacts go with it; diary entries stay with their authors.
move-ask-division = Which division should { $name } go to?
move-nobody = The division has no other active colleague to give { $name } to.
move-back = ← Back to the card
move-done = { $name } has been given to a colleague: { $owner } has it now.
move-changed = The cards have changed hands or changed meanwhile; nothing was done. Please open them again.
move-bad-owner = Cards cannot go to this person: an active specialist or manager of the same division is needed.
move-nobody-to-spread = The division has no other active specialist to spread the cards across.
move-holds-work = This person still holds { $cards ->
    [one] { $cards } card
   *[other] { $cards } cards
}, { $followups } scheduled contacts and { $leads } taken leads. Please hand them over first («Give all cards») or disable with a hand-over.
card-moved-to-you = { $name } (No. { $id }) is yours now. It was { $from }'s.
card-moved-away = { $name } (No. { $id }) has gone to a colleague: { $to } has it now.
portfolio-moved-to-you = { $from }'s cards are yours now: { $cards ->
    [one] { $cards } card
   *[other] { $cards } cards
}, { $followups } scheduled contacts. You will find them under «My companies».
portfolio-moved-away = Your cards have gone to { $to }: { $cards ->
    [one] { $cards } card
   *[other] { $cards } cards
}, { $followups } scheduled contacts.
portfolio-button = 📦 Give all cards
portfolio-spread = ⚖️ Spread evenly across the specialists
portfolio-ask = Who should take over { $name }'s cards? Cards: { $cards }, scheduled contacts: { $followups }.
portfolio-preview = Please check how { $name }'s cards will be handed over:
portfolio-share = • { $name }: { $cards ->
    [one] { $cards } card
   *[other] { $cards } cards
}, { $followups } scheduled contacts
portfolio-confirm = ✅ Confirm
portfolio-nothing = There is nothing to hand over: this person has no cards.
portfolio-done = Cards handed over: { $cards }.
portfolio-disable-to = Hand everything to { $name } and disable
portfolio-disable-anyway = Disable and put the leads back in the queue
reminder-away = ↪️ For { $owner }: while your colleague is on leave, their reminders come to you.
notice-away = ↪️ For { $owner } (on leave):
away-bad-dates = A leave cannot end before it starts. Please check the dates.
away-bad-cover = Only an active colleague of the same division can cover.
leave-button = 🌴 Leave
leave-ask-dates = Please write the first and the last day of { $name }'s leave, for example: 01.12.2026 12.12.2026. To stop: /cancel.
leave-bad-dates = The dates could not be read: two dates as DD.MM.YYYY are needed.
leave-ask-cover = Who covers { $name } from { $from } to { $to }? Their reminders and notices will go to that colleague meanwhile.
leave-done = Leave recorded: from { $from } to { $to }, covered by { $cover }.
users-title-division = { $region } division staff: { $count }. Choose a person.
users-card-away = 🌴 On leave until { $to }, covered by { $cover }.
leave-end-button = ✅ End the leave
leave-ended = { $name }'s leave has been ended early (it was recorded until { $to }). From today their reminders and notices come to them again, not to the cover.
leave-not-away = This person is not on leave today: there is nothing to end.
