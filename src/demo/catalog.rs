//! What the demo knows: its people, two divisions in different zones, and fifty companies a
//! bank's client-acquisition staff could meet, with what was said to them.
//!
//! Names are «Фамилия Имя Отчество»; every requisite is valid with its check digits (a
//! company's INN has 10 digits and its OGRN 13, a sole proprietor's INN 12 and OGRNIP 15).

use chrono_tz::Tz;

use crate::domain::access::Role;
use crate::domain::diary::{Kind, Outcome};
use crate::domain::prospect::Product;
use crate::domain::prospect::Product::{
    Acquiring, Credit, Deposit, Fx, Guarantee, Leasing, Payroll, Settlement,
};
use crate::domain::requisites::{INN10_WEIGHTS, INN12_WEIGHTS_1, INN12_WEIGHTS_2};

/// The Moscow credit officers' group chat, where the division's leads go.
pub const CREDIT_CHAT: i64 = -1_001_000_000_001;
pub const CREDIT_CHAT_TITLE: &str = "Кредитный отдел · Москва";
/// What Moscow hands off to it.
pub(super) const CREDIT_PRODUCTS: &[Product] = &[Product::Credit, Product::Leasing, Product::Guarantee];

/// One of the demo's people.
pub struct Person {
    pub id: i64,
    pub name: &'static str,
    pub role: Role,
    pub region: Option<&'static str>,
    /// The short names `:as` accepts; the first also names the files saved from their chat.
    pub keys: &'static [&'static str],
}

const fn person_of(
    id: i64,
    name: &'static str,
    role: Role,
    region: Option<&'static str>,
    keys: &'static [&'static str],
) -> Person {
    Person { id, name, role, region, keys }
}

#[rustfmt::skip]
pub const PEOPLE: &[Person] = &[
    person_of(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK"), &["anna", "specialist", "анна"]),
    person_of(1003, "Орлов Борис Андреевич", Role::Specialist, Some("MSK"), &["boris", "борис"]),
    person_of(2001, "Ким Олег Вячеславович", Role::Specialist, Some("VVO"), &["oleg", "олег"]),
    person_of(1009, "Смирнова Ольга Викторовна", Role::Manager, Some("MSK"), &["olga", "manager", "ольга"]),
    person_of(1010, "Лебедев Кирилл Игоревич", Role::CreditOfficer, Some("MSK"), &["kirill", "credit_officer", "officer", "кирилл"]),
    person_of(3001, "Волкова Дарья Михайловна", Role::HeadOffice, None, &["darya", "head_office", "дарья"]),
    person_of(9001, "Захарова Ирина Павловна", Role::Admin, None, &["irina", "admin", "ирина"]),
];

/// A division, the specialists who own its companies in turn, and its phones' codes.
pub(super) struct Division {
    pub code: &'static str,
    pub name: &'static str,
    pub tz: Tz,
    pub specialists: &'static [i64],
    pub mobile_codes: &'static [&'static str],
    pub office_code: &'static str,
}

#[rustfmt::skip]
pub(super) const MOSCOW: Division = Division {
    code: "MSK", name: "Москва", tz: chrono_tz::Europe::Moscow, specialists: &[1001, 1003],
    mobile_codes: &["903", "905", "909", "915", "916", "925", "926", "977", "985", "999"], office_code: "495",
};
#[rustfmt::skip]
pub(super) const VLADIVOSTOK: Division = Division {
    code: "VVO", name: "Владивосток", tz: chrono_tz::Asia::Vladivostok, specialists: &[2001],
    mobile_codes: &["902", "908", "914", "924", "984"], office_code: "423",
};

/// A town: the tax offices that register its companies (the first four digits of their INN and
/// KPP) and its division.
pub(super) struct Town {
    pub name: &'static str,
    pub tax_offices: &'static [&'static str],
    pub division: &'static Division,
}

