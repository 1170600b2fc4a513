//! Telegram's formatted-text parsers, as strict as the real ones: they accept what Telegram
//! accepts, reject what it rejects with its own error text, and measure the visible length.

/// Parses `text` in `parse_mode` and returns its visible text (tags removed, entities decoded).
/// The error is Telegram's description after "Bad Request: ".
pub fn visible_text(text: &str, parse_mode: Option<&str>) -> Result<String, String> {
    match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("none") => Ok(text.to_owned()),
        Some("html") => html(text),
        Some("markdownv2") => markdown_v2(text),
        Some("markdown") => Ok(text.replace(['*', '_', '`'], "")),
        Some(_) => Err("unsupported parse_mode".into()),
    }
}

const HTML_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "tg-time",
    "code",
    "pre",
    "blockquote",
];

fn entity_error(detail: String) -> String {
    format!("can't parse entities: {detail}")
}

fn html(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut visible = String::with_capacity(text.len());
    let mut open: Vec<String> = vec![];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let start = i;
                let Some(end) = text[i..].find('>').map(|e| i + e) else {
                    return Err(entity_error(format!("Unclosed start tag at byte offset {start}")));
                };
                let inner = &text[i + 1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(expected) if expected == name || name.is_empty() => {}
                        Some(expected) => {
                            return Err(entity_error(format!(
                                "Unmatched end tag at byte offset {start}, expected \"</{expected}>\", found \"</{name}>\""
                            )));
                        }
                        None => {
                            return Err(entity_error(format!("Unexpected end tag at byte offset {start}")));
                        }
                    }
                } else {
                    let name: String = inner
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if !HTML_TAGS.contains(&name.as_str()) {
                        return Err(entity_error(format!(
                            "Unsupported start tag \"{name}\" at byte offset {start}"
                        )));
                    }
                    let attrs = &inner[name.len()..];
                    if !attrs.is_empty() && !attrs.starts_with(char::is_whitespace) {
                        return Err(entity_error(format!(
                            "Unsupported start tag \"{}\" at byte offset {start}",
                            inner.split_whitespace().next().unwrap_or_default()
                        )));
                    }
                    if name == "span" && !attrs.contains("class=\"tg-spoiler\"") {
                        return Err(entity_error(format!(
                            "Tag \"span\" must have class \"tg-spoiler\" at byte offset {start}"
                        )));
                    }
                    if attrs.matches('"').count() % 2 == 1 {
                        return Err(entity_error(format!("Unclosed start tag at byte offset {start}")));
                    }
                    open.push(name);
                }
                i = end + 1;
            }
            b'&' => {
                let rest = &text[i..];
                let entity = rest.find(';').filter(|e| *e <= 10).map(|e| &rest[1..e]);
                let decoded = entity.and_then(|name| match name {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    n if n.starts_with("#x") || n.starts_with("#X") => {
                        u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
                    }
                    n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                });
                match (decoded, entity) {
                    (Some(c), Some(name)) => {
                        visible.push(c);
                        i += name.len() + 2;
                    }
                    // Like Telegram, an unknown entity is kept as plain text.
                    _ => {
                        visible.push('&');
                        i += 1;
                    }
                }
            }
            _ => {
                let c = text[i..].chars().next().expect("a char boundary");
                visible.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(name) = open.pop() {
        return Err(entity_error(format!("Can't find end tag corresponding to start tag \"{name}\"")));
    }
    Ok(visible)
}

fn reserved(c: char) -> String {
    entity_error(format!("Character '{c}' is reserved and must be escaped with the preceding '\\'"))
}

const MD2_RESERVED: &str = "_*[]()~`>#+-=|{}.!";

