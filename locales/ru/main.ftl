## Roles and common words

role-specialist = специалист по привлечению
role-credit_officer = кредитный инспектор
role-manager = руководитель подразделения
role-head_office = сотрудник головного офиса
role-admin = администратор
region-none = —
user-active = активен
user-disabled = отключён
prospects-count = { $count ->
    [one] { $count } компания
    [few] { $count } компании
   *[many] { $count } компаний
}
users-count = { $count ->
    [one] { $count } пользователь
    [few] { $count } пользователя
   *[many] { $count } пользователей
}

## Greeting, help, menu

start-greeting =
    Здравствуйте, { $name }!
    Роль: { $role }
    Подразделение: { $region }

    Команды — /help.
help-title = Доступные команды:
menu-placeholder = Выберите действие
menu-users = 👥 Пользователи
menu-help = ❓ Помощь
menu-lang = 🌐 Язык

cmd-start = Начало работы и главное меню
cmd-help = Список команд
cmd-users = Сотрудники: доступ, передача карточек, отпуска
cmd-lang = Сменить язык
cmd-cancel = Прервать текущее действие

## Language

lang-choose = Выберите язык:
lang-set = Язык интерфейса: русский.

## Cancel and fallbacks

cancel-done = Действие отменено.
flow-busy = Сначала завершите текущее действие или отмените его командой /cancel.
cancel-nothing = Сейчас нечего отменять.
unknown-input = Не удалось распознать сообщение. Список команд — /help.
not-allowed = Эта команда вам недоступна.
button-stale = Эта кнопка уже неактуальна.
button-not-allowed = Это действие вам недоступно.
error-internal = Извините, произошла ошибка. Мы уже разбираемся. Код ошибки: { $reference }.

## Access

access-refused =
    Извините, у вас нет доступа к этому боту.
    Ваш Telegram ID: <code>{ $id }</code> — сообщите его администратору, чтобы получить доступ.
access-refused-short = Нет доступа к боту.

## Validation errors (the same question follows)

err-telegram-id = Telegram ID — это положительное целое число, например 123456789.
err-full-name = ФИО — от 2 до 128 символов в одну строку.
err-region-code = Код подразделения — от 2 до 16 латинских заглавных букв, цифр или «-», например MSK.
err-region-name = Название подразделения — от 2 до 128 символов в одну строку.
err-time-zone = Часовой пояс указывается в формате IANA, например Europe/Moscow или Asia/Vladivostok.
err-role = Роль — одна из: specialist, credit_officer, manager, head_office, admin.
err-lang = Язык — ru или en.
err-region-required = Для роли «{ $role }» нужно выбрать подразделение.
err-region-not-allowed = Роль «{ $role }» не привязана к подразделению.
err-unknown-region = Подразделение { $code } не найдено.
err-region-exists = Подразделение { $code } уже существует.
err-user-exists = Пользователь с ID { $id } уже есть в списке.
err-unknown-user = Пользователя с ID { $id } нет в списке.
err-self-change = Нельзя отключить себя или изменить собственную роль.
err-no-regions = Сначала создайте подразделение командой prospect-diary region add, например: region add MSK --name "Москва" --tz Europe/Moscow

## Whitelist management (admins)

users-title = Пользователи: { $count }. Выберите пользователя или добавьте нового.
users-page = Страница { $page } из { $pages }
users-add = ➕ Добавить
users-back = « К списку
users-prev = ‹ Назад
users-next = Далее ›
users-card =
    <b>{ $name }</b>
    Telegram ID: <code>{ $id }</code>
    Роль: { $role }
    Подразделение: { $region }
    Статус: { $status }
users-change-role = Изменить роль
users-change-region = Изменить подразделение
users-disable = Отключить
users-enable = Включить
users-ask-id = Введите Telegram ID нового пользователя — число, например 123456789. Прервать — /cancel.
users-ask-name = Введите ФИО пользователя, например «Петрова Анна Сергеевна».
users-ask-role = Сотрудник: { $name }. Выберите роль:
users-ask-region = Сотрудник: { $name }. Выберите подразделение:
users-confirm =
    Проверьте данные:
    <b>{ $name }</b>
    Telegram ID: <code>{ $id }</code>
    Роль: { $role }
    Подразделение: { $region }
users-save = ✅ Сохранить
users-cancel = Отмена
users-added = Пользователь { $name } добавлен. Попросите сотрудника отправить боту команду /start.
users-disabled = Пользователь { $name } отключён.
users-enabled = Пользователь { $name } снова активен.
users-placement-changed = Пользователь { $name }: роль — { $role }, подразделение — { $region }.

## Requests for access

access-request-button = Запросить доступ
access-request-sent = Запрос отправлен администратору. Мы сообщим о решении.
access-request-repeat = Запрос уже отправлен. Повторить его можно через сутки.
access-request-admin =
    Запрос доступа к боту:
    { $name } { $username }
    Telegram ID: <code>{ $id }</code>