const fn town(name: &'static str, tax_offices: &'static [&'static str], division: &'static Division) -> Town {
    Town { name, tax_offices, division }
}

#[rustfmt::skip]
pub(super) const TOWNS: &[Town] = &[
    town("Москва", &["7701", "7704", "7705", "7709", "7713", "7714", "7718", "7722", "7728", "7743"], &MOSCOW),
    town("Зеленоград", &["7735"], &MOSCOW),
    town("Подольск", &["5036"], &MOSCOW),
    town("Химки", &["5047"], &MOSCOW),
    town("Мытищи", &["5029"], &MOSCOW),
    town("Балашиха", &["5001"], &MOSCOW),
    town("Серпухов", &["5043"], &MOSCOW),
    town("Электросталь", &["5053"], &MOSCOW),
    town("Дмитров", &["5007"], &MOSCOW),
    town("Одинцово", &["5032"], &MOSCOW),
    town("Ногинск", &["5031"], &MOSCOW),
    town("Люберцы", &["5027"], &MOSCOW),
    town("Королёв", &["5018"], &MOSCOW),
    town("Домодедово", &["5009"], &MOSCOW),
    town("Видное", &["5003"], &MOSCOW),
    town("Владивосток", &["2536", "2537", "2540", "2543"], &VLADIVOSTOK),
    town("Уссурийск", &["2511"], &VLADIVOSTOK),
    town("Находка", &["2508"], &VLADIVOSTOK),
    town("Артём", &["2502"], &VLADIVOSTOK),
    town("Большой Камень", &["2503"], &VLADIVOSTOK),
    town("Спасск-Дальний", &["2510"], &VLADIVOSTOK),
    town("Дальнереченск", &["2506"], &VLADIVOSTOK),
];

/// A company (or a sole proprietor, «ИП Фамилия Имя Отчество») as the demo knows it.
pub(super) struct Company {
    pub name: &'static str,
    pub industry: &'static str,
    pub town: &'static str,
    pub email: Option<&'static str>,
    pub products: &'static [Product],
}

const fn company(
    name: &'static str,
    industry: &'static str,
    town: &'static str,
    email: Option<&'static str>,
    products: &'static [Product],
) -> Company {
    Company { name, industry, town, email, products }
}

#[rustfmt::skip]
pub(super) const COMPANIES: &[Company] = &[
    company("ООО «Северный ветер»", "Оптовая торговля", "Москва", Some("fin@sevveter.ru"), &[Credit]),
    company("АО «Мосстройкомплект»", "Строительство", "Москва", Some("info@msk-komplekt.ru"), &[Guarantee, Credit]),
    company("ООО «ТехноПласт»", "Производство пластмассовых изделий", "Подольск", Some("buh@tehnoplast.ru"), &[Leasing]),
    company("ООО «Грин Лайн Логистик»", "Грузоперевозки", "Химки", Some("office@greenline-log.ru"), &[Leasing, Settlement]),
    company("ИП Ёлкин Сергей Петрович", "Розничная торговля", "Москва", Some("elkin.sp@yandex.ru"), &[Acquiring]),
    company("ООО «Фармация Плюс»", "Фармацевтика", "Москва", Some("zakaz@farmplus.ru"), &[Settlement, Payroll]),
    company("ПАО «Электромаш»", "Машиностроение", "Мытищи", Some("treasury@electromash.ru"), &[Credit, Fx]),
    company("ООО «Вкусный двор»", "Общественное питание", "Москва", None, &[Acquiring, Settlement]),
    company("ООО «Агроснаб»", "Сельское хозяйство", "Серпухов", Some("agrosnab@mail.ru"), &[Leasing]),
    company("АО «Инженерные системы»", "Инжиниринг", "Москва", Some("fin@ingsys.ru"), &[Guarantee]),
    company("ООО «МедЛайн Клиник»", "Медицина", "Зеленоград", Some("info@medline-clinic.ru"), &[Payroll]),
    company("ИП Мамедов Эльчин Гасан оглы", "Автосервис", "Балашиха", None, &[Settlement]),
    company("ООО «Кофейня на Покровке»", "Общественное питание", "Москва", Some("hello@pokrovka-coffee.ru"), &[Acquiring]),
    company("ООО «СтальПрофиль»", "Металлообработка", "Электросталь", Some("buh@stalprofil.ru"), &[Credit, Leasing]),
    company("ООО «Айти Решения»", "Информационные технологии", "Москва", Some("finance@it-resheniya.ru"), &[Payroll, Deposit]),
    company("АО «Подмосковные теплицы»", "Сельское хозяйство", "Дмитров", Some("info@teplicy-mo.ru"), &[Credit]),
    company("ООО «Строймонтаж-7»", "Строительство", "Одинцово", None, &[Guarantee]),
    company("ООО «Типография Формат»", "Полиграфия", "Москва", Some("office@format-print.ru"), &[Leasing]),
    company("ИП Соколова Марина Викторовна", "Бытовые услуги", "Москва", Some("marina.sokolova@mail.ru"), &[Acquiring]),
    company("ООО «Логос Консалт»", "Консалтинг", "Москва", Some("info@logos-consult.ru"), &[Settlement]),
    company("ООО «ЭкоВода»", "Производство напитков", "Ногинск", Some("sales@ecovoda.ru"), &[Credit, Settlement]),
    company("ООО «Автодеталь-Центр»", "Оптовая торговля", "Люберцы", Some("zakaz@avtodetal-c.ru"), &[Credit]),
    company("АО «Хлебозавод № 12»", "Пищевое производство", "Москва", Some("buh@hleb12.ru"), &[Payroll, Credit]),
    company("ООО «Дом мебели»", "Производство мебели", "Королёв", Some("info@dom-mebeli.ru"), &[Leasing]),
    company("ООО «Карго Экспресс»", "Логистика", "Домодедово", Some("fin@cargo-express.ru"), &[Fx, Settlement]),
    company("ИП Белов Андрей Николаевич", "Грузоперевозки", "Подольск", None, &[Leasing]),
    company("ООО «Клиника доктора Лаврова»", "Медицина", "Москва", Some("admin@lavrov-clinic.ru"), &[Acquiring, Payroll]),
    company("ООО «Энергосервис»", "Энергетика", "Москва", Some("office@energoservis.ru"), &[Guarantee, Credit]),
    company("ООО «Текстиль-Опт»", "Лёгкая промышленность", "Видное", None, &[Fx]),
    company("ООО «Учебный центр Знание»", "Образование", "Москва", Some("info@uc-znanie.ru"), &[Settlement]),
    company("ООО «Стройматериалы Видное»", "Оптовая торговля", "Видное", Some("sales@sm-vidnoe.ru"), &[Credit]),
    company("ООО «Цифровая касса»", "Информационные технологии", "Москва", Some("fin@cifrokassa.ru"), &[Deposit]),
    company("ООО «Химки Агрегат»", "Машиностроение", "Химки", Some("buh@himagregat.ru"), &[Leasing, Credit]),
    company("ООО «Чистый город»", "Клининг", "Мытищи", None, &[Payroll]),
    company("ООО «Приморский рыбокомбинат»", "Рыбопереработка", "Владивосток", Some("fin@primryba.ru"), &[Credit, Fx]),
    company("АО «Дальморпорт-Сервис»", "Портовые услуги", "Владивосток", Some("office@dmp-service.ru"), &[Guarantee]),
    company("ООО «Восток Авто Импорт»", "Торговля автомобилями", "Уссурийск", Some("info@vostok-auto.ru"), &[Fx, Credit]),
    company("ИП Ли Виктор Сергеевич", "Общественное питание", "Владивосток", None, &[Acquiring]),
    company("ООО «Тихоокеанская логистика»", "Логистика", "Находка", Some("buh@pacific-log.ru"), &[Leasing]),
    company("ООО «ДВ Стройинвест»", "Строительство", "Владивосток", Some("info@dvstroyinvest.ru"), &[Guarantee, Credit]),
    company("ООО «Приморская лесная компания»", "Лесозаготовка", "Дальнереченск", None, &[Leasing, Fx]),
    company("ООО «Морской гребешок»", "Аквакультура", "Находка", Some("info@grebeshok-dv.ru"), &[Credit]),
    company("ООО «Артёмовский хлеб»", "Пищевое производство", "Артём", Some("buh@artem-hleb.ru"), &[Payroll]),
    company("ООО «Русский остров Тур»", "Туризм", "Владивосток", Some("hello@ro-tour.ru"), &[Acquiring]),
    company("ИП Ткаченко Оксана Ивановна", "Розничная торговля", "Уссурийск", Some("tkachenko.oi@mail.ru"), &[Settlement]),
    company("ООО «ДальЭнергоМонтаж»", "Энергетика", "Владивосток", Some("fin@dalenergomontazh.ru"), &[Guarantee]),
    company("ООО «Золотой Рог Маркет»", "Розничная торговля", "Владивосток", Some("office@zrmarket.ru"), &[Acquiring, Credit]),
    company("ООО «Судоремонт-ДВ»", "Судоремонт", "Большой Камень", Some("info@sudoremont-dv.ru"), &[Credit, Leasing]),
    company("ООО «Агро Приморье»", "Сельское хозяйство", "Спасск-Дальний", None, &[Leasing]),
    company("ООО «Медцентр Океан»", "Медицина", "Владивосток", Some("admin@medocean.ru"), &[Payroll]),
];

/// Surnames in their masculine and feminine forms.
const SURNAMES: &[(&str, &str)] = &[
    ("Кузнецов", "Кузнецова"),
    ("Соколов", "Соколова"),
    ("Новиков", "Новикова"),
    ("Морозов", "Морозова"),
    ("Васильев", "Васильева"),
    ("Зайцев", "Зайцева"),
    ("Павлов", "Павлова"),
    ("Семёнов", "Семёнова"),
    ("Голубев", "Голубева"),
    ("Виноградов", "Виноградова"),
    ("Богданов", "Богданова"),
    ("Воробьёв", "Воробьёва"),
    ("Фёдоров", "Фёдорова"),
    ("Михайлов", "Михайлова"),
    ("Беляев", "Беляева"),
    ("Тарасов", "Тарасова"),
    ("Комаров", "Комарова"),
    ("Киселёв", "Киселёва"),
    ("Макаров", "Макарова"),
    ("Андреев", "Андреева"),
    ("Ковалёв", "Ковалёва"),
    ("Ильин", "Ильина"),
    ("Гусев", "Гусева"),
    ("Титов", "Титова"),
    ("Кудрявцев", "Кудрявцева"),
    ("Баранов", "Баранова"),
    ("Куликов", "Куликова"),
    ("Степанов", "Степанова"),
    ("Сорокин", "Сорокина"),
    ("Романов", "Романова"),
    ("Герасимов", "Герасимова"),
    ("Пономарёв", "Пономарёва"),
    ("Григорьев", "Григорьева"),
    ("Ковальский", "Ковальская"),
    ("Шевчук", "Шевчук"),
    ("Бондаренко", "Бондаренко"),
    ("Черных", "Черных"),
    ("Лазарев-Горский", "Лазарева-Горская"),
    ("Нестеров", "Нестерова"),
    ("Жуков", "Жукова"),
];
#[rustfmt::skip]
const MEN: &[&str] = &[
    "Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья",
    "Кирилл", "Михаил", "Никита", "Роман", "Евгений", "Владимир", "Павел",
];
#[rustfmt::skip]
const WOMEN: &[&str] = &[
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Анастасия",
    "Марина", "Екатерина", "Людмила", "Галина", "Виктория", "Ксения", "Вера",
];
/// Patronymics, as a son's and as a daughter's.
const PATRONYMICS: &[(&str, &str)] = &[
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"),
    ("Андреевич", "Андреевна"),
    ("Игоревич", "Игоревна"),
    ("Павлович", "Павловна"),
    ("Юрьевич", "Юрьевна"),
    ("Олегович", "Олеговна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Михайлович", "Михайловна"),
    ("Владимирович", "Владимировна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Анатольевич", "Анатольевна"),
    ("Геннадьевич", "Геннадьевна"),
];
pub(super) const POSITIONS: &[&str] = &[
    "Финансовый директор",
    "Генеральный директор",
    "Главный бухгалтер",
    "Коммерческий директор",
    "Заместитель директора по финансам",
    "Директор",
    "Казначей",
];

/// The `k`-th contact person: «Фамилия Имя Отчество», two in five of them women.
pub fn contact_name(k: usize) -> String {
    let woman = matches!(k % 5, 1 | 3);
    let (him, her) = SURNAMES[(k * 7) % SURNAMES.len()];
    let (son, daughter) = PATRONYMICS[(k * 4 + 3) % PATRONYMICS.len()];
    if woman {
        format!("{her} {} {daughter}", WOMEN[k % WOMEN.len()])
    } else {
        format!("{him} {} {son}", MEN[k % MEN.len()])
    }
}

fn digits(text: &str) -> Vec<u32> {
    text.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn check(body: &[u32], weights: &[u32]) -> u32 {
    body.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// A company's INN: the tax office, a five-digit number, the check digit.
pub fn company_inn(office: &str, number: u32) -> String {
    let body = format!("{office}{:05}", number % 100_000);
    format!("{body}{}", check(&digits(&body), &INN10_WEIGHTS))
}

/// A sole proprietor's INN: the tax office, a six-digit number, two check digits.
pub fn person_inn(office: &str, number: u32) -> String {
    let body = format!("{office}{:06}", number % 1_000_000);
    let first = check(&digits(&body), &INN12_WEIGHTS_1);
    let second = check(&digits(&format!("{body}{first}")), &INN12_WEIGHTS_2);
    format!("{body}{first}{second}")
}

/// An OGRN (13 digits, sign 1) or an OGRNIP (15 digits, sign 3) with its check digit.
pub fn ogrn(sole_proprietor: bool, year: u32, office: &str, number: u32) -> String {
    let (body, divisor) = if sole_proprietor {
        (format!("3{:02}{office}{:07}", year % 100, number % 10_000_000), 13)
    } else {
        (format!("1{:02}{office}{:05}", year % 100, number % 100_000), 11)
    };
    let value: u64 = body.parse().expect("digits");
    format!("{body}{}", value % divisor % 10)
}

/// What was discussed before: kind, outcome, products, summary.
#[rustfmt::skip]
pub(super) const HISTORY: &[(Kind, Outcome, &[Product], &str)] = &[
    (Kind::Call, Outcome::Neutral, &[],
        "Созвонились, рассказали о тарифах на расчётно-кассовое обслуживание. Попросили прислать предложение на почту."),
    (Kind::Email, Outcome::Neutral, &[Settlement],
        "Отправили коммерческое предложение и перечень документов для открытия счёта."),
    (Kind::Call, Outcome::NoAnswer, &[],
        "Не дозвонились: секретарь обещала передать, что звонили из банка."),
    (Kind::Meeting, Outcome::Positive, &[Credit],
        "Встреча в офисе клиента: нужна кредитная линия на пополнение оборотных средств, ориентир 30 млн ₽ на год."),
    (Kind::Meeting, Outcome::Neutral, &[],
        "Провели встречу с финансовой службой: сравнивают условия трёх банков, решение в течение месяца."),
    (Kind::Call, Outcome::Negative, &[],
        "Пока отказались: обслуживаются в другом банке по льготному тарифу до конца года."),
    (Kind::Messenger, Outcome::Neutral, &[Fx],
        "Уточнили объём валютной выручки и страны контрагентов для расчёта условий."),
    (Kind::Call, Outcome::Positive, &[Leasing],
        "Интересуются лизингом двух грузовиков, прислали спецификацию от дилера."),
    (Kind::Email, Outcome::Neutral, &[Payroll],
        "Направили расчёт стоимости зарплатного проекта на 120 сотрудников."),
    (Kind::Meeting, Outcome::Positive, &[Guarantee],
        "Обсудили банковскую гарантию для участия в тендере, сумма около 8 млн ₽."),
];

/// The last contact, with what was agreed for the next one.
#[rustfmt::skip]
pub(super) const AGREED: &[(Kind, Outcome, &str)] = &[
    (Kind::Call, Outcome::Neutral,
        "Договорились созвониться: клиент пришлёт отчётность за 9 месяцев."),
    (Kind::Meeting, Outcome::Positive,
        "Согласовали встречу с собственником, чтобы обсудить условия кредита."),
    (Kind::Email, Outcome::Neutral,
        "Ждём ответа по тарифам, обещали посмотреть предложение до конца недели."),
    (Kind::Call, Outcome::Positive,
        "Готовы открыть счёт: созвониться и назначить визит менеджера."),
    (Kind::Call, Outcome::NoAnswer,
        "Не ответили; перезвонить в удобное время, бухгалтерия работает с 10:00."),
];
