-- Hand-off routing (SPEC §6): which chat gets a division's interested companies, per product.
CREATE TABLE routes (
    region_code TEXT NOT NULL REFERENCES regions (code),
    product     TEXT NOT NULL
        CHECK (product IN ('credit', 'leasing', 'guarantee', 'deposit', 'settlement', 'payroll', 'acquiring', 'fx')),
    chat_id     BIGINT NOT NULL,
    updated_by  BIGINT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (region_code, product)
);
CREATE INDEX routes_chat ON routes (chat_id);