access-request-approve = ✅ Одобрить
access-request-reject = ❌ Отклонить
access-request-decided = Этот запрос уже рассмотрен.
access-request-rejected-admin = Запрос от { $name } отклонён.
access-granted = Доступ к боту открыт. Нажмите /start, чтобы начать работу.
access-denied = К сожалению, в доступе к боту отказано.

## Prospects: words

status-new = новый
status-in_talks = в работе
status-interested = заинтересован
status-handed_off = передан в кредитный отдел
status-client = клиент
status-declined = отказ
status-archived = в архиве
product-credit = кредит
product-leasing = лизинг
product-guarantee = гарантия
product-deposit = депозит
product-settlement = РКО
product-payroll = зарплатный проект
product-acquiring = эквайринг
product-fx = ВЭД
kind-call = звонок
kind-meeting = встреча
kind-email = e-mail
kind-messenger = мессенджер
kind-other = другое
outcome-positive = положительный
outcome-neutral = нейтральный
outcome-negative = отрицательный
outcome-no_answer = не удалось связаться
field-name = Название
field-inn = ИНН
field-kpp = КПП
field-ogrn = ОГРН
field-industry = Отрасль
field-city = Город
field-contact = Контактное лицо
field-position = Должность
field-phone = Телефон
field-email = E-mail
field-products = Продукты
none-yet = нет

cmd-new = Новая компания
cmd-find = Поиск по базе
cmd-card = Карточка по номеру или ИНН
cmd-my = Мои компании
cmd-log = Записать контакт
menu-new = ➕ Новая компания
menu-find = 🔎 Поиск
menu-my = 📋 Мои компании
menu-log = ✍️ Записать контакт

## Registering a prospect

new-ask-name = Введите название компании, например ООО «Ромашка». Прервать — /cancel.
new-ask-inn = Введите ИНН: 10 цифр для организации или 12 — для ИП.
new-ask-kpp = Введите КПП (9 символов).
new-ask-ogrn = Введите ОГРН (13 цифр) или ОГРНИП (15 цифр).
new-ask-industry = Укажите отрасль, например «Оптовая торговля».
new-ask-city = Укажите город.
new-ask-contact = Укажите контактное лицо: фамилию, имя и отчество.
new-ask-position = Укажите должность контактного лица.
new-ask-phone = Укажите телефон, например 8 999 123-45-67 (можно с добавочным: доб. 234).
new-ask-email = Укажите e-mail.
new-ask-products = Отметьте продукты, которые интересны компании, и нажмите «Готово».
new-skip = Пропустить
new-done = Готово
new-save = ✅ Сохранить
new-change = ✏️ Изменить поле
new-cancel = Отмена
new-save-anyway = Всё равно сохранить
new-confirm-title = Проверьте данные перед сохранением:
new-choose-field = Какое поле изменить?
new-saved = Карточка компании сохранена.
new-inn-here = Компания с этим ИНН уже есть в базе подразделения — откройте её карточку:
new-inn-elsewhere = Компанию с ИНН { $inn } уже ведёт подразделение «{ $division }», ответственный — { $owner }. Повторная регистрация не требуется.
new-look-alikes = Похожие карточки в вашем подразделении (совпадает телефон или название). Откройте нужную или сохраните новую:
err-inn = ИНН — 10 цифр для организации или 12 для ИП, с верными контрольными цифрами.
err-inn-check-digit = В ИНН не сходится контрольная цифра — вероятно, опечатка. Проверьте номер и введите его ещё раз.
err-kpp = КПП — 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры. Указывается только для организаций.
err-ogrn = ОГРН — 13 цифр, ОГРНИП — 15, с верной контрольной цифрой.
err-ogrnip-expected = У индивидуального предпринимателя (ИНН из 12 цифр) — ОГРНИП из 15 цифр, а введён ОГРН организации из 13 цифр. Проверьте номер.
err-ogrn-expected = У организации (ИНН из 10 цифр) — ОГРН из 13 цифр, а введён ОГРНИП предпринимателя из 15 цифр. Проверьте номер.
err-phone = Телефон — российский номер, например 8 999 123-45-67 или +7 495 123-45-67 доб. 234, либо международный, начинающийся с «+» и кода страны.
err-email = E-mail указывается в виде name@example.ru.
err-company-name = Название — от 2 до 256 символов в одну строку.
err-short-text = Значение — от 1 до 128 символов в одну строку.
err-not-found = Карточка не найдена или недоступна вам.
err-not-allowed = Это действие с карточкой вам недоступно.
err-inn-taken = Компания с этим ИНН уже зарегистрирована.

## The contacts page (Mini App, SPEC §10)