fn markdown_v2(text: &str) -> Result<String, String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut visible = String::with_capacity(text.len());
    // Open entity delimiters with the byte offset where each started.
    let mut open: Vec<(&str, usize)> = vec![];
    let mut link_depth: Vec<usize> = vec![];
    let mut i = 0;
    while i < chars.len() {
        let (offset, c) = chars[i];
        let next = chars.get(i + 1).map(|(_, c)| *c);
        match c {
            '\\' => {
                match next {
                    Some(n) if (n as u32) < 127 => visible.push(n),
                    _ => {
                        return Err(reserved('\\'));
                    }
                }
                i += 2;
                continue;
            }
            '`' if text[offset..].starts_with("```") => {
                let body_start = offset + 3;
                let Some(end) = text[body_start..].find("```") else {
                    return Err(entity_error(format!(
                        "Can't find end of PreCode entity at byte offset {offset}"
                    )));
                };
                visible.push_str(&text[body_start..body_start + end]);
                let stop = body_start + end + 3;
                while i < chars.len() && chars[i].0 < stop {
                    i += 1;
                }
                continue;
            }
            '`' => {
                let Some(end) = text[offset + 1..].find('`') else {
                    return Err(entity_error(format!(
                        "Can't find end of Code entity at byte offset {offset}"
                    )));
                };
                visible.push_str(&text[offset + 1..offset + 1 + end]);
                let stop = offset + 2 + end;
                while i < chars.len() && chars[i].0 < stop {
                    i += 1;
                }
                continue;
            }
            '*' | '_' | '~' | '|' => {
                let delim: &str = match (c, next) {
                    ('_', Some('_')) => "__",
                    ('|', Some('|')) => "||",
                    ('|', _) => {
                        return Err(reserved('|'));
                    }
                    ('*', _) => "*",
                    ('_', _) => "_",
                    _ => "~",
                };
                if open.last().is_some_and(|(d, _)| *d == delim) {
                    open.pop();
                } else {
                    open.push((delim, offset));
                }
                i += delim.chars().count();
                continue;
            }
            '[' => {
                link_depth.push(offset);
                i += 1;
                continue;
            }
            ']' if !link_depth.is_empty() => {
                link_depth.pop();
                if next == Some('(') {
                    let url_start = chars[i + 1].0 + 1;
                    let Some(end) = text[url_start..].find(')') else {
                        return Err(entity_error(format!(
                            "Can't find end of a URL at byte offset {url_start}"
                        )));
                    };
                    let stop = url_start + end + 1;
                    while i < chars.len() && chars[i].0 < stop {
                        i += 1;
                    }
                } else {
                    i += 1;
                }
                continue;
            }
            c if MD2_RESERVED.contains(c) => return Err(reserved(c)),
            c => visible.push(c),
        }
        i += 1;
    }
    if let Some((_, offset)) = open.pop().or(link_depth.pop().map(|o| ("[", o))) {
        return Err(entity_error(format!("Can't find end of the entity starting at byte offset {offset}")));
    }
    Ok(visible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_tags_and_entities_are_measured_without_markup() {
        assert_eq!(visible_text("<b>Рога</b> &amp; <i>Копыта</i>", Some("HTML")).unwrap(), "Рога & Копыта");
        assert_eq!(visible_text("<a href=\"https://x\">link</a>", Some("HTML")).unwrap(), "link");
        assert_eq!(visible_text("AT&T", Some("HTML")).unwrap(), "AT&T");
    }

    #[test]
    fn broken_html_is_rejected_like_telegram_does() {
        let err = |t| visible_text(t, Some("HTML")).unwrap_err();
        assert_eq!(
            err("<foo>x</foo>"),
            "can't parse entities: Unsupported start tag \"foo\" at byte offset 0"
        );
        assert_eq!(
            err("<b>x</i>"),
            "can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""
        );
        assert!(err("<b>x").contains("Can't find end tag"));
        assert!(err("a <b").contains("Unclosed start tag at byte offset 2"));
        assert!(err("Рога & <Копыта>").contains("Unsupported start tag"));
        assert!(err("<span>x</span>").contains("must have class"));
        assert_eq!(visible_text("<span class=\"tg-spoiler\">x</span>", Some("HTML")).unwrap(), "x");
    }

    #[test]
    fn markdown_v2_requires_escaping_reserved_characters() {
        assert_eq!(visible_text("*bold* and 1\\.5", Some("MarkdownV2")).unwrap(), "bold and 1.5");
        let err = visible_text("Version 1.5", Some("MarkdownV2")).unwrap_err();
        assert_eq!(
            err,
            "can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"
        );
        assert!(visible_text("*open", Some("MarkdownV2")).is_err());
    }

    #[test]
    fn unknown_parse_modes_are_refused() {
        assert_eq!(visible_text("x", Some("XML")).unwrap_err(), "unsupported parse_mode");
    }
}
