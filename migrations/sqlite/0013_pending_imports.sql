-- A file sent to the bot for import, kept until its sender presses «Загрузить» or «Отмена»: the
-- press is checked against this row (not the process's memory), so it survives a restart, and
-- claiming it is one UPDATE, so a repeated or forged press saves the file once.
CREATE TABLE pending_imports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (telegram_id),
    file_name  TEXT NOT NULL,
    content    BLOB NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'saving', 'saved', 'cancelled')),
    created_at BIGINT NOT NULL
);