contact-in-app = Контакт: в приложении
in-app = в приложении
app-contacts-button = 📇 Контакты
app-card-number = Карточка № { $id }
app-next = Следующий контакт
app-recent = Последние записи
app-refused-stale = Ссылка устарела — откройте карточку заново.
app-refused-access = Нет доступа к этой карточке.
app-refused-too-many = Слишком много просмотров за час. Попробуйте позже.
app-views-limit-notice = ⚠️ { $name } (ID { $id }) открыл(а) контакты клиентов более { $limit } раз за час. Дальнейшие просмотры до конца часа заблокированы.
app-refused-too-many-exports = Слишком много выгрузок за час. Попробуйте позже.
app-refused-no-draft = Черновик не найден — начните регистрацию заново (/new).
app-draft-untitled = Новая компания
app-draft-subtitle = Черновик: ещё не сохранён. Проверьте и вернитесь в чат.
app-exports-limit-notice = ⚠️ { $name } (ID { $id }) скачал(а) полную выгрузку с контактами более { $limit } раз за час. Дальнейшие выгрузки до конца часа заблокированы.
export-full-button = 📥 Полная выгрузка
export-full-hint = Контакты в файле скрыты. Полная выгрузка — по кнопке ниже, напрямую с сервера банка.

## Cards, search, my prospects

card-title = <b>{ $name }</b> · № { $id }
card-requisites = ИНН { $inn }
card-status = Статус: { $status }
card-owner = Ответственный: { $owner } · { $region }
card-next = Следующий контакт: { $when }
card-next-overdue = Следующий контакт: { $when } — ⚠️ просрочен
card-completeness = Заполненность карточки: { $percent } %
card-recent = Последние записи:
card-no-entries = Записей в дневнике пока нет.
card-collision = ⚠️ Последний контакт коллеги с компанией: { $who }, { $when }, результат: { $outcome }. Согласуйте дальнейшие действия с коллегой.
card-log = ✍️ Записать контакт
card-schedule = 📅 Назначить контакт
card-history = 📜 История
card-edit = ✏️ Изменить
card-open = Открыть карточку
card-full-entry = Полностью
card-clear = Очистить поле
card-ask-card = Укажите номер карточки или ИНН, например /card 12.
history-title = <b>{ $name }</b> — история контактов ({ $count }):
history-more = Ещё
find-ask = Что найти? Напишите часть названия, ИНН, телефон или фамилию контактного лица.
find-none = Ничего не найдено.
find-title = Найдено по запросу «{ $query }»:
list-next = след. контакт { $when }
list-next-overdue = ⚠️ контакт просрочен: { $when }
find-next = Далее ›
find-prev = ‹ Назад
my-title = Ваши компании — сначала просроченные и ближайшие контакты:
my-none = У вас пока нет компаний. Добавить — /new.
edit-ask = Новое значение поля «{ $field }»:
edit-saved = Изменения сохранены.
edit-products = Отметьте продукты и нажмите «Готово».

## Diary

log-ask-card = Укажите номер карточки или ИНН компании, например 12.
log-ask-kind = { $name }: как связывались?
log-ask-outcome = Результат контакта:
log-ask-summary = Кратко опишите, о чём договорились (до 4000 символов).
log-ask-products = Какие продукты обсуждали? Отметьте и нажмите «Готово».
log-ask-next = Когда следующий контакт? Выберите или напишите, например 25.12 15:30, завтра 10:00, через 3 дня.
log-quick-tomorrow = Завтра 10:00
log-quick-3days = Через 3 дня
log-quick-monday = В понедельник 10:00
log-quick-none = Без следующего контакта
log-calendar = 📅 Календарь
log-choose-day = { $name }: выберите день следующего контакта или напишите дату, например 25.12 15:30.
log-choose-time = { $name }, { $date }: выберите время или напишите его, например 15:30.
log-far = { $name }: следующий контакт { $when } — больше чем через год. Всё верно? Если нет, напишите другую дату или нажмите «Указать другую».
log-far-yes = ✅ Да, верно
log-far-again = ✏️ Указать другую
log-confirm =
    Проверьте запись:
    { $kind }, результат: { $outcome }
    { $summary }
    Продукты: { $products }
    Следующий контакт: { $next }
log-save = ✅ Записать
log-saved = Запись добавлена в дневник.
log-owner-told = Новая запись в дневнике по вашей компании { $name }: { $author }, { $kind }, результат: { $outcome }.
err-summary = Описание — от 1 до 4000 символов.
err-when = Не удалось распознать дату. Напишите, например: 25.12 15:30, 25.12.2026, завтра 10:00, послезавтра, через 3 дня.
err-in-the-past = Это время уже прошло. Укажите будущую дату.
schedule-ask = { $name }: когда связаться? Выберите или напишите, например 25.12 15:30.
schedule-saved = Следующий контакт назначен на { $when }.

## Reminders, /today, digests, delivery

