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
    [one] { $count } проспект
    [few] { $count } проспекта
   *[many] { $count } проспектов
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
cmd-users = Управление пользователями
cmd-lang = Сменить язык
cmd-cancel = Прервать текущее действие

## Language

lang-choose = Выберите язык:
lang-set = Язык интерфейса: русский.

## Cancel and fallbacks

cancel-done = Действие отменено.
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