reminder-cover = ↪️ Передано вам как руководителю. Ответственный — { $owner }: он больше не получает напоминаний по этому подразделению.
reminder-title = 🔔 Пора связаться: <b>{ $name }</b> (№ { $id })
reminder-contact = Контакт: { $contact }
reminder-agreed = Договорённость: { $agreed }
reminder-due = Срок: { $when }
reminder-late = ⏰ Напоминание пришло с опозданием на { $late }.
reminder-snooze = ⏰ Через час
reminder-tomorrow = 📅 Завтра 10:00
reminder-moved = Перенесено на { $when }.
when-moved = Перенесено на { $when } — { $reason ->
    [holiday] праздничные дни.
   *[weekend] выходной день.
}
late-minutes = { $count ->
    [one] { $count } минуту
    [few] { $count } минуты
   *[many] { $count } минут
}
late-hours = { $count ->
    [one] { $count } час
    [few] { $count } часа
   *[many] { $count } часов
}
cmd-today = Контакты на сегодня
menu-today = 📅 На сегодня
today-title = Контакты на сегодня и просроченные:
today-none = На сегодня контактов нет, просроченных тоже.
today-overdue = просрочено
digest-title = Доброе утро! Контактов на сегодня: { $today }, просроченных: { $overdue }.
digest-more = Полный список — /today.
unreachable-manager = Сотрудник { $name } заблокировал бота и не получает напоминаний. Пожалуйста, свяжитесь с ним.

## Hand-offs to the credit officers
cmd-handoffs = Заявки в кредитный отдел
menu-handoffs = 📨 Заявки
cmd-routes = Маршруты заявок
menu-routes = 🔀 Маршруты
card-hand-off = 📨 Передать в кредитный отдел
card-handoffs = Заявки в кредитный отдел:
handoff-state-pending = ждёт решения
handoff-state-accepted = в работе
handoff-state-declined = отклонена
handoff-state-won = сделка состоялась
handoff-state-lost = сделка не состоялась
handoff-state-expired = срок истёк
lead-sole-proprietor = Индивидуальный предприниматель
lead-hidden = [скрыто]
lead-title = 📨 <b>Заявка № { $id }</b>: { $product }
lead-company = { $name }, ИНН { $inn }
lead-facts = Сумма: { $amount } · срок: { $term } · срочность: { $urgency }
lead-fact-unknown = не указано
lead-amount-lt5 = до 5 млн ₽
lead-amount-5-30 = 5–30 млн ₽
lead-amount-30-100 = 30–100 млн ₽
lead-amount-gt100 = свыше 100 млн ₽
lead-amount-none = не обсуждали
lead-term-lt1 = до 1 года
lead-term-1-3 = 1–3 года
lead-term-gt3 = свыше 3 лет
lead-term-none = не обсуждали
lead-urgency-urgent = срочно
lead-urgency-month = в течение месяца
lead-urgency-later = не срочно
lead-from = Специалист: { $who }, { $region }, { $when }. Карточка № { $card }
lead-taken = ✅ Взята в работу: { $who }, { $when }
lead-declined = ❌ Отклонена: { $who }, { $when }. Причина: { $reason }
lead-declined-public = ❌ Отклонена: { $who }, { $when }
lead-won = 🏆 Сделка состоялась: { $who }, { $when }
lead-lost = Сделка не состоялась: { $who }, { $when }. Причина: { $reason }
lead-lost-public = Сделка не состоялась: { $who }, { $when }
lead-expired = ⌛ Срок заявки истёк { $when }: её никто не взял. Компанию можно передать снова.
lead-moved = 🔀 Компания передана в подразделение «{ $region }». Заявка ушла в его кредитный отдел.
lead-moved-closed = 🔀 Компания передана в подразделение «{ $region }». Заявка закрыта: там этот продукт не направляется в кредитный отдел.
lead-take = ✅ Взять
lead-decline = ❌ Отклонить
lead-won-button = 🏆 Сделка состоялась
lead-lost-button = Сделка не состоялась
lead-reminder = ⏰ Заявка № { $id } ({ $name }, { $product }) ждёт решения уже { $hours ->
    [one] { $hours } час
    [few] { $hours } часа
   *[many] { $hours } часов
}. Возьмите её в работу или отклоните, пожалуйста.
lead-overdue = ⚠️ Заявка № { $id } по компании { $name } ({ $product }, специалист { $who }) уже { $hours ->
    [one] { $hours } час
    [few] { $hours } часа
   *[many] { $hours } часов
} не взята в работу.
lead-undelivered = ⚠️ Заявку № { $id } ({ $name }, { $product }) не удалось отправить в чат кредитного отдела { $chat }: бот не может туда писать. Заявка закрыта; сообщите администратору, чтобы он проверил маршрут (/routes), и передайте компанию снова.
handoff-news = Заявка № { $id }: { $name }, { $product }.
handoff-show = Заявка № { $id }
handoff-line = № { $id } · { $name } · { $product } · { $state } · { $when }
handoff-state = Состояние: { $state }
handoff-made = 📨 Компания { $name } передана в кредитный отдел: { $product }, заявка № { $id }. О решении сообщу здесь.
handoff-facts-intro = 📨 Заявка № { $id } в кредитный отдел: { $name }, { $product }. В чат отдела уйдут только сведения, выбранные кнопками, без текста записей. Если не ответить за { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
   *[many] { $minutes } минут
}, заявка уйдёт с тем, что выбрано.
handoff-picked-amount = Сумма: { $value }
handoff-picked-term = Срок: { $value }
handoff-ask-amount = <b>Какую сумму обсуждали?</b>
handoff-ask-term = <b>На какой срок?</b>
handoff-ask-urgency = <b>Насколько срочно это клиенту?</b>
handoff-send-now = Отправить без уточнений
handoff-facts-posted = Заявка № { $id } уже в чате кредитного отдела — с тем, что было выбрано.
handoff-sent-as-is = Заявка № { $id } отправлена в кредитный отдел с тем, что было выбрано.
handoffs-none = Заявок пока нет.
handoffs-mine = Мои заявки в кредитный отдел:
handoffs-queue = Заявки подразделения:
handoff-not-allowed = Эта кнопка — для кредитных инспекторов и руководителя подразделения.
handoff-no-route = Для этого продукта в вашем подразделении передача не настроена. Обратитесь к администратору.
handoff-already-open = По этому продукту уже есть открытая заявка.
handoff-nothing-to-offer = Передать нельзя: маршруты не настроены или по всем продуктам уже есть открытые заявки.
handoff-choose = По какому продукту передать компанию { $name }?
handoff-yours = Заявка № { $id } закреплена за вами, карточка клиента — выше. Когда будет результат, отметьте его:
handoff-taken-toast = Заявка закреплена за вами. Карточка — в личном чате.
handoff-taken-open-chat = Заявка закреплена за вами. Чтобы получить карточку, откройте личный чат с ботом и отправьте /start: заявка будет в /handoffs.
handoff-open-chat = Откройте личный чат с ботом, отправьте /start и нажмите эту кнопку ещё раз.
handoff-decline-ask = Почему отклоняете заявку № { $id } ({ $name })? Выберите причину или напишите свою.
handoff-lost-ask = Почему сделка по заявке № { $id } ({ $name }) не состоялась? Выберите причину или напишите свою.
handoff-reason-cancelled = Отменено: заявка № { $id } осталась без изменений.
handoff-reason-in-private = Укажите причину в личном чате с ботом.
handoff-reason-length = Напишите причину коротко, до 500 символов.
handoff-settled = Заявка № { $id }: решение сохранено.
reason-not-profile = Не наш профиль
reason-risk = Не проходит по рискам
reason-documents = Не хватает документов
reason-not-ready = Клиент пока не готов
reason-client-refused = Клиент отказался
reason-competitor = Клиент выбрал другой банк
routes-usage = Задать маршрут: /routes set КОД ПРОДУКТ ID_ЧАТА, например /routes set MSK credit -1001234567890. Продукты: { $products }. Бот должен быть участником чата.
routes-none = Маршрутов пока нет.
routes-title = Маршруты заявок:
routes-line = { $region } · { $product } → { $chat }
routes-bad-region = Подразделения с кодом «{ $region }» нет.
routes-bad-chat = ID чата — отрицательное число, например -1001234567890.
routes-unreachable = Бот не видит чат { $chat }. Добавьте бота в группу и повторите.
routes-not-group = Чат { $chat } — не группа. Заявки передаются в групповой чат кредитного отдела.
routes-saved = Маршрут сохранён: { $region } · { $product } → «{ $title }» ({ $chat }).
## Reports (/report, /quality), the audit trail (/audit), export (/export)

cmd-report = Отчёт о работе за период
cmd-quality = Качество данных
cmd-audit = Журнал действий с карточкой
cmd-export = Выгрузка компаний в Excel
menu-report = 📊 Отчёт
menu-quality = 🧹 Качество данных
report-err-unreadable = Не удалось распознать период. Укажите: week (текущая неделя), month (текущий месяц), месяц в виде 2026-11 или две даты: 01.11.2026 15.11.2026.
report-err-reversed = Дата окончания раньше даты начала. Укажите период так: 01.11.2026 15.11.2026.
report-err-too-long = Период не может быть длиннее 366 дней. Пожалуйста, сократите его.
report-scope = Подразделение: { $name }
report-scope-all = все подразделения
report-totals = 📊 <b>Отчёт о работе за { $period }</b>
    Новых компаний: { $new }
    Контактов: { $contacts } (звонки { $call }, встречи { $meeting }, e-mail { $email }, мессенджеры { $messenger }, другое { $other })
    Положительных: { $positive }
    Передано в кредитный отдел: { $sent }, взято в работу: { $taken }, выиграно: { $won }
    Просрочено контактов сейчас: { $overdue }
report-by-person = <b>По специалистам:</b>
report-by-region = <b>По подразделениям:</b>
report-row = • { $name } — новых { $new }, контактов { $contacts }, положительных { $positive }, передано { $sent }, просрочено { $overdue }
report-more-rows = …и ещё { $count ->
    [one] { $count } строка
    [few] { $count } строки
   *[many] { $count } строк
} — полностью в файле.
report-caption = Отчёт о работе за { $period }
report-chart-title = Контакты за { $period }
report-chart-others = Остальные
report-building = Готовлю отчёт, это займёт немного времени…
report-sheet-summary = Сводка
report-sheet-regions = По подразделениям
report-sheet-people = По специалистам
report-sheet-entries = Записи дневника
report-sheet-handoffs = Передачи
report-col-measure = Показатель
report-col-value = Значение
report-col-period = Период
report-col-scope = Подразделение
report-col-generated = Сформирован
report-col-new = Новые компании
report-col-call = Звонки
report-col-meeting = Встречи
report-col-email = E-mail
report-col-messenger = Мессенджеры
report-col-other = Другое
report-col-contacts = Контакты
report-col-positive = Положительные
report-col-sent = Передано
report-col-taken = Взято в работу
report-col-won = Выиграно
report-col-overdue = Просрочено сейчас
report-col-region = Подразделение
report-col-specialist = Специалист
report-col-when = Дата и время
report-col-company = Компания
report-col-inn = ИНН
report-col-kind = Вид
report-col-outcome = Результат
report-col-summary = Содержание
report-col-sent-at = Передано
report-col-product = Продукт
report-col-state = Состояние
report-col-taken-by = Взял в работу
report-col-taken-at = Взято
report-col-closed-at = Закрыто
report-col-listed = Записей в файле
report-col-cut = Записей больше, чем вмещает лист Excel: показаны первые.
report-hstate-pending = ожидает
report-hstate-accepted = в работе
report-hstate-declined = отклонено
report-hstate-won = выиграно
report-hstate-lost = проиграно
report-hstate-expired = истекло
report-weekly = 📅 Еженедельный отчёт
quality-title = 🧹 <b>Качество данных на { $date }</b>
quality-totals = Карточек: { $cards }, средняя полнота { $completeness } %
    Заполнено: ИНН { $inn } %, контактное лицо { $contact } %, телефон { $phone } %, e-mail { $email } %, отрасль { $industry } %, следующий контакт { $next } %
    Без контакта 30 дней: { $stale }, просрочено контактов: { $overdue }
quality-by-person = <b>По специалистам (лучшие сверху):</b>
quality-by-region = <b>По подразделениям (лучшие сверху):</b>
quality-row = • { $name } — карточек { $cards }, полнота { $completeness } %, без контакта { $stale }, просрочено { $overdue }
quality-chart-title = Средняя полнота карточек на { $date }
quality-col-completeness = Полнота, %
audit-usage = Укажите номер карточки или ИНН, например: /audit 42
audit-title = 🔎 Журнал карточки <b>{ $name }</b> (№ { $id }), записей: { $total }
audit-empty = По этой карточке записей в журнале нет.
audit-line = { $when } — { $who }: { $what }
audit-page = Стр. { $page } из { $pages }
audit-prev = ◀️ Назад
audit-next = Вперёд ▶️
audit-someone = оператор
audit-action-prospect_created = создал карточку
audit-action-card_viewed = открыл карточку
audit-action-contacts_viewed = открыл контакты в приложении
audit-action-card_edited = изменил карточку
audit-action-card_reassigned = передал карточку другому сотруднику
audit-action-entry_logged = записал контакт
audit-action-contact_scheduled = назначил контакт
audit-action-audit_viewed = просмотрел журнал карточки
audit-action-exported = выгрузил данные
audit-action-handed_off = передал в кредитный отдел
audit-action-handoff_taken = взял заявку в работу
audit-action-handoff_declined = отклонил заявку
audit-action-handoff_closed = закрыл заявку
export-choose = Какое подразделение выгрузить?
export-all = Все подразделения
export-caption = Компании: { $scope }, { $count ->
    [one] { $count } карточка
    [few] { $count } карточки
   *[many] { $count } карточек
}
export-sheet = Компании
export-col-id = №
export-col-owner = Ответственный
export-col-created = Создана
export-col-updated = Изменена
export-col-next = Следующий контакт
export-not-allowed = Выгрузка этого подразделения вам недоступна.
file-too-large = Файл получился больше 50 МБ, Telegram такой не примет. Выберите период короче или одно подразделение.

## The diary listing built in the background («Выгрузить все записи»)

report-col-listed-apart = отдельным файлом: кнопка «Выгрузить все записи»
listing-offer = Записи дневника за этот период ({ $count }) не вошли в файл с цифрами, чтобы он пришёл быстрее. Их можно выгрузить отдельным файлом.
listing-button = Выгрузить все записи
listing-progress = ⏳ Готовлю файл: { $percent } %
listing-busy = Файл с записями уже готовится. Дождитесь его, пожалуйста, или отмените командой /cancel.
listing-not-allowed = Выгрузка записей этого подразделения вам недоступна.
listing-empty = За этот период записей в дневнике нет.
listing-cancelled = Выгрузка записей отменена.
listing-failed = Не удалось подготовить файл с записями. Пожалуйста, попробуйте позже.
listing-done = ✅ Готово: { $count ->
    [one] { $count } запись
    [few] { $count } записи
   *[many] { $count } записей
} в { $files ->
    [one] { $files } файле
   *[other] { $files } файлах
}.
listing-caption = Записи дневника за { $period } — { $scope }{ $part ->
    [0] {""}
   *[other] , часть { $part }
}: { $count ->
    [one] { $count } запись
    [few] { $count } записи
   *[many] { $count } записей
}
listing-file-part = часть

## Import and export of the base (the error workbook, the preview)
import-err-field = { $field }: { $reason }
import-err-check-digit = { $field }: неверная контрольная цифра
import-err-phone-digits = { $field }: { $count } { $count ->
    [one] цифра
    [few] цифры
   *[many] цифр
} вместо 10
import-err-missing = { $field }: не заполнено
import-err-product = продукты: неизвестный продукт «{ $word }»
import-err-status = статус: неизвестный статус «{ $word }»
import-err-date = следующий контакт: «{ $text }» — не дата; нужно ДД.ММ.ГГГГ или ДД.ММ.ГГГГ ЧЧ:ММ
import-err-comment = комментарий: не длиннее 1000 символов
import-err-owner = ответственный { $owner } не найден
import-err-owner-elsewhere = ответственный { $owner } не ведёт клиентов подразделения «{ $division }»
import-err-no-owner = не указан ответственный
import-err-division = подразделение { $division } не найдено
import-err-no-division = не указано подразделение
import-err-not-your-division = подразделение «{ $division }»: вы загружаете клиентов только своего подразделения
import-err-inn-elsewhere = ИНН: компанию уже ведёт подразделение «{ $division }»
import-err-inn-repeated = ИНН повторяет строку { $line }
import-err-phone-repeated = телефон повторяет строку { $line }
import-err-phone-taken = телефон уже указан у компании «{ $name }» (карточка { $card })
import-err-user-id = Telegram ID «{ $text }» — не положительное целое число
import-err-role = роль «{ $role }» не найдена; роли: specialist, credit_officer, manager, head_office, admin
import-err-placement = { $reason }
import-err-user-repeated = Telegram ID повторяет строку { $line }
import-sheet-errors = Ошибки
import-sheet-similar = Похожие названия
import-sheet-base = Клиенты
import-sheet-diary = Дневник
import-col-error = Ошибка
import-col-line = Строка
import-col-company = Компания
import-col-similar = Похожая в базе
import-col-card = Карточка
import-preview = { $rows_text } { $rows ->
    [one] строка
    [few] строки
   *[many] строк
}: { $new_text } { $new ->
    [one] новая
    [few] новые
   *[many] новых
}, { $existing_text } уже в базе (будут пропущены), { $rejected_text } с ошибками
import-preview-update = { $rows_text } { $rows ->
    [one] строка
    [few] строки
   *[many] строк
}: { $new_text } { $new ->
    [one] новая
    [few] новые
   *[many] новых
}, { $existing_text } уже в базе (будут обновлены), { $rejected_text } с ошибками
import-file-not-spreadsheet = Это не таблица. Сохраните файл в формате .xlsx или .csv и отправьте ещё раз. Ничего не сохранено.
import-file-old-excel = Это файл старого формата .xls. Сохраните его как .xlsx («Файл → Сохранить как») и отправьте ещё раз. Ничего не сохранено.
import-file-empty = Файл пустой. Ничего не сохранено.
import-file-no-header = В первых { $rows } строках нет заголовков столбцов. Назовите столбцы, например: Наименование, ИНН, Телефон. Ничего не сохранено.
import-file-missing-columns = Нет обязательных столбцов: { $columns }. Ничего не сохранено.
import-file-password = Файл защищён паролем. Сохраните его без пароля и отправьте ещё раз. Ничего не сохранено.
import-file-formula = В ячейке { $cell } формула. Вставьте вместо формул значения («Специальная вставка → Значения») и отправьте файл ещё раз. Ничего не сохранено.
import-file-merged = Ячейки { $range } объединены. Разъедините их и отправьте файл ещё раз. Ничего не сохранено.
import-file-unreadable = Файл не удалось прочитать ({ $why }). Ничего не сохранено.
import-not-allowed = Загружать базу клиентов могут руководители подразделений и головной офис. Пожалуйста, передайте файл руководителю.
import-use-cli = Файлы с клиентами не передаются через Telegram: в них персональные данные. Файл я не открывал. Пожалуйста, передайте его администратору: он загрузит его командой prospect-diary import prospects.
import-too-large = Файл больше 20 МБ — Telegram не даёт ботам скачивать такие файлы. Пожалуйста, передайте его администратору: он загрузит его командой prospect-diary import prospects.
import-unknown-columns = Не учтены столбцы: { $columns }.
import-similar = Похожие названия уже есть в базе: { $count_text } — список в файле ошибок. Такие строки тоже будут загружены.
import-nothing = Загружать нечего.
import-button-save = Загрузить
import-button-cancel = Отмена
import-errors-caption = Строки с ошибками и их причины.
import-saved = Загружено: { $created_text } { $created ->
    [one] карточка
    [few] карточки
   *[many] карточек
}.
import-cancelled = Загрузка отменена, ничего не сохранено.
import-use-page = Файлы с клиентами не передаются через Telegram: в них персональные данные. Файл я не открывал. Загрузите его на странице приложения — она откроется по кнопке ниже, файл уйдёт прямо в банк.
import-page-button = 📤 Загрузить файл
## Moving cards between people (SPEC §2)
card-reassign = 👥 Передать другому
move-ask-person = Кому передать карточку { $name }? Сейчас её ведёт { $owner }. Вместе с карточкой перейдут запланированные контакты, записи дневника останутся за их авторами.
move-ask-division = В какое подразделение передать карточку { $name }?
move-nobody = В подразделении нет других активных сотрудников, которым можно передать карточку { $name }.
move-back = ← К карточке
move-done = Карточка { $name } передана. Теперь её ведёт { $owner }.
move-changed = Карточки уже переданы или изменились, ничего не сделано. Откройте их заново.
move-bad-owner = Этому сотруднику передать карточки нельзя: нужен активный специалист или руководитель того же подразделения.
move-nobody-to-spread = В подразделении нет других активных специалистов, между которыми можно распределить карточки.
move-holds-work = За сотрудником ещё числятся: { $cards ->
    [one] { $cards } карточка
    [few] { $cards } карточки
   *[many] { $cards } карточек
}, запланированных контактов — { $followups }, взятых заявок — { $leads }. Сначала передайте их коллеге («Передать все карточки») или отключите с передачей.
card-moved-to-you = Вам передана карточка { $name } (№ { $id }). Прежний ответственный — { $from }.
card-moved-away = Карточка { $name } (№ { $id }) передана коллеге. Теперь её ведёт { $to }.
portfolio-moved-to-you = Вам переданы карточки сотрудника { $from }: { $cards ->
    [one] { $cards } карточка
    [few] { $cards } карточки
   *[many] { $cards } карточек
}, запланированных контактов — { $followups }. Они уже в «Мои компании».
portfolio-moved-away = Ваши карточки переданы коллеге { $to }: { $cards ->
    [one] { $cards } карточка
    [few] { $cards } карточки
   *[many] { $cards } карточек
}, запланированных контактов — { $followups }.
portfolio-button = 📦 Передать все карточки
portfolio-spread = ⚖️ Распределить поровну между специалистами
portfolio-ask = Кому передать карточки сотрудника { $name }? Карточек: { $cards }, запланированных контактов: { $followups }.
portfolio-preview = Проверьте, как будут переданы карточки сотрудника { $name }:
portfolio-share = • { $name }: { $cards ->
    [one] { $cards } карточка
    [few] { $cards } карточки
   *[many] { $cards } карточек
}, запланированных контактов — { $followups }
portfolio-confirm = ✅ Подтвердить
portfolio-nothing = Передавать нечего: карточек у сотрудника нет.
portfolio-done = Карточки переданы: { $cards }.
portfolio-disable-to = Передать всё и отключить: { $name }
portfolio-disable-anyway = Отключить и вернуть заявки в очередь
reminder-away = ↪️ За { $owner }: на время отпуска коллеги напоминания приходят вам.
notice-away = ↪️ За { $owner } (коллега в отпуске):
away-bad-dates = Отпуск не может закончиться раньше, чем начался. Проверьте даты.
away-bad-cover = Замещать может только активный сотрудник того же подразделения.
leave-button = 🌴 Отпуск
leave-ask-dates = Напишите первый и последний день отпуска сотрудника { $name }, например: 01.12.2026 12.12.2026. Прервать — /cancel.
leave-bad-dates = Не удалось прочитать даты: нужны две даты в виде ДД.ММ.ГГГГ.
leave-ask-cover = Кто замещает сотрудника { $name } с { $from } по { $to }? На это время ему будут приходить напоминания и уведомления коллеги.
leave-done = Отпуск отмечен: с { $from } по { $to }, замещает { $cover }.
users-title-division = Сотрудники подразделения { $region }: { $count }. Выберите сотрудника.
users-card-away = 🌴 В отпуске по { $to }, замещает { $cover }.
leave-end-button = ✅ Завершить отпуск
leave-ended = Отпуск сотрудника { $name } завершён досрочно (был отмечен по { $to }). С сегодняшнего дня напоминания и уведомления снова приходят сотруднику, а не замещающему коллеге.
leave-not-away = Сотрудник сегодня не в отпуске: завершать нечего.
